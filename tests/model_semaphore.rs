//! Property test: random call sequences on a semaphore (bounded or not) against a
//! sequential model: permits balance, FIFO grants, cancels, closed ports passing grants on.

mod model_support;

use std::collections::VecDeque;
use std::sync::Arc;

use model_support::{Face, Harness, Start, config, face, pick, timeout};
use proptest::prelude::*;
use weft::{Deadline, Semaphore, Status};

#[derive(Clone, Debug)]
enum Step {
    TryAcquire,
    Acquire(Deadline),
    Release(u64),
    AcquireAsync(Face),
    Cancel(usize),
    Poll,
    ClosePort,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::TryAcquire),
        2 => timeout().prop_map(Step::Acquire),
        4 => prop_oneof![8 => 0..=3u64, 1 => Just(u64::MAX), 1 => Just(i64::MAX as u64)]
            .prop_map(Step::Release),
        4 => face().prop_map(Step::AcquireAsync),
        2 => pick().prop_map(Step::Cancel),
        2 => Just(Step::Poll),
        1 => Just(Step::ClosePort),
    ]
}

/// The sequential semaphore: free permits and a FIFO line of pending ops.
struct Model {
    value: u64,
    max: u64,
    line: VecDeque<usize>,
}

impl Model {
    fn try_acquire(&mut self) -> Status {
        if self.value > 0 {
            assert!(
                self.line.is_empty(),
                "model: nobody waits while permits are free"
            );
            self.value -= 1;
            Status::Ok
        } else {
            Status::WouldBlock
        }
    }

    /// `n` permits: one to each of the first ops in line (a grant its closed port cannot
    /// deliver comes back and goes on), the rest become free.
    fn release(&mut self, h: &mut Harness, n: u64) -> Status {
        if n == 0 || n > i64::MAX as u64 {
            return Status::Invalid;
        }
        if self.line.is_empty() {
            if self.value + n > self.max {
                return Status::Overflow;
            }
        } else if n > self.max {
            return Status::Overflow;
        }
        let mut left = n;
        while left > 0 {
            let Some(op) = self.line.pop_front() else {
                break;
            };
            if !h.complete(op, Status::Ok, 0) {
                left -= 1;
            }
        }
        self.value += left;
        Status::Ok
    }
}

fn run(initial: u64, max: Option<u64>, steps: Vec<Step>) {
    let sem = Arc::new(Semaphore::new(initial, max).unwrap());
    let mut model = Model {
        value: initial,
        max: max.unwrap_or(i64::MAX as u64),
        line: VecDeque::new(),
    };
    let mut h = Harness::default();
    for step in steps {
        match step {
            Step::TryAcquire => assert_eq!(sem.try_acquire(), model.try_acquire()),
            Step::Acquire(deadline) => {
                let expected = match model.try_acquire() {
                    Status::WouldBlock => Status::Timeout,
                    status => status,
                };
                assert_eq!(sem.acquire(deadline), expected);
            }
            Step::Release(n) => {
                let real = sem.release(n);
                assert_eq!(real, model.release(&mut h, n), "release({n})");
            }
            Step::AcquireAsync(face) => {
                let index = h.next_op();
                let expected = match model.try_acquire() {
                    Status::WouldBlock => {
                        model.line.push_back(index);
                        Start::Pending(index)
                    }
                    status => Start::Done(status),
                };
                let real = h.start(face, true, |port, callback, arg| {
                    sem.acquire_async(port, callback, arg)
                });
                assert_eq!(real, expected);
            }
            Step::Cancel(pick) => {
                if let Some(op) = h.cancel_picked(pick) {
                    model.line.retain(|&i| i != op);
                }
            }
            Step::Poll => h.poll(),
            Step::ClosePort => {
                for op in h.close_port() {
                    if h.undeliverable(op) {
                        // Given back as a release of one. It fits unless the caller released
                        // more than it held (accepted while ops waited: only the free value
                        // is bounded); then the bound wins and the permit is dropped.
                        let _ = model.release(&mut h, 1);
                    }
                }
            }
        }
        h.check();
        assert_eq!(sem.value(), model.value, "value");
        assert_eq!(sem.waiting(), model.line.len(), "waiting");
    }
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_semaphore.txt"))]

    #[test]
    fn semaphore_matches_model(
        initial in 0..=3u64,
        headroom in prop::option::of(0..=3u64),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        run(initial, headroom.map(|extra| initial + extra.max(1)), steps);
    }
}
