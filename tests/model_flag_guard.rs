//! Property tests: random call sequences on the two non-blocking primitives, a flag
//! (first writer wins) and a resource guard (exclusive use, `Busy`), against their models.

mod model_support;

use std::ffi::c_void;

use model_support::config;
use proptest::prelude::*;
use weft::{Flag, Guard, Status};

#[derive(Clone, Debug)]
enum FlagStep {
    Set(usize),
    Get,
    Clear,
}

fn flag_step() -> impl Strategy<Value = FlagStep> {
    prop_oneof![
        (0..4usize).prop_map(FlagStep::Set),
        Just(FlagStep::Get),
        Just(FlagStep::Clear)
    ]
}

#[derive(Clone, Copy, Debug)]
enum GuardStep {
    Enter,
    Exit,
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_flag_guard.txt"))]

    #[test]
    fn flag_matches_model(steps in prop::collection::vec(flag_step(), 1..60)) {
        let flag = Flag::new();
        let mut model: Option<usize> = None;
        for step in steps {
            match step {
                FlagStep::Set(value) => {
                    let wins = model.is_none();
                    if wins {
                        model = Some(value);
                    }
                    prop_assert_eq!(flag.set(value as *mut c_void), wins);
                }
                FlagStep::Get => {}
                FlagStep::Clear => prop_assert_eq!(flag.clear(), model.take().is_some()),
            }
            prop_assert_eq!(flag.get(), model.map(|v| v as *mut c_void));
        }
    }

    #[test]
    fn guard_matches_model(steps in prop::collection::vec(
        prop_oneof![Just(GuardStep::Enter), Just(GuardStep::Exit)], 1..60)
    ) {
        let guard = Guard::new();
        let mut in_use = false;
        for step in steps {
            let expected = match (step, in_use) {
                (GuardStep::Enter, false) => Status::Ok,
                (GuardStep::Enter, true) => Status::Busy,
                (GuardStep::Exit, true) => Status::Ok,
                (GuardStep::Exit, false) => Status::NotLocked,
            };
            let real = match step {
                GuardStep::Enter => guard.enter(),
                GuardStep::Exit => guard.exit(),
            };
            if expected == Status::Ok {
                in_use = !in_use;
            }
            prop_assert_eq!(real, expected);
            prop_assert_eq!(guard.in_use(), in_use);
        }
    }
}
