//! Shared by the loom model files `tests/loom_*.rs`: the model runner with the bounds
//! used, and a count of the interleavings it explored (printed per model, for the figures
//! in docs/reliability.md; `cargo test ... -- --nocapture` shows them).
#![allow(dead_code)] // each model file uses the part it needs

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

use weft::{Delivered, Port, Started, Status};

/// The preemption bound when `LOOM_MAX_PREEMPTIONS` is not set (ctest sets 2).
pub const PREEMPTIONS: usize = 2;

/// Explores every interleaving of `f` within the preemption bound, and prints how many.
pub fn model(name: &str, f: impl Fn() + Sync + Send + 'static) {
    // A std atomic, not a loom one: it counts the model's runs from outside the model.
    let runs = std::sync::Arc::new(AtomicUsize::new(0));
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(PREEMPTIONS);
    }
    let bound = builder.preemption_bound;
    let counter = runs.clone();
    builder.check(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        f();
    });
    let explored = runs.load(Ordering::Relaxed);
    eprintln!("loom: {name}: {explored} interleavings explored (preemption bound {bound:?})");
}

pub fn pending(started: Started) -> weft::Op {
    match started {
        Started::Pending(op) => op,
        other => panic!("expected a pending op, got {other:?}"),
    }
}

pub fn poll_all(port: &Port) -> Vec<Delivered> {
    let mut out = [Delivered {
        arg: std::ptr::null_mut(),
        status: Status::Internal,
    }; 8];
    let n = port.poll(&mut out);
    out[..n].to_vec()
}

pub fn no_arg() -> *mut c_void {
    std::ptr::null_mut()
}
