//! The lock-free lane a FIFO queue's items travel through: no lock between a producer
//! and a consumer running side by side, only the items' own cache lines.

#[cfg(loom)]
use std::collections::VecDeque;

#[cfg(not(loom))]
use crate::sync::Ordering;
use crate::sync::{Mutex, lock};

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
    pub(super) fn new(capacity: Option<usize>) -> Lane {
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
    pub(super) fn fit(&self, capacity: Option<usize>) {
        let fits = match (&self.ring, capacity) {
            (Some(ring), Some(capacity)) => capacity <= ring.capacity(),
            _ => false,
        };
        if !fits {
            self.grown.store(true, Ordering::Release);
        }
    }

    pub(super) fn push(&self, item: u64) {
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

    pub(super) fn pop(&self) -> Option<u64> {
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
    pub(super) fn new(_capacity: Option<usize>) -> Lane {
        Lane(Mutex::new(VecDeque::new()))
    }

    pub(super) fn fit(&self, _capacity: Option<usize>) {}

    pub(super) fn push(&self, item: u64) {
        lock(&self.0).push_back(item);
    }

    pub(super) fn pop(&self) -> Option<u64> {
        lock(&self.0).pop_front()
    }
}
