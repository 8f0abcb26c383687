//! The port: one event loop's completion queue, with a pollable fd.
//!
//! Invariant, kept under the port's mutex: the fd is readable exactly while the queue is
//! not empty. The first completion into an empty queue raises the fd; the take that
//! empties the queue clears it. So a burst of completions costs one fd wakeup, a loop
//! watching the fd level-triggered never misses one, and a take that stops early at its
//! `max` leaves the fd readable. Raising and clearing under the mutex costs one syscall
//! per burst and rules out every interleaving in which the fd and the queue disagree.
//!
//! A loop with a wake-up of its own (`uv_async_send`, `g_main_context_wakeup`) sets a
//! [`Notify`] hook instead: then the fd stays unreadable and the push that makes the queue
//! non-empty calls the hook, after the mutex is dropped (the hook may take the loop's own
//! locks). The loop still never misses a completion: the hook runs after the push is
//! visible, at least once per empty → non-empty transition, and a take that stops early
//! leaves the queue non-empty, which the loop (not a new hook call) must come back to. A
//! hook call may find the queue already emptied by a take that raced it: a spurious wake.

use std::collections::VecDeque;
use std::ffi::c_void;
use std::io;
use std::sync::Arc;

use super::Deadline;
use super::op::{Delivered, OpInner};
use super::signal::Signal;
use crate::Status;
use crate::sync::{AtomicU64, Mutex, Ordering, lock};

/// How many completions a take moves out of the mutex at once.
const BATCH: usize = 32;

/// A loop's own wake-up: `call(ctx)`, called instead of raising the fd (see the module
/// comment). It must be cheap and callable from any thread.
#[derive(Clone, Copy, Debug)]
pub struct Notify {
    /// The wake-up.
    pub call: unsafe extern "C" fn(ctx: *mut c_void),
    /// Its argument.
    pub ctx: *mut c_void,
}

// SAFETY: `ctx` is the caller's opaque pointer, passed back untouched to `call` on whatever
// thread completes an op; the C API documents that the hook is called from any thread.
unsafe impl Send for Notify {}
unsafe impl Sync for Notify {}

pub struct Port {
    queue: Mutex<Ready>,
    signal: Signal,
    /// Hook calls running now, outside the mutex. Counted up under the mutex by the push
    /// that copied the hook, down once the call returned: `set_notify` and `close` wait for
    /// zero, so after they return no call of a replaced hook is still running (its `ctx`
    /// may be freed).
    notifying: AtomicU64,
    /// The process generation it was made in (see `fork`).
    generation: u64,
}

struct Ready {
    ops: VecDeque<Arc<OpInner>>,
    closed: bool,
    notify: Option<Notify>,
}

impl Port {
    /// A new port with its own eventfd (or pipe).
    pub fn new() -> io::Result<Arc<Port>> {
        Ok(Arc::new(Port {
            queue: Mutex::new(Ready {
                ops: VecDeque::new(),
                closed: false,
                notify: None,
            }),
            signal: Signal::new()?,
            notifying: AtomicU64::new(0),
            generation: super::fork::generation(),
        }))
    }

    /// Whether this port was made before a `fork()` and this is the child: its fd is the
    /// parent's too, so the child must not use it (the C ABI answers `WEFT_CLOSED`).
    pub fn is_inherited(&self) -> bool {
        self.generation != super::fork::generation()
    }

    /// The fd to watch for readability (level-triggered). Owned by the port: do not close.
    pub fn fd(&self) -> i32 {
        self.signal.fd()
    }

    /// How many completions wait to be taken.
    pub fn pending(&self) -> usize {
        lock(&self.queue).ops.len()
    }

    /// Queues a completion; gives it back if the port is closed. The push into an empty
    /// queue raises the fd, or calls the notify hook once the mutex is dropped.
    pub(crate) fn push(&self, op: Arc<OpInner>) -> Result<(), Arc<OpInner>> {
        let notify = {
            let mut ready = lock(&self.queue);
            // A fork child's copy of a port is closed for it: raising the shared fd or
            // calling the hook would wake the parent's loop for a completion it never gets.
            if ready.closed || self.is_inherited() {
                return Err(op);
            }
            let was_empty = ready.ops.is_empty();
            ready.ops.push_back(op);
            match ready.notify {
                Some(notify) if was_empty => {
                    self.notifying.fetch_add(1, Ordering::Relaxed);
                    notify
                }
                None if was_empty => {
                    self.signal.raise();
                    return Ok(());
                }
                _ => return Ok(()),
            }
        };
        self.call_notify(notify);
        Ok(())
    }

    /// Calls a hook copied (and counted in `notifying`) under the mutex.
    fn call_notify(&self, notify: Notify) {
        // SAFETY: the user set this hook with this `ctx` and promised it may be called from
        // any thread until `set_notify` or `close` has returned, which waits for this call.
        unsafe { (notify.call)(notify.ctx) };
        self.notifying.fetch_sub(1, Ordering::Release);
    }

    /// Waits until no hook call that started before is still running.
    fn wait_for_notify_calls(&self) {
        while self.notifying.load(Ordering::Acquire) != 0 {
            #[cfg(loom)]
            loom::thread::yield_now();
            #[cfg(not(loom))]
            std::thread::yield_now();
        }
    }

    /// Sets (`Some`) or removes (`None`) the notify hook; see the module comment. A hook
    /// set while completions are queued is called once, here; removing the hook while
    /// completions are queued raises the fd, so each way the loop learns of them. Returns
    /// once no call of the previous hook is running. Must not be called from a hook.
    pub fn set_notify(&self, notify: Option<Notify>) {
        let call_now = {
            let mut ready = lock(&self.queue);
            let queued = !ready.ops.is_empty();
            match (ready.notify, notify) {
                (None, Some(_)) if queued => self.signal.clear(),
                (Some(_), None) if queued => self.signal.raise(),
                _ => {}
            }
            ready.notify = notify;
            match notify {
                Some(notify) if queued && !ready.closed => {
                    self.notifying.fetch_add(1, Ordering::Relaxed);
                    Some(notify)
                }
                _ => None,
            }
        };
        if let Some(notify) = call_now {
            self.call_notify(notify);
        }
        self.wait_for_notify_calls();
    }

    /// Whether a notify hook stands in for the fd.
    pub fn has_notify(&self) -> bool {
        lock(&self.queue).notify.is_some()
    }

    /// Takes up to `max` completions, handing each to `each` outside the mutex.
    fn take(&self, max: usize, mut each: impl FnMut(Arc<OpInner>)) -> usize {
        let mut taken = 0;
        while taken < max {
            let mut batch: [Option<Arc<OpInner>>; BATCH] = [const { None }; BATCH];
            let mut n = 0;
            {
                let mut ready = lock(&self.queue);
                while n < BATCH && taken + n < max {
                    match ready.ops.pop_front() {
                        Some(op) => {
                            batch[n] = Some(op);
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n > 0 && ready.ops.is_empty() && ready.notify.is_none() {
                    self.signal.clear();
                }
            }
            taken += n;
            batch
                .iter_mut()
                .filter_map(Option::take)
                .for_each(&mut each);
            if n < BATCH {
                break;
            }
        }
        taken
    }

    /// Pull form: fills `out` with completions, calls nothing, returns how many.
    pub fn poll(&self, out: &mut [Delivered]) -> usize {
        let mut i = 0;
        self.take(out.len(), |op| {
            out[i] = op.delivered();
            i += 1;
        })
    }

    /// Run form: calls the callbacks of up to `max` completions on this thread; a
    /// completion without a callback is consumed (its op still reports its status).
    pub fn run(&self, max: usize) -> usize {
        self.take(max, |op| op.call_back())
    }

    /// Blocks until a completion is pending or the deadline passes. `Invalid` if none is
    /// pending while a notify hook is set: the fd this sleeps on is not raised then.
    pub fn wait(&self, deadline: Deadline) -> Status {
        let deadline = deadline.start();
        loop {
            {
                let ready = lock(&self.queue);
                if !ready.ops.is_empty() {
                    return Status::Ok;
                }
                if ready.notify.is_some() {
                    return Status::Invalid;
                }
            }
            if !self.signal.wait_readable(deadline) && deadline.has_passed() {
                return Status::Timeout;
            }
        }
    }

    /// Closes the port (its last user reference is gone): later completions are not
    /// queued, and queued ones are handed back (grants passed on, callbacks told
    /// `Cancelled`), so nothing granted is lost with the port. Returns once no notify hook
    /// call is running (none starts after it).
    pub fn close(&self) {
        let stranded: Vec<Arc<OpInner>> = {
            let mut ready = lock(&self.queue);
            ready.closed = true;
            // An inherited fd is the parent's too: reading it would take its wake-up.
            if !ready.ops.is_empty() && ready.notify.is_none() && !self.is_inherited() {
                self.signal.clear();
            }
            ready.ops.drain(..).collect()
        };
        self.wait_for_notify_calls();
        stranded
            .into_iter()
            .for_each(OpInner::deliver_undeliverable);
    }

    /// Whether the fd is raised; only the loom models need to look.
    #[cfg(loom)]
    pub fn fd_readable(&self) -> bool {
        self.signal.wait_readable(Deadline::Never)
    }
}
