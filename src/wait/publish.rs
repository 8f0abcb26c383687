//! Telling an async op's starter which op it is *before* anyone can complete it.
//!
//! A started op is linked into its primitive's line under the line's mutex; from then on
//! another thread may grant it and run its callback at once, possibly before the starting
//! call has returned. The C ABI promises that `*op_out` is written before that, so that a
//! callback can reach its op (and the item or index that came with the grant) through its
//! `arg`. The starter arms a hook for the duration of the start ([`publishing`]);
//! `wait_async` calls it ([`announce`]) just before linking, still under the mutex.
//!
//! A thread-local slot, rather than a parameter through every primitive's async start:
//! only the C ABI uses it, and a start runs on one thread. A nested start (a callback run
//! by the start, starting an op of its own) arms and restores its own hook.

use std::cell::Cell;
use std::sync::Arc;

use super::op::OpInner;

/// What to call with the op, and the word to call it with (the C caller's `op_out`): a
/// plain function and a word, so that arming the hook allocates nothing (an async start
/// granted at once touches no allocator).
#[derive(Clone, Copy)]
pub(crate) struct Hook {
    pub call: fn(word: usize, op: &Arc<OpInner>),
    pub word: usize,
}

thread_local! {
    static HOOK: Cell<Option<Hook>> = const { Cell::new(None) };
}

/// Runs `start` with `hook` armed: if `start` queues an async op, `hook` receives it
/// before the op is linked into its line (so before anyone can complete it).
pub(crate) fn publishing<R>(hook: Hook, start: impl FnOnce() -> R) -> R {
    struct Restore(Option<Hook>);
    impl Drop for Restore {
        fn drop(&mut self) {
            HOOK.with(|slot| slot.set(self.0));
        }
    }
    let _restore = Restore(HOOK.with(|slot| slot.replace(Some(hook))));
    start()
}

/// Hands `op` to the armed hook, if any (once).
pub(crate) fn announce(op: &Arc<OpInner>) {
    if let Some(hook) = HOOK.with(|slot| slot.take()) {
        (hook.call)(hook.word, op);
    }
}
