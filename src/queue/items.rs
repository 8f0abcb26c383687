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

/// The lock-free lane of a FIFO queue. A bounded queue starts on a fixed ring (crossbeam's
/// `ArrayQueue`: no allocation per item, and a producer and a consumer share only the
/// slots' cache lines); an unbounded one, or one grown past its ring, uses a segmented
/// queue (`SegQueue`, which allocates a block per 31 items: a block freed by the consumer
/// and allocated by the producer is a round trip through the allocator's locks).
///
/// Growing past the ring switches new pushes to the segmented queue for good. A put that
/// read "not grown" just before the switch may still push into the ring afterwards (the
/// ring stays allocated until the queue goes), so from the switch on, pops are serialized
/// by a lock and take the ring first: a producer's ring items all precede its segment
/// items, and a segment item taken just before a late ring item showed up is held back
/// (in the lock) behind it. Queues that never grow past their ring never take that lock.
#[cfg(not(loom))]
pub(crate) struct Lane {
    ring: Option<crossbeam_queue::ArrayQueue<u64>>,
    segments: crossbeam_queue::SegQueue<u64>,
    grown: std::sync::atomic::AtomicBool,
    /// Serializes pops once grown; holds a segment item that must wait for the ring.
    mixed: Mutex<Option<u64>>,
}

/// The largest capacity that gets a preallocated ring (16 bytes a slot).
#[cfg(not(loom))]
const RING_MAX: usize = 1 << 16;

#[cfg(not(loom))]
impl Lane {
    fn new(capacity: Option<usize>) -> Lane {
        let ring = capacity
            .filter(|&c| c <= RING_MAX)
            .map(crossbeam_queue::ArrayQueue::new);
        Lane {
            grown: std::sync::atomic::AtomicBool::new(ring.is_none()),
            ring,
            segments: crossbeam_queue::SegQueue::new(),
            mixed: Mutex::new(None),
        }
    }

    /// The capacity may grow to `capacity`: leave the ring if it is too small.
    fn fit(&self, capacity: Option<usize>) {
        let fits = match (&self.ring, capacity) {
            (Some(ring), Some(capacity)) => capacity <= ring.capacity(),
            _ => false,
        };
        if !fits {
            self.grown.store(true, Ordering::Release);
        }
    }

    fn push(&self, item: u64) {
        if let Some(ring) = &self.ring
            && !self.grown.load(Ordering::Acquire)
        {
            // The queue's room accounting never lets more items in than the ring holds
            // while it is in use, so this cannot fail; if it ever did, the item goes on.
            match ring.push(item) {
                Ok(()) => return,
                Err(item) => return self.segments.push(item),
            }
        }
        self.segments.push(item);
    }

    fn pop(&self) -> Option<u64> {
        let Some(ring) = &self.ring else {
            return self.segments.pop();
        };
        if !self.grown.load(Ordering::Acquire) {
            if let Some(item) = ring.pop() {
                return Some(item);
            }
            // Nothing in the ring, and nothing anywhere else unless it grew meanwhile (a
            // get that missed that retries under the queue's mutex, which orders the two).
            if !self.grown.load(Ordering::Acquire) {
                return None;
            }
        }
        let mut held = lock(&self.mixed);
        if let Some(item) = ring.pop() {
            return Some(item);
        }
        let next = held.take().or_else(|| self.segments.pop())?;
        // A put that chose the ring before the switch may have landed since we looked;
        // its producer's later items (`next` may be one) come after it.
        if let Some(late) = ring.pop() {
            *held = Some(next);
            return Some(late);
        }
        Some(next)
    }
}

/// Under loom, which cannot look inside crossbeam, a locked deque with the same contract.
#[cfg(loom)]
pub(crate) struct Lane(Mutex<VecDeque<u64>>);

#[cfg(loom)]
impl Lane {
    fn new(_capacity: Option<usize>) -> Lane {
        Lane(Mutex::new(VecDeque::new()))
    }

    fn fit(&self, _capacity: Option<usize>) {}

    fn push(&self, item: u64) {
        lock(&self.0).push_back(item);
    }

    fn pop(&self) -> Option<u64> {
        lock(&self.0).pop_front()
    }
}
