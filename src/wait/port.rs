//! The port: one event loop's completion queue, with a pollable fd.
//!
//! Invariant, kept under the port's mutex: the fd is readable exactly while the queue is
//! not empty. The first completion into an empty queue raises the fd; the take that
//! empties the queue clears it. So a burst of completions costs one fd wakeup, a loop
//! watching the fd level-triggered never misses one, and a take that stops early at its
//! `max` leaves the fd readable. Raising and clearing under the mutex costs one syscall
//! per burst and rules out every interleaving in which the fd and the queue disagree.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;

use super::Deadline;
use super::op::{Delivered, OpInner};
use super::signal::Signal;
use crate::Status;
use crate::sync::{Mutex, lock};

/// How many completions a take moves out of the mutex at once.
const BATCH: usize = 32;

pub struct Port {
    queue: Mutex<Ready>,
    signal: Signal,
    /// The process generation it was made in (see `fork`).
    generation: u64,
}

struct Ready {
    ops: VecDeque<Arc<OpInner>>,
    closed: bool,
}

impl Port {
    /// A new port with its own eventfd (or pipe).
    pub fn new() -> io::Result<Arc<Port>> {
        Ok(Arc::new(Port {
            queue: Mutex::new(Ready {
                ops: VecDeque::new(),
                closed: false,
            }),
            signal: Signal::new()?,
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

    /// Queues a completion; gives it back if the port is closed.
    pub(crate) fn push(&self, op: Arc<OpInner>) -> Result<(), Arc<OpInner>> {
        let mut ready = lock(&self.queue);
        // A fork child's copy of a port is closed for it: raising the shared fd would wake
        // the parent's loop for a completion it never gets.
        if ready.closed || self.is_inherited() {
            return Err(op);
        }
        if ready.ops.is_empty() {
            self.signal.raise();
        }
        ready.ops.push_back(op);
        Ok(())
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
                if n > 0 && ready.ops.is_empty() {
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

    /// Blocks until a completion is pending or the deadline passes.
    pub fn wait(&self, deadline: Deadline) -> Status {
        let deadline = deadline.start();
        loop {
            if self.pending() > 0 {
                return Status::Ok;
            }
            if !self.signal.wait_readable(deadline) && deadline.has_passed() {
                return Status::Timeout;
            }
        }
    }

    /// Closes the port (its last user reference is gone): later completions are not
    /// queued, and queued ones are handed back (grants passed on, callbacks told
    /// `Cancelled`), so nothing granted is lost with the port.
    pub fn close(&self) {
        let stranded: Vec<Arc<OpInner>> = {
            let mut ready = lock(&self.queue);
            ready.closed = true;
            // An inherited fd is the parent's too: reading it would take its wake-up.
            if !ready.ops.is_empty() && !self.is_inherited() {
                self.signal.clear();
            }
            ready.ops.drain(..).collect()
        };
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
