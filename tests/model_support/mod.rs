//! The async half of the reference models in `tests/model_*.rs`: ports, callbacks and ops.
//!
//! Each model test drives one primitive with a random sequence of calls from one thread and
//! runs the same calls against a plain sequential model of it. Async starts go to the
//! current port or to a callback; this harness keeps, for every op, the status the model
//! says it has, which completions the model says wait in the port (and which callbacks have
//! run), and after every step compares all of it with the real objects. Closing the port
//! is a step too: the model says which queued grants are given back (`undeliverable`), and
//! the primitive's model passes them on as the real primitive does.
#![allow(dead_code)] // each model uses the part of the harness it needs

use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use weft::{Callback, Deadline, Delivered, Op, Port, Started, Status};

/// The proptest configuration of every model: `PROPTEST_CASES` (default 256) sequences;
/// failing seeds are kept in `regressions` (a file under `proptest-regressions/`, relative
/// to the crate root where cargo runs tests) and replayed first on every later run.
pub fn config(regressions: &'static str) -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions))),
        ..Config::default()
    }
}

/// How an async op is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Face {
    /// Its completion is queued in the current port.
    Port,
    /// Its callback runs on the completing thread (this one).
    Callback,
}

pub fn face() -> impl Strategy<Value = Face> {
    prop_oneof![3 => Just(Face::Port), 1 => Just(Face::Callback)]
}

/// Timeouts a single thread can afford: 0 (one try) or a short wait that runs out.
pub fn timeout() -> impl Strategy<Value = Deadline> {
    prop_oneof![3 => Just(Deadline::after_ns(0)), 1 => Just(Deadline::after_ns(20_000))]
}

/// Which op a cancel picks: an index taken modulo the number of ops started so far.
pub fn pick() -> impl Strategy<Value = usize> {
    0..64usize
}

thread_local! {
    static CALLED: RefCell<Vec<(usize, Status)>> = const { RefCell::new(Vec::new()) };
}

unsafe extern "C" fn record(arg: *mut c_void, status: i32) {
    let status = Status::from_code(status).expect("a callback hears a valid status");
    CALLED.with(|called| called.borrow_mut().push((arg as usize, status)));
}

/// What starting an async call did, as both sides report it (ops are numbered from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    Done(Status),
    Pending(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Via {
    Port(usize),
    Callback,
}

/// The model's view of one op.
#[derive(Clone, Debug)]
pub struct ModelOp {
    via: Via,
    pub status: Status,
    /// What comes with a grant (a queue item, an arrival index), once `Ok`.
    pub value: u64,
    /// Whether a grant that cannot be delivered is taken back (not a queue put's).
    takes_back: bool,
    /// A cancel that lost to the grant claimed it for the caller: no port may take it back.
    claimed: bool,
    /// `cancel` was called on it already.
    cancelled_once: bool,
}

pub struct Harness {
    /// Every port made so far; the last one is open, the others are closed.
    ports: Vec<Arc<Port>>,
    /// Model: the ops whose completions wait in the open port.
    queued: Vec<usize>,
    /// Model: callbacks that should have run since the last check.
    calls: Vec<(usize, Status)>,
    real: Vec<Op>,
    pub model: Vec<ModelOp>,
    /// Steps run, for the figures in docs/reliability.md.
    pub steps: usize,
    /// Whether an op's grant value means something to the caller (not a condition's).
    pub check_values: bool,
    /// What a second cancel of one op returns, where only the first one answers (issue
    /// 14's `WEFT_ANSWERED`); `None` where every cancel answers with the op's outcome.
    later_cancel: Option<Status>,
}

/// Asks the library what a second cancel of one op returns: the same `Cancelled` as the
/// first (every cancel answers), or another status (only the first one answers).
fn probe_later_cancel() -> Option<Status> {
    let sem = Arc::new(weft::Semaphore::new(0, None).unwrap());
    let port = Port::new().unwrap();
    let Started::Pending(op) = sem.acquire_async(Some(&port), None, std::ptr::null_mut()) else {
        panic!("an acquire of an empty semaphore waits");
    };
    assert_eq!(op.cancel(), Status::Cancelled);
    let second = op.cancel();
    (second != Status::Cancelled).then_some(second)
}

impl Default for Harness {
    fn default() -> Self {
        // A case that failed half-way may have left callbacks behind on this thread.
        CALLED.with(|called| called.borrow_mut().clear());
        Harness {
            ports: vec![Port::new().unwrap()],
            queued: Vec::new(),
            calls: Vec::new(),
            real: Vec::new(),
            model: Vec::new(),
            steps: 0,
            check_values: true,
            later_cancel: probe_later_cancel(),
        }
    }
}

fn arg_of(index: usize) -> *mut c_void {
    (index + 1) as *mut c_void
}

impl Harness {
    /// The index the next pending op will get.
    pub fn next_op(&self) -> usize {
        self.real.len()
    }

    /// How many ops went pending so far.
    pub fn ops(&self) -> usize {
        self.real.len()
    }

    /// Resolves a random pick to an op, if any op exists.
    pub fn pick(&self, pick: usize) -> Option<usize> {
        (!self.real.is_empty()).then(|| pick % self.real.len())
    }

    /// Starts a real async call with `face`; `call` gets the port, callback and arg.
    /// Records the op if it went pending.
    pub fn start(
        &mut self,
        face: Face,
        takes_back: bool,
        call: impl FnOnce(Option<&Arc<Port>>, Option<Callback>, *mut c_void) -> Started,
    ) -> Start {
        let index = self.next_op();
        let port = self.ports.last().unwrap().clone();
        let started = match face {
            Face::Port => call(Some(&port), None, arg_of(index)),
            Face::Callback => call(None, Some(record), arg_of(index)),
        };
        match started {
            Started::Done(status) => Start::Done(status),
            Started::Pending(op) => {
                self.real.push(op);
                self.model.push(ModelOp {
                    via: match face {
                        Face::Port => Via::Port(self.ports.len() - 1),
                        Face::Callback => Via::Callback,
                    },
                    status: Status::Pending,
                    value: 0,
                    takes_back,
                    claimed: false,
                    cancelled_once: false,
                });
                Start::Pending(index)
            }
        }
    }

    /// Model: op `index` completes with `status` (and `value`). Returns `true` if the grant
    /// could not be delivered (its port is closed) and must be given back by the caller's
    /// model: the op then reads `Cancelled`.
    pub fn complete(&mut self, index: usize, status: Status, value: u64) -> bool {
        let op = &mut self.model[index];
        assert_eq!(
            op.status,
            Status::Pending,
            "model completes op {index} twice"
        );
        op.status = status;
        op.value = value;
        match op.via {
            Via::Callback => {
                self.calls.push((index, status));
                false
            }
            Via::Port(port) if port == self.ports.len() - 1 => {
                self.queued.push(index);
                false
            }
            Via::Port(_) => self.undeliverable(index),
        }
    }

    /// Model: a completion of `index` found its port closed. `true` if its grant must be
    /// given back (then the op reads `Cancelled`).
    pub fn undeliverable(&mut self, index: usize) -> bool {
        let op = &mut self.model[index];
        if op.status == Status::Ok && op.takes_back && !op.claimed {
            op.status = Status::Cancelled;
            return true;
        }
        false
    }

    /// Model side of a cancel: `(status it returns, whether the op left the line)`. The
    /// caller removes a withdrawn op from its line. Only the first cancel of an op answers
    /// so where the library answers once (a later one returns what `later_cancel` found).
    pub fn cancel_model(&mut self, index: usize) -> (Status, bool) {
        let op = &mut self.model[index];
        if std::mem::replace(&mut op.cancelled_once, true)
            && let Some(later) = self.later_cancel
        {
            return (later, false);
        }
        match op.status {
            Status::Pending => {
                let given_back = self.complete(index, Status::Cancelled, 0);
                debug_assert!(!given_back);
                (Status::Cancelled, true)
            }
            Status::Ok => {
                self.model[index].claimed = true;
                (Status::Ok, false)
            }
            status => (status, false),
        }
    }

    pub fn cancel_real(&self, index: usize) -> Status {
        self.real[index].cancel()
    }

    /// A `Cancel` step: picks an op (if any), cancels it for real and in the model, and
    /// checks that both answer the same. Returns the op if its cancel withdrew it from the
    /// line: the caller takes it out of its model's line (and does what else that means).
    pub fn cancel_picked(&mut self, pick: usize) -> Option<usize> {
        let op = self.pick(pick)?;
        let real = self.cancel_real(op);
        let (expected, withdrew) = self.cancel_model(op);
        assert_eq!(real, expected, "cancel of op {op}");
        withdrew.then_some(op)
    }

    /// A `ClosePort` step for a model with nothing to give back: the completions queued
    /// in the closed port are dropped.
    pub fn close_port_dropping(&mut self) {
        for op in self.close_port() {
            self.undeliverable(op);
        }
    }

    /// Closes the real port and opens a new one; returns the ops whose completions the
    /// model had queued in the closed port, in order: the caller passes each to
    /// [`undeliverable`](Self::undeliverable) and gives back what it says.
    pub fn close_port(&mut self) -> Vec<usize> {
        self.ports.last().unwrap().close();
        self.ports.push(Port::new().unwrap());
        std::mem::take(&mut self.queued)
    }

    /// Polls the open port and compares what came out with the model.
    pub fn poll(&mut self) {
        let mut out = [Delivered {
            arg: std::ptr::null_mut(),
            status: Status::Internal,
        }; 128];
        let port = self.ports.last().unwrap();
        let n = port.poll(&mut out);
        let mut real: Vec<(usize, Status)> = out[..n]
            .iter()
            .map(|d| (d.arg as usize - 1, d.status))
            .collect();
        let mut model: Vec<(usize, Status)> = std::mem::take(&mut self.queued)
            .into_iter()
            .map(|i| (i, self.model[i].status))
            .collect();
        real.sort_unstable_by_key(|&(i, _)| i);
        model.sort_unstable_by_key(|&(i, _)| i);
        assert_eq!(real, model, "port deliveries");
        assert_eq!(port.pending(), 0);
    }

    /// Compares every op's status and value, the callbacks that ran and the port's count.
    pub fn check(&mut self) {
        self.steps += 1;
        for (i, (real, model)) in self.real.iter().zip(&self.model).enumerate() {
            assert_eq!(real.status(), model.status, "status of op {i}");
            if self.check_values && model.status == Status::Ok {
                assert_eq!(real.value(), model.value, "value of op {i}");
            }
        }
        let mut real = CALLED.with(|called| std::mem::take(&mut *called.borrow_mut()));
        let mut model = std::mem::take(&mut self.calls);
        real.iter_mut().for_each(|(arg, _)| *arg -= 1);
        real.sort_unstable_by_key(|&(i, _)| i);
        model.sort_unstable_by_key(|&(i, _)| i);
        assert_eq!(real, model, "callbacks run");
        assert_eq!(
            self.ports.last().unwrap().pending(),
            self.queued.len(),
            "port pending"
        );
    }
}
