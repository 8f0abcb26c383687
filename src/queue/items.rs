//! Where a queue's items live: storage any thread may push to and pop from without the
//! queue's mutex, each push checked against the capacity and each pop counted out (the
//! counters are the storage's own: see `room.rs`). Waiting and task counting are the
//! queue's business, not this file's.
//!
//! - FIFO items travel through a lock-free [`Lane`], so a producer and a consumer running
//!   side by side share no lock, only the items' own cache lines. Two things a lane cannot
//!   do are served by a small *front* list consulted before it: putting an item back in
//!   front (a got item whose port was closed) and peeking (the peeked item moves to the
//!   front list, so that it stays the next one out). A peek that races with concurrent
//!   gets may let one of them take the item behind the peeked one first.
//! - LIFO and priority keep their ordering [`Store`] behind its own short lock, with
//!   [`Counters`] beside it.

use std::collections::VecDeque;

use super::lane::Lane;
use super::room::{Counters, UNBOUNDED};
use super::store::{QueueKind, Store};
use crate::sync::{AtomicU64, Mutex, Ordering, lock};

// The FIFO variant is the large one (a lane's padded ends), and the one that matters:
// boxing it would add a pointer hop to every put and get.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Items {
    Fifo {
        lane: Lane,
        front: Mutex<VecDeque<u64>>,
        /// `front.len()`, readable without its lock: pops look at the front list only
        /// when this is nonzero, and pushes count it in the size. Changed by SeqCst
        /// read-modify-writes (a get's half of its handshake with a joining putter).
        front_len: AtomicU64,
    },
    Locked {
        store: Mutex<Store>,
        counters: Counters,
        /// Items put back in front (each took a slot again without being a new put);
        /// moved before `counters` takes the slot, so whoever sees the slot sees it.
        put_backs: AtomicU64,
    },
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
            kind => Items::Locked {
                store: Mutex::new(Store::new(kind)),
                counters: Counters::new(),
                put_backs: AtomicU64::new(0),
            },
        }
    }

    /// Adds an item as a put does if fewer than `capacity` items are inside.
    pub(crate) fn push(&self, item: u64, priority: i64, capacity: u64) -> bool {
        match self {
            Items::Fifo {
                lane, front_len, ..
            } => lane.push(item, || Self::lane_limit(capacity, front_len)),
            Items::Locked {
                store, counters, ..
            } => {
                if counters.reserve(capacity, 1) == 0 {
                    return false;
                }
                lock(store).push(item, priority);
                true
            }
        }
    }

    /// Adds a prefix of `items` (priorities from `priority`) that fits under `capacity`;
    /// returns its length.
    pub(crate) fn push_many(
        &self,
        items: &[u64],
        priority: impl Fn(usize) -> i64,
        capacity: u64,
    ) -> usize {
        match self {
            Items::Fifo {
                lane, front_len, ..
            } => {
                let limit = || Self::lane_limit(capacity, front_len);
                items
                    .iter()
                    .take_while(|&&item| lane.push(item, limit))
                    .count()
            }
            Items::Locked {
                store, counters, ..
            } => {
                let room = counters.reserve(capacity, items.len() as u64) as usize;
                if room > 0 {
                    let mut store = lock(store);
                    for (i, &item) in items[..room].iter().enumerate() {
                        store.push(item, priority(i));
                    }
                }
                room
            }
        }
    }

    /// How many items the lane may hold: the capacity less the front list (read after the
    /// lane's head: see `PoppedView::room`).
    fn lane_limit(capacity: u64, front_len: &AtomicU64) -> u64 {
        if capacity == UNBOUNDED {
            return UNBOUNDED;
        }
        capacity.saturating_sub(front_len.load(Ordering::SeqCst))
    }

    /// Whether `push` itself orders it before the caller's later SeqCst loads (see
    /// `Queue::after_push`): true for the FIFO lane, whose push is a SeqCst
    /// read-modify-write of its tail that pops honour; not under loom (which models SeqCst
    /// accesses as acquire/release only), nor for a locked store.
    pub(crate) fn push_orders_later_loads(&self) -> bool {
        cfg!(not(loom)) && matches!(self, Items::Fifo { .. })
    }

    /// Takes the next item, if one is visible, and counts it out (a SeqCst
    /// read-modify-write: the getter's half of its handshake with a joining putter).
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
                        front_len.fetch_sub(1, Ordering::SeqCst);
                        return Some(item);
                    }
                }
                lane.pop()
            }
            Items::Locked {
                store, counters, ..
            } => {
                let item = lock(store).pop()?;
                counters.count_out();
                Some(item)
            }
        }
    }

    /// Puts an item that was inside back where the next pop takes it, beyond the capacity.
    pub(crate) fn put_back(&self, item: u64) {
        match self {
            Items::Fifo {
                front, front_len, ..
            } => {
                let mut front = lock(front);
                front.push_front(item);
                front_len.fetch_add(1, Ordering::SeqCst);
            }
            Items::Locked {
                store,
                counters,
                put_backs,
            } => {
                put_backs.fetch_add(1, Ordering::SeqCst);
                counters.reserve_beyond_capacity();
                lock(store).push_next(item);
            }
        }
    }

    /// The item the next pop would take, if one is visible. A FIFO peek moves the item
    /// from the lane to the front list; while it does, the size may read one too high,
    /// so the caller lets putters in afterwards (`Queue::after_pop`).
    pub(crate) fn peek(&self) -> Option<u64> {
        match self {
            Items::Fifo {
                lane,
                front,
                front_len,
            } => {
                let mut front = lock(front);
                if front.is_empty() {
                    // Counted in front before it leaves the lane (pushers read the lane's
                    // head first, then this): the size never reads one too low, which
                    // could let a put in beyond the capacity.
                    front_len.fetch_add(1, Ordering::SeqCst);
                    match lane.pop() {
                        Some(item) => front.push_back(item),
                        None => {
                            front_len.fetch_sub(1, Ordering::SeqCst);
                            return None;
                        }
                    }
                }
                front.front().copied()
            }
            Items::Locked { store, .. } => lock(store).peek(),
        }
    }

    /// Takes every visible item, in pop order.
    pub(crate) fn drain(&self) -> Vec<u64> {
        std::iter::from_fn(|| self.pop()).collect()
    }

    /// Items inside now (a snapshot; puts in progress may be counted).
    pub(crate) fn len(&self) -> u64 {
        match self {
            Items::Fifo {
                lane, front_len, ..
            } => lane.len() + front_len.load(Ordering::Relaxed),
            Items::Locked { counters, .. } => counters.len(),
        }
    }

    /// Items ever pushed by puts (put-backs not counted); never more than the true number.
    pub(crate) fn pushed(&self) -> u64 {
        match self {
            Items::Fifo { lane, .. } => lane.pushed(),
            Items::Locked {
                counters,
                put_backs,
                ..
            } => {
                // `pushed` first: a put-back seen there is seen in `put_backs` too.
                let reserved = counters.reserved();
                reserved - put_backs.load(Ordering::SeqCst)
            }
        }
    }

    /// Whether a push has room taken for an item that has not been popped yet (it may
    /// still be on its way in).
    pub(crate) fn has_unpopped(&self) -> bool {
        match self {
            Items::Fifo { lane, .. } => lane.pushed() > lane.popped(),
            Items::Locked { counters, .. } => counters.reserved_not_taken(),
        }
    }
}
