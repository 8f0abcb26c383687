//! Property test: random call sequences on a countdown against a sequential model: the
//! ops woken are exactly those waiting when the count reaches zero.

mod model_support;

use std::sync::Arc;

use model_support::{Face, Harness, Start, config, face, pick, timeout};
use proptest::prelude::*;
use weft::countdown::COUNTDOWN_MAX;
use weft::{Countdown, Deadline, Status};

#[derive(Clone, Debug)]
enum Step {
    Up(u64),
    Down,
    DownSaturating(u64),
    Clear,
    Wait(Deadline),
    WaitAsync(Face),
    Cancel(usize),
    Poll,
    ClosePort,
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 0..=3u64, 1 => Just(COUNTDOWN_MAX), 1 => Just(u64::MAX)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => amount().prop_map(Step::Up),
        4 => Just(Step::Down),
        2 => amount().prop_map(Step::DownSaturating),
        1 => Just(Step::Clear),
        2 => timeout().prop_map(Step::Wait),
        4 => face().prop_map(Step::WaitAsync),
        2 => pick().prop_map(Step::Cancel),
        2 => Just(Step::Poll),
        1 => Just(Step::ClosePort),
    ]
}

/// The sequential countdown: a count and the ops waiting for zero.
struct Model {
    count: u64,
    line: Vec<usize>,
}

impl Model {
    fn reach_zero(&mut self, h: &mut Harness) {
        for op in std::mem::take(&mut self.line) {
            h.complete(op, Status::Ok, 0);
        }
    }

    fn down_by(&mut self, h: &mut Harness, n: u64) -> u64 {
        let taken = n.min(self.count);
        if taken > 0 {
            self.count -= taken;
            if self.count == 0 {
                self.reach_zero(h);
            }
        }
        taken
    }
}

fn run(initial: u64, steps: Vec<Step>) {
    let countdown = Arc::new(Countdown::new(initial).unwrap());
    let mut model = Model {
        count: initial,
        line: Vec::new(),
    };
    let mut h = Harness::default();
    for step in steps {
        match step {
            Step::Up(n) => {
                let expected = match model.count.checked_add(n) {
                    _ if n == 0 => Status::Invalid,
                    Some(total) if total <= COUNTDOWN_MAX => {
                        model.count = total;
                        Status::Ok
                    }
                    _ => Status::Overflow,
                };
                assert_eq!(countdown.up(n), expected, "up({n})");
            }
            Step::Down => {
                let expected = if model.down_by(&mut h, 1) == 1 {
                    Status::Ok
                } else {
                    Status::Overflow
                };
                assert_eq!(countdown.down(), expected);
            }
            Step::DownSaturating(n) => {
                let real = countdown.down_saturating(n);
                assert_eq!(real, model.down_by(&mut h, n), "down_saturating({n})");
            }
            Step::Clear => {
                model.count = 0;
                model.reach_zero(&mut h);
                countdown.clear();
            }
            Step::Wait(deadline) => {
                let expected = if model.count == 0 {
                    Status::Ok
                } else {
                    Status::Timeout
                };
                assert_eq!(countdown.wait(deadline), expected);
            }
            Step::WaitAsync(face) => {
                let index = h.next_op();
                let expected = if model.count == 0 {
                    Start::Done(Status::Ok)
                } else {
                    model.line.push(index);
                    Start::Pending(index)
                };
                let real = h.start(face, true, |port, callback, arg| {
                    countdown.wait_async(port, callback, arg)
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
        assert_eq!(countdown.value(), model.count, "value");
        assert_eq!(countdown.waiting(), model.line.len(), "waiting");
    }
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_countdown.txt"))]

    #[test]
    fn countdown_matches_model(initial in 0..=4u64, steps in prop::collection::vec(step(), 1..60)) {
        run(initial, steps);
    }
}
