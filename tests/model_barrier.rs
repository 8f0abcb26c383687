//! Property test: random call sequences on a barrier (latch, cyclic, resettable; 0 to 4
//! parties) against a sequential model: phases, arrival indices, and how a timeout, a
//! cancel, `abort` and `reset` break or repair it.

mod model_support;

use std::sync::Arc;

use model_support::{Face, Harness, Start, config, face, pick, timeout};
use proptest::prelude::*;
use weft::{Barrier, BarrierKind, Deadline, Status};

#[derive(Clone, Debug)]
enum Step {
    Wait(Deadline),
    WaitAsync(Face),
    Abort,
    Reset,
    Cancel(usize),
    Poll,
    ClosePort,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => timeout().prop_map(Step::Wait),
        6 => face().prop_map(Step::WaitAsync),
        1 => Just(Step::Abort),
        2 => Just(Step::Reset),
        2 => pick().prop_map(Step::Cancel),
        2 => Just(Step::Poll),
        1 => Just(Step::ClosePort),
    ]
}

fn kind() -> impl Strategy<Value = BarrierKind> {
    prop_oneof![
        Just(BarrierKind::Latch),
        Just(BarrierKind::Cyclic),
        Just(BarrierKind::Resettable)
    ]
}

/// The sequential barrier.
struct Model {
    parties: u64,
    kind: BarrierKind,
    broken: bool,
    passed: bool,
    arrived: u64,
    line: Vec<usize>,
}

/// What an arrival does.
enum Arrival {
    Done(Status, u64),
    Waits,
}

impl Model {
    fn arrive(&mut self, h: &mut Harness) -> Arrival {
        if self.broken {
            return Arrival::Done(Status::Broken, 0);
        }
        if self.passed {
            return Arrival::Done(Status::Ok, 0);
        }
        self.arrived += 1;
        if self.parties == 0 || self.arrived < self.parties {
            return Arrival::Waits;
        }
        let phase = std::mem::take(&mut self.line);
        for (index, &op) in phase.iter().enumerate() {
            h.complete(op, Status::Ok, index as u64);
        }
        self.arrived = 0;
        self.passed |= self.kind == BarrierKind::Latch;
        Arrival::Done(Status::Ok, phase.len() as u64)
    }

    fn break_all(&mut self, h: &mut Harness, status: Status) {
        for op in std::mem::take(&mut self.line) {
            h.complete(op, status, 0);
        }
    }
}

fn run(parties: u64, kind: BarrierKind, steps: Vec<Step>) {
    let barrier = Arc::new(Barrier::new(parties, kind).unwrap());
    let mut model = Model {
        parties,
        kind,
        broken: false,
        passed: false,
        arrived: 0,
        line: Vec::new(),
    };
    let mut h = Harness::default();
    for step in steps {
        match step {
            Step::Wait(deadline) => {
                let expected = match model.arrive(&mut h) {
                    Arrival::Done(status, index) => (status, index),
                    Arrival::Waits => {
                        // Giving up (here, at once) breaks the barrier for everyone.
                        model.broken = true;
                        model.break_all(&mut h, Status::Broken);
                        (Status::Timeout, 0)
                    }
                };
                assert_eq!(barrier.wait(deadline), expected);
            }
            Step::WaitAsync(face) => {
                let index = h.next_op();
                let (expected, own_index) = match model.arrive(&mut h) {
                    Arrival::Done(status, own) => (Start::Done(status), own),
                    Arrival::Waits => {
                        model.line.push(index);
                        (Start::Pending(index), 0)
                    }
                };
                let mut real_index = 0;
                let real = h.start(face, true, |port, callback, arg| {
                    let (started, own) = barrier.wait_async(port, callback, arg);
                    real_index = own;
                    started
                });
                assert_eq!((real, real_index), (expected, own_index));
            }
            Step::Abort => {
                model.broken = true;
                model.break_all(&mut h, Status::Broken);
                barrier.abort();
            }
            Step::Reset => {
                let expected = if model.kind == BarrierKind::Resettable {
                    model.break_all(&mut h, Status::Broken);
                    (model.arrived, model.broken, model.passed) = (0, false, false);
                    Status::Ok
                } else {
                    Status::Invalid
                };
                assert_eq!(barrier.reset(), expected);
            }
            Step::Cancel(pick) => {
                if let Some(op) = h.cancel_picked(pick) {
                    model.line.retain(|&i| i != op);
                    model.broken = true;
                    model.break_all(&mut h, Status::Broken);
                }
            }
            Step::Poll => h.poll(),
            Step::ClosePort => h.close_port_dropping(),
        }
        h.check();
        assert_eq!(barrier.is_broken(), model.broken, "broken");
        assert_eq!(barrier.has_passed(), model.passed, "passed");
        assert_eq!(barrier.waiting(), model.line.len(), "waiting");
    }
}

proptest! {
    #![proptest_config(config("proptest-regressions/model_barrier.txt"))]

    #[test]
    fn barrier_matches_model(
        parties in 0..=4u64,
        kind in kind(),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        run(parties, kind, steps);
    }
}
