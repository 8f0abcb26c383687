//! Where a queue's items live: storage any thread may push to and pop from without the
//! queue's mutex. Capacity, waiting and task counting are the queue's business, not this
//! file's.
//!
//! - FIFO is lock-free: a fixed ring for bounded queues, a segmented queue otherwise (see
//!   [`Lane`]), so a producer and a consumer running side by side share no lock, only the
//!   items' own cache lines. Two
//!   things it cannot do are served by a small *front* list consulted before it: putting
//!   an item back in front (a got item whose port was closed) and peeking (the peeked
//!   item moves to the front list, so that it stays the next one out). A peek that races
//!   with concurrent gets may let one of them take the item behind the peeked one first.
//! - LIFO and priority keep their ordering [`Store`] behind its own short lock.

use std::collections::VecDeque;

use super::lane::Lane;
use super::store::{QueueKind, Store};
use crate::sync::{AtomicU64, Mutex, Ordering, lock};

// The FIFO variant is the large one (a lock-free queue's two padded ends), and the one
// that matters: boxing it would add a pointer hop to every put and get.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Items {
    Fifo {
        lane: Lane,
        front: Mutex<VecDeque<u64>>,
        /// `front.len()`, readable without its lock: pops look at the front list only
        /// when this is nonzero.
        front_len: AtomicU64,
    },
    Locked(Mutex<Store>),
}

impl Items {
    /// Storage for a queue of `kind` whose capacity starts at `capacity` (`None`:
    /// unbounded).
    pub(crate) fn new(kind: QueueKind, capacity: Option<usize>) -> Items {
        match kind {
            QueueKind::Fifo => Items::Fifo {
                lane: Lane::new(capacity),
                front: Mutex::new(VecDeque::new()),
                front_len: AtomicU64::new(0),
            },
            kind => Items::Locked(Mutex::new(Store::new(kind))),
        }
    }

    /// The queue's capacity is about to become `capacity` (`None`: unbounded).
    pub(crate) fn fit(&self, capacity: Option<usize>) {
        if let Items::Fifo { lane, .. } = self {
            lane.fit(capacity);
        }
    }

    /// Adds an item as a put does.
    pub(crate) fn push(&self, item: u64, priority: i64) {
        match self {
            Items::Fifo { lane, .. } => lane.push(item),
            Items::Locked(store) => lock(store).push(item, priority),
        }
    }

    /// Whether `push` itself orders it before the caller's later SeqCst loads (see
    /// `Queue::after_push`): true for the FIFO lane, whose push is a SeqCst
    /// read-modify-write of its tail that pops honour; not under loom (a locked deque).
    pub(crate) fn push_orders_later_loads(&self) -> bool {
        cfg!(not(loom)) && matches!(self, Items::Fifo { .. })
    }

    /// Takes the next item, if one is visible.
    pub(crate) fn pop(&self) -> Option<u64> {
        match self {
            Items::Fifo {
                lane,
                front,
                front_len,
            } => {
                if front_len.load(Ordering::Acquire) > 0 {
                    let mut front = lock(front);
                    if let Some(item) = front.pop_front() {
                        front_len.store(front.len() as u64, Ordering::Release);
                        return Some(item);
                    }
                }
                lane.pop()
            }
            Items::Locked(store) => lock(store).pop(),
        }
    }

    /// Puts an item back where the next pop takes it.
    pub(crate) fn push_next(&self, item: u64) {
        match self {
            Items::Fifo {
                front, front_len, ..
            } => {
                let mut front = lock(front);
                front.push_front(item);
                front_len.store(front.len() as u64, Ordering::Release);
            }
            Items::Locked(store) => lock(store).push_next(item),
        }
    }

    /// The item the next pop would take, if one is visible.
    pub(crate) fn peek(&self) -> Option<u64> {
        match self {
            Items::Fifo {
                lane,
                front,
                front_len,
            } => {
                let mut front = lock(front);
                if front.is_empty() {
                    front.push_back(lane.pop()?);
                    front_len.store(front.len() as u64, Ordering::Release);
                }
                front.front().copied()
            }
            Items::Locked(store) => lock(store).peek(),
        }
    }

    /// Takes every visible item, in pop order.
    pub(crate) fn drain(&self) -> Vec<u64> {
        let mut all = Vec::new();
        while let Some(item) = self.pop() {
            all.push(item);
        }
        all
    }
}
