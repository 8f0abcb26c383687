//! Room: how many items a queue may take in, counted without the mutex by two counters that
//! only one side writes each: `pushed` (slots reserved by putters; a put reserves before it
//! pushes) and `popped` (items taken out). The size is `pushed - popped`; a put reserves a
//! slot only while that is below the capacity.

use crossbeam_utils::CachePadded;

use crate::Status;
use crate::sync::{AtomicU64, Ordering};

/// `capacity` of an unbounded queue.
const UNBOUNDED: u64 = u64::MAX;

pub(super) struct Room {
    /// Slots reserved by putters (written by putters only).
    pushed: CachePadded<AtomicU64>,
    /// The last `popped` a putter read, kept on the putters' side: a put reads `popped`
    /// (a cache line the getters keep writing) only when this view says "full".
    popped_seen: CachePadded<AtomicU64>,
    /// Items taken out (written by getters only).
    popped: CachePadded<AtomicU64>,
    capacity: AtomicU64,
}

impl Room {
    /// Room for `capacity` items (`None`: unbounded; `Some(0)` is `Invalid`).
    pub(super) fn new(capacity: Option<usize>) -> Result<Room, Status> {
        Ok(Room {
            pushed: CachePadded::new(AtomicU64::new(0)),
            popped_seen: CachePadded::new(AtomicU64::new(0)),
            popped: CachePadded::new(AtomicU64::new(0)),
            capacity: AtomicU64::new(capacity_of(capacity)?),
        })
    }

    /// Reserves up to `want` slots; returns how many it got.
    pub(super) fn reserve(&self, want: u64) -> u64 {
        // Acquire: a capacity grown past a FIFO ring comes after the lane's switch away
        // from the ring (`Items::fit`), and a reservation under it must see the switch.
        let capacity = self.capacity.load(Ordering::Acquire);
        if capacity == UNBOUNDED {
            self.pushed.fetch_add(want, Ordering::Relaxed);
            return want;
        }
        let mut pushed = self.pushed.load(Ordering::Relaxed);
        loop {
            let room = |popped: u64| capacity.saturating_sub(pushed.saturating_sub(popped));
            let mut take = room(self.popped_seen.load(Ordering::Relaxed)).min(want);
            if take < want {
                let popped = self.popped.load(Ordering::SeqCst);
                self.popped_seen.fetch_max(popped, Ordering::Relaxed);
                take = room(popped).min(want);
            }
            if take == 0 {
                return 0;
            }
            match self.pushed.compare_exchange_weak(
                pushed,
                pushed + take,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return take,
                Err(actual) => pushed = actual,
            }
        }
    }

    /// Takes one slot beyond the capacity (an item that was inside comes back).
    pub(super) fn reserve_beyond_capacity(&self) {
        self.pushed.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts `n` items out (a SeqCst read-modify-write: the getter's half of the
    /// handshake with a joining putter, see the module comment of `queue`).
    pub(super) fn count_out(&self, n: u64) {
        self.popped.fetch_add(n, Ordering::SeqCst);
    }

    /// Every slot ever reserved (SeqCst: see `Queue::accepted`).
    pub(super) fn reserved(&self) -> u64 {
        self.pushed.load(Ordering::SeqCst)
    }

    /// Whether a reserved slot has not been counted out yet (a put may still be pushing).
    pub(super) fn reserved_not_taken(&self) -> bool {
        self.pushed.load(Ordering::SeqCst) > self.popped.load(Ordering::SeqCst)
    }

    /// Free slots now, as a spinning putter sees them (a plain read).
    pub(super) fn hint(&self) -> u64 {
        let capacity = self.capacity.load(Ordering::Relaxed);
        capacity.saturating_sub(self.len())
    }

    /// How much room a spinning putter waits for before it tries again.
    pub(super) fn spin_room(&self) -> u64 {
        (self.capacity.load(Ordering::Relaxed) / 8).clamp(1, 32)
    }

    /// Items inside now (a snapshot; puts in progress may be counted).
    pub(super) fn len(&self) -> u64 {
        let popped = self.popped.load(Ordering::Relaxed);
        self.pushed.load(Ordering::Relaxed).saturating_sub(popped)
    }

    /// The capacity, or `None` when unbounded.
    pub(super) fn capacity(&self) -> Option<usize> {
        let capacity = self.capacity.load(Ordering::Relaxed);
        (capacity != UNBOUNDED).then_some(capacity as usize)
    }

    /// Changes the capacity (as [`capacity_of`] gives it); the caller makes the items fit
    /// it first.
    pub(super) fn set_capacity(&self, capacity: u64) {
        self.capacity.store(capacity, Ordering::SeqCst);
    }
}

/// `capacity` as stored (`UNBOUNDED` for `None`); zero is `Invalid`.
pub(super) fn capacity_of(capacity: Option<usize>) -> Result<u64, Status> {
    match capacity {
        None => Ok(UNBOUNDED),
        Some(0) => Err(Status::Invalid),
        Some(n) => Ok(n as u64),
    }
}
