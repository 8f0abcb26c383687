//! Async operations: a waiter that completes through a port or a callback.
//!
//! An op that started `Pending` completes exactly once: whoever wins its waiter's CAS (a
//! granter, `cancel`, a closing primitive) holds the [`Completion`] token and fires it,
//! which delivers here: to the op's port, or by calling its callback on the completing
//! thread with no internal lock held. A completion that reaches a closed port cannot be
//! delivered: what it granted is given back to the primitive (passed on to the next
//! waiter) and its callback, if any, is called with `Cancelled` on the completing thread.

use std::ffi::c_void;
use std::sync::Arc;

use super::WaitSource;
use super::port::Port;
use super::waiter::{Outcome, Waiter};
use crate::Status;
use crate::sync::{AtomicBool, AtomicU32, Ordering, fence};

const UNCLAIMED: u32 = 0;
const BY_CALLER: u32 = 1;
const BY_PORT: u32 = 2;

/// An async completion callback: `callback(arg, status)`.
pub type Callback = unsafe extern "C" fn(arg: *mut c_void, status: i32);

/// One delivered completion, as the pull form of a port returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The `arg` the op was started with.
    pub arg: *mut c_void,
    /// How it ended.
    pub status: Status,
}

#[repr(C)]
pub(crate) struct OpInner {
    /// First field: a `*const Waiter` of an async waiter is a `*const OpInner`.
    waiter: Waiter,
    source: Arc<dyn WaitSource>,
    port: Option<Arc<Port>>,
    callback: Option<Callback>,
    arg: *mut c_void,
    /// Who took a grant the op holds: nobody yet, its caller (a cancel that lost), or a
    /// closing port. Decided once.
    grant_taker: AtomicU32,
    /// Whether a `cancel` call has started: only the first one answers (see `Op::cancel`).
    cancel_started: AtomicBool,
    /// Whether a thread blocks in `Op::wait` for it: its delivery then wakes the waiter's
    /// state word too.
    watched: AtomicBool,
}

// SAFETY: `arg` is the caller's opaque pointer, handed back untouched to the callback or
// the port's reader; the C API documents that it crosses threads.
unsafe impl Send for OpInner {}
unsafe impl Sync for OpInner {}

impl OpInner {
    pub(crate) fn new(
        waiter: Waiter,
        source: Arc<dyn WaitSource>,
        port: Option<Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Arc<OpInner> {
        Arc::new(OpInner {
            waiter,
            source,
            port,
            callback,
            arg,
            grant_taker: AtomicU32::new(UNCLAIMED),
            cancel_started: AtomicBool::new(false),
            watched: AtomicBool::new(false),
        })
    }

    /// A new strong reference to the op that `waiter` is the first field of.
    ///
    /// # Safety
    /// `waiter` must be the waiter of an `OpInner` inside a live `Arc`.
    pub(crate) unsafe fn arc_from_waiter(waiter: &Waiter) -> Arc<OpInner> {
        let op = waiter as *const Waiter as *const OpInner;
        // SAFETY: per the contract, `op` came from an `Arc<OpInner>` that is alive.
        unsafe {
            Arc::increment_strong_count(op);
            Arc::from_raw(op)
        }
    }

    pub(crate) fn delivered(&self) -> Delivered {
        Delivered {
            arg: self.arg,
            status: self.waiter.status(),
        }
    }

    /// Takes a grant for `who` unless someone already did; returns who holds it now.
    fn take_grant(&self, who: u32) -> u32 {
        match self
            .grant_taker
            .compare_exchange(UNCLAIMED, who, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => who,
            Err(holder) => holder,
        }
    }

    /// Tells the op's owner that the op completed. No internal lock may be held.
    ///
    /// A callback may release, which completes the next waiter, whose callback releases...
    /// To keep that chain off the stack, deliveries started while this thread is already
    /// delivering are queued and run by the outermost one, one after another.
    pub(crate) fn deliver(op: Arc<OpInner>) {
        #[cfg(not(loom))]
        {
            use std::cell::{Cell, RefCell};
            use std::collections::VecDeque;
            thread_local! {
                static DELIVERING: Cell<bool> = const { Cell::new(false) };
                static QUEUED: RefCell<VecDeque<Arc<OpInner>>> = const { RefCell::new(VecDeque::new()) };
            }
            if DELIVERING.with(|d| d.replace(true)) {
                QUEUED.with(|q| q.borrow_mut().push_back(op));
                return;
            }
            OpInner::deliver_now(op);
            while let Some(next) = QUEUED.with(|q| q.borrow_mut().pop_front()) {
                OpInner::deliver_now(next);
            }
            DELIVERING.with(|d| d.set(false));
        }
        #[cfg(loom)]
        OpInner::deliver_now(op);
    }

    pub(crate) fn deliver_now(op: Arc<OpInner>) {
        // Pairs with the fence in `Op::wait`: either it sees the decided state, or this
        // sees `watched` (the state was decided before this delivery began).
        fence(Ordering::SeqCst);
        let observed = op.watched.load(Ordering::Relaxed).then(|| op.clone());
        match op.port.clone() {
            Some(port) => {
                if let Err(op) = port.push(op) {
                    OpInner::deliver_undeliverable(op);
                }
            }
            None => op.call_back(),
        }
        // After the push: a woken observer finds the completion in the port.
        if let Some(op) = observed {
            op.waiter.wake_observers();
        }
    }

    /// The port is closed: give back any grant and report `Cancelled` to the callback.
    pub(crate) fn deliver_undeliverable(op: Arc<OpInner>) {
        // `grant_taker`: a `weft_op_cancel` that lost to the grant told its caller the
        // grant is theirs; then it is not ours to give back.
        if op.waiter.status() == Status::Ok
            && op.source.takes_back(&op.waiter.request)
            && op.take_grant(BY_PORT) == BY_PORT
        {
            op.source.give_back(&op.waiter.request, op.waiter.grant());
            op.waiter
                .overwrite_outcome(Outcome::Done(Status::Cancelled));
        }
        op.call_back();
    }

    /// Calls the callback, if there is one, with the op's final status.
    pub(crate) fn call_back(&self) {
        if let Some(callback) = self.callback {
            // SAFETY: the caller gave us this callback and promised it accepts `arg`.
            unsafe { callback(self.arg, self.waiter.status().code()) };
        }
    }
}

/// A started async operation that has not completed at once. Dropping it does not cancel
/// the operation: its completion still happens, exactly once.
pub struct Op(pub(crate) Arc<OpInner>);

impl Op {
    /// Cancels the op if it is still pending, and returns the status it ends with:
    /// `Cancelled` if this call won (the completion carrying `Cancelled` follows through
    /// the usual route), or the status that had already won (`Ok`: the grant is yours).
    /// Only the first call answers so: a later one (a timer and a user both cancelling)
    /// returns `Answered` and does nothing, so two cancellers never both believe they won
    /// or both own the grant.
    pub fn cancel(&self) -> Status {
        if self.0.cancel_started.swap(true, Ordering::AcqRel) {
            return Status::Answered;
        }
        match self.0.waiter.try_complete(Outcome::Done(Status::Cancelled)) {
            Some(completion) => {
                self.0.source.withdraw(&self.0.waiter);
                completion.fire_at_once();
                Status::Cancelled
            }
            None => match self.0.waiter.status() {
                // The grant won and is the caller's, unless a closing port took it back.
                Status::Ok if self.0.take_grant(BY_CALLER) == BY_PORT => Status::Cancelled,
                status => status,
            },
        }
    }

    /// Blocks the calling thread until the op completes or `deadline` passes, and returns
    /// its status (`Pending` when the deadline passed first). Cancels nothing, and takes
    /// nothing from the port: the completion is still delivered there (or to the callback)
    /// as usual. For a thread that started an op on a port it does not run and wants to
    /// block on it cheaply (a futex wait on the op itself, not a poll of the port's fd).
    pub fn wait(&self, deadline: super::Deadline) -> Status {
        let deadline = deadline.start();
        self.0.watched.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        self.0.waiter.wait_decided(deadline);
        self.status()
    }

    /// `Pending`, or the status the op completed with.
    pub fn status(&self) -> Status {
        self.0.waiter.status()
    }

    /// The value that came with the grant (a barrier arrival index...); 0 before.
    pub fn value(&self) -> u64 {
        if self.status() == Status::Ok {
            self.0.waiter.grant()
        } else {
            0
        }
    }

    /// The `arg` the op was started with.
    pub fn arg(&self) -> *mut c_void {
        self.0.arg
    }
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Op")
            .field("status", &self.status())
            .finish()
    }
}
