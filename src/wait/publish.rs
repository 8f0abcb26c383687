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

use std::cell::RefCell;
use std::sync::Arc;

use super::op::OpInner;

type Hook = Box<dyn FnOnce(&Arc<OpInner>)>;

thread_local! {
    static HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
}

/// Runs `start` with `hook` armed: if `start` queues an async op, `hook` receives it
/// before the op is linked into its line (so before anyone can complete it).
pub(crate) fn publishing<R>(
    hook: impl FnOnce(&Arc<OpInner>) + 'static,
    start: impl FnOnce() -> R,
) -> R {
    struct Restore(Option<Hook>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            HOOK.with(|slot| *slot.borrow_mut() = previous);
        }
    }
    let previous = HOOK.with(|slot| slot.borrow_mut().replace(Box::new(hook)));
    let _restore = Restore(previous);
    start()
}

/// Hands `op` to the armed hook, if any (once).
pub(crate) fn announce(op: &Arc<OpInner>) {
    if let Some(hook) = HOOK.with(|slot| slot.borrow_mut().take()) {
        hook(op);
    }
}
