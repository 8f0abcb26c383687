//! Property test: random call sequences on a lock (plain or reentrant, FIFO or throughput)
//! against a sequential model. One thread; waits are zero or short timeouts; async
//! acquires go to a port or a callback and may be cancelled, granted or stranded in a
//! closed port (whose grants pass on). See `tests/model_support/mod.rs`.

mod model_support;

use std::collections::VecDeque;
use std::sync::Arc;

use model_support::{Face, Harness, Start, config, face, pick, timeout};
use proptest::prelude::*;
use weft::{Deadline, Fairness, Lock, Status};

#[derive(Clone, Debug)]
enum Step {
    TryAcquire {
        owner: u64,
        count: u64,
    },
    Acquire {
        owner: u64,
        count: u64,
        deadline: Deadline,
    },
    Release {
        owner: u64,
        count: u64,
    },
    AcquireAsync {
        owner: u64,
        count: u64,
        face: Face,
    },
    Cancel(usize),
    Poll,
    ClosePort,
}

fn owner() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 12 => 1..=3u64]
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![1 => Just(0u64), 8 => Just(1u64), 3 => 2..=3u64, 1 => Just(u64::MAX)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (owner(), count()).prop_map(|(owner, count)| Step::TryAcquire { owner, count }),
        2 => (owner(), count(), timeout())
            .prop_map(|(owner, count, deadline)| Step::Acquire { owner, count, deadline }),
        5 => (owner(), count()).prop_map(|(owner, count)| Step::Release { owner, count }),
        4 => (owner(), count(), face())
            .prop_map(|(owner, count, face)| Step::AcquireAsync { owner, count, face }),
        2 => pick().prop_map(Step::Cancel),
        2 => Just(Step::Poll),
        1 => Just(Step::ClosePort),
    ]
}

/// The sequential lock: an owner and depth, and a FIFO line of pending ops.
struct Model {
    reentrant: bool,
    owner: u64,
    depth: u64,
    line: VecDeque<(usize, u64, u64)>,
}

impl Model {
    fn check_request(&self, owner: u64, count: u64) -> Result<(), Status> {
        if owner == 0 || count == 0 || (!self.reentrant && count != 1) {
            Err(Status::Invalid)
        } else if count > i64::MAX as u64 {
            Err(Status::Overflow)
        } else {
            Ok(())
        }
    }

    fn try_acquire(&mut self, owner: u64, count: u64) -> Status {
        if let Err(status) = self.check_request(owner, count) {
            return status;
        }
        if self.owner == owner {
            if !self.reentrant {
                return Status::Deadlock;
            }
            return match self.depth.checked_add(count) {
                Some(depth) if depth <= i64::MAX as u64 => {
                    self.depth = depth;
                    Status::Ok
                }
                _ => Status::Overflow,
            };
        }
        if self.owner == 0 {
            assert!(
                self.line.is_empty(),
                "model: a free lock has nobody in line"
            );
            (self.owner, self.depth) = (owner, count);
            return Status::Ok;
        }
        Status::WouldBlock
    }

    fn release(&mut self, h: &mut Harness, owner: u64, count: u64) -> Status {
        if let Err(status) = self.check_request(owner, count) {
            return status;
        }
        if self.owner == 0 {
            return Status::NotLocked;
        }
        if self.owner != owner {
            return Status::NotOwner;
        }
        if count > self.depth {
            return Status::Overflow;
        }
        self.depth -= count;
        if self.depth == 0 {
            self.owner = 0;
            self.hand_on(h);
        }
        Status::Ok
    }

    /// The lock is free: the first op in line gets it; a grant its closed port cannot
    /// deliver is given back, so the lock passes on.
    fn hand_on(&mut self, h: &mut Harness) {
        if let Some((op, owner, count)) = self.line.pop_front() {
            (self.owner, self.depth) = (owner, count);
            if h.complete(op, Status::Ok, 0) {
                self.give_back(h, owner);
            }
        }
    }

    fn give_back(&mut self, h: &mut Harness, owner: u64) {
        if self.owner == owner {
            (self.owner, self.depth) = (0, 0);
            self.hand_on(h);
        }
    }
}

fn run(reentrant: bool, fairness: Fairness, steps: Vec<Step>) {
    let lock = Arc::new(if reentrant {
        Lock::new_reentrant(fairness)
    } else {
        Lock::new(fairness)
    });
    let mut model = Model {
        reentrant,
        owner: 0,
        depth: 0,
        line: VecDeque::new(),
    };
    let mut h = Harness::default();
    let mut op_owners = Vec::new();
    for step in steps {
        match step {
            Step::TryAcquire { owner, count } => {
                assert_eq!(
                    lock.try_acquire(owner, count),
                    model.try_acquire(owner, count)
                );
            }
            Step::Acquire {
                owner,
                count,
                deadline,
            } => {
                let expected = match model.try_acquire(owner, count) {
                    Status::WouldBlock => Status::Timeout,
                    status => status,
                };
                assert_eq!(lock.acquire(owner, count, deadline), expected);
            }
            Step::Release { owner, count } => {
                let real = lock.release(owner, count);
                assert_eq!(real, model.release(&mut h, owner, count));
            }
            Step::AcquireAsync { owner, count, face } => {
                let index = h.next_op();
                let expected = match model.try_acquire(owner, count) {
                    Status::WouldBlock => {
                        model.line.push_back((index, owner, count));
                        op_owners.push(owner);
                        Start::Pending(index)
                    }
                    status => Start::Done(status),
                };
                let real = h.start(face, true, |port, callback, arg| {
                    lock.acquire_async(owner, count, port, callback, arg)
                });
                assert_eq!(real, expected);
            }
            Step::Cancel(pick) => {
                if let Some(op) = h.cancel_picked(pick) {
                    model.line.retain(|&(i, _, _)| i != op);
                }
            }
            Step::Poll => h.poll(),
            Step::ClosePort => {
                for op in h.close_port() {
                    if h.undeliverable(op) {
                        model.give_back(&mut h, op_owners[op]);
                    }
                }
            }
        }
        h.check();
        assert_eq!(lock.owner(), model.owner, "owner");
        assert_eq!(lock.is_locked(), model.owner != 0);
        for owner in 1..=3 {
            let depth = if model.owner == owner { model.depth } else { 0 };
            assert_eq!(lock.depth_of(owner), depth, "depth of {owner}");
        }
        assert_eq!(lock.waiting(), model.line.len(), "waiting");
    }
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_lock.txt"))]

    #[test]
    fn lock_matches_model(
        reentrant in any::<bool>(),
        throughput in any::<bool>(),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let fairness = if throughput { Fairness::Throughput } else { Fairness::Fifo };
        run(reentrant, fairness, steps);
    }
}
