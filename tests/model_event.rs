//! Property test: random call sequences on an event (one-time or reusable) against a
//! sequential model: `set` wakes exactly the ops waiting then, `clear` takes nothing back.

mod model_support;

use std::sync::Arc;

use model_support::{Face, Harness, Start, config, face, pick, timeout};
use proptest::prelude::*;
use weft::{Deadline, Event, Status};

#[derive(Clone, Debug)]
enum Step {
    Set,
    Clear,
    TryWait,
    Wait(Deadline),
    WaitAsync(Face),
    Cancel(usize),
    Poll,
    ClosePort,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => Just(Step::Set),
        2 => Just(Step::Clear),
        1 => Just(Step::TryWait),
        2 => timeout().prop_map(Step::Wait),
        4 => face().prop_map(Step::WaitAsync),
        2 => pick().prop_map(Step::Cancel),
        2 => Just(Step::Poll),
        1 => Just(Step::ClosePort),
    ]
}

/// The sequential event: a flag and the ops waiting for it.
struct Model {
    reusable: bool,
    set: bool,
    line: Vec<usize>,
}

fn run(reusable: bool, steps: Vec<Step>) {
    let event = Arc::new(if reusable {
        Event::new_reusable()
    } else {
        Event::new()
    });
    let mut model = Model {
        reusable,
        set: false,
        line: Vec::new(),
    };
    let mut h = Harness::default();
    let now = |model: &Model| {
        if model.set {
            Status::Ok
        } else {
            Status::WouldBlock
        }
    };
    for step in steps {
        match step {
            Step::Set => {
                let expected = if model.set {
                    0
                } else {
                    model.set = true;
                    let woken = std::mem::take(&mut model.line);
                    for &op in &woken {
                        // A closed port's grant is given back (an event has nothing to
                        // pass on) and the op ends Cancelled.
                        h.complete(op, Status::Ok, 0);
                    }
                    woken.len()
                };
                assert_eq!(event.set(), expected);
            }
            Step::Clear => {
                let expected = if model.reusable {
                    model.set = false;
                    Status::Ok
                } else {
                    Status::Invalid
                };
                assert_eq!(event.clear(), expected);
            }
            Step::TryWait => assert_eq!(event.try_wait(), now(&model)),
            Step::Wait(deadline) => {
                let expected = if model.set {
                    Status::Ok
                } else {
                    Status::Timeout
                };
                assert_eq!(event.wait(deadline), expected);
            }
            Step::WaitAsync(face) => {
                let index = h.next_op();
                let expected = if model.set {
                    Start::Done(Status::Ok)
                } else {
                    model.line.push(index);
                    Start::Pending(index)
                };
                let real = h.start(face, true, |port, callback, arg| {
                    event.wait_async(port, callback, arg)
                });
                assert_eq!(real, expected);
            }
            Step::Cancel(pick) => {
                if let Some(op) = h.cancel_picked(pick) {
                    model.line.retain(|&i| i != op);
                }
            }
            Step::Poll => h.poll(),
            Step::ClosePort => h.close_port_dropping(),
        }
        h.check();
        assert_eq!(event.is_set(), model.set, "is_set");
        assert_eq!(event.waiting(), model.line.len(), "waiting");
    }
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_event.txt"))]

    #[test]
    fn event_matches_model(reusable in any::<bool>(), steps in prop::collection::vec(step(), 1..60)) {
        run(reusable, steps);
    }
}
