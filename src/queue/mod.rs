//! Queues of opaque items (C's `void *`): FIFO, LIFO or priority, bounded or not, shared
//! by threads (blocking), event loops (ports) and callbacks at once.
//!
//! While nobody waits, a put is "reserve a slot, push" and a get is "pop, count out":
//! producers and consumers never take a common lock. One concept per file:
//!
//! - `store.rs`: the ordering policy (FIFO, LIFO, priority);
//! - `items.rs`: where items live, pushed to and popped from by any thread without the
//!   queue's mutex (the FIFO front list for put-backs and peeks, the locked store);
//! - `lane.rs`: the lock-free lane a FIFO queue's items travel through;
//! - `room.rs`: the counters that say how many items may come in;
//! - `line.rs`: blocked putters and getters, the flags that send the fast paths to them,
//!   and the fast paths (the handshake that keeps them from stranding a waiter);
//! - `tasks.rs`: task counting for `task_done`/`join`, derived lazily from the counters;
//! - `faces.rs`: the public operations.
//!
//! Nothing is lost or delivered twice, and a FIFO queue keeps each producer's order for
//! each consumer (`tests/c/test_stress_queue.c` checks it).

mod faces;
mod items;
mod lane;
mod line;
mod room;
mod store;
mod tasks;

use crossbeam_utils::CachePadded;
use items::Items;
use room::Capacity;
pub use store::QueueKind;
use tasks::TaskBook;

use crate::Status;
use crate::sync::{AtomicU64, Mutex};
use crate::wait::WaitList;

/// Called once for every item a queue discards (clear, immediate shutdown, items still
/// inside when the queue goes), on the thread that discards it, with no lock held.
pub type Discard = Box<dyn Fn(u64) + Send + Sync>;

pub struct Queue {
    kind: QueueKind,
    items: Items,
    /// Who may be in line, and shutdown (see `line.rs`).
    state: CachePadded<AtomicU64>,
    capacity: Capacity,
    /// The line of blocked putters or getters; its mutex also orders flag changes.
    line: Mutex<WaitList>,
    /// What the task countdown has not been told yet, and the countdown.
    book: CachePadded<TaskBook>,
    discard: Option<Discard>,
}

impl Queue {
    /// A queue of the given kind holding at most `capacity` items (`None`: unbounded;
    /// `Some(0)` is `Invalid`). `discard` is called for every item the queue throws away.
    pub fn new(
        kind: QueueKind,
        capacity: Option<usize>,
        discard: Option<Discard>,
    ) -> Result<Queue, Status> {
        Ok(Queue {
            kind,
            items: Items::new(kind, capacity),
            state: CachePadded::new(AtomicU64::new(0)),
            capacity: Capacity::new(capacity)?,
            line: Mutex::new(WaitList::new()),
            book: CachePadded::new(TaskBook::new()?),
            discard,
        })
    }

    pub fn kind(&self) -> QueueKind {
        self.kind
    }

    /// Counts discarded items as finished tasks and hands each to the discard callback.
    fn discard_all(&self, items: Vec<u64>) {
        if items.is_empty() {
            return;
        }
        self.count_discarded(items.len() as u64);
        if let Some(discard) = &self.discard {
            for item in items {
                discard(item);
            }
        }
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        if let Some(discard) = &self.discard {
            for item in self.items.drain() {
                discard(item);
            }
        }
    }
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("kind", &self.kind)
            .field("len", &self.len())
            .finish()
    }
}
