//! One import point for the atomics, locks and cells the core uses, so that the loom model
//! checks (`RUSTFLAGS="--cfg loom"`) swap in loom's instrumented versions everywhere at once.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};
#[cfg(loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};
#[cfg(not(loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

/// Locks an internal mutex. Poisoning is ignored: no code holding these locks runs user
/// code or can leave the protected state half-updated on panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// `UnsafeCell` with loom's closure-based API, so that loom can track every access.
#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Lets another thread run while this one waits for a step that is a few instructions
/// away on another thread (under loom: a scheduling point, so the model can progress).
pub(crate) fn snooze(backoff: &crossbeam_utils::Backoff) {
    #[cfg(loom)]
    {
        let _ = backoff;
        loom::thread::yield_now();
    }
    #[cfg(not(loom))]
    backoff.snooze();
}

/// Between a SeqCst read-modify-write and a SeqCst load of another location (the two
/// halves of a Dekker-style handshake). In the C++/Rust memory model SeqCst operations
/// already forbid both sides missing each other; loom models SeqCst accesses as
/// acquire/release only, so under loom an explicit fence stands for that guarantee.
#[inline(always)]
pub(crate) fn seqcst_handshake() {
    #[cfg(loom)]
    fence(Ordering::SeqCst);
}
