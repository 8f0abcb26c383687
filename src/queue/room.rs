//! Room: how many items a queue may take in. The capacity, and the counting that checks it
//! without the mutex: a counter of items pushed (written by pushers) and one of items
//! popped (written by poppers); the size is their difference, and a push goes in only
//! while that is below the capacity. Pushers keep their own view of the poppers' counter
//! and read the real one (a cache line the poppers keep writing) only when the view says
//! "full".
//!
//! A FIFO queue's counters are its lane's two ends (`lane.rs`); LIFO and priority queues
//! count beside their locked store ([`Counters`]).

use crossbeam_utils::CachePadded;

use crate::Status;
use crate::sync::{AtomicU64, Ordering};

/// The capacity of an unbounded queue.
pub(super) const UNBOUNDED: u64 = u64::MAX;

/// `capacity` as stored (`UNBOUNDED` for `None`); zero is `Invalid`.
pub(super) fn capacity_of(capacity: Option<usize>) -> Result<u64, Status> {
    match capacity {
        None => Ok(UNBOUNDED),
        Some(0) => Err(Status::Invalid),
        Some(n) => Ok(n as u64),
    }
}

/// The most items a queue holds (`UNBOUNDED`: no limit); changed at run time, under the
/// queue's mutex.
pub(super) struct Capacity(AtomicU64);

impl Capacity {
    pub(super) fn new(capacity: Option<usize>) -> Result<Capacity, Status> {
        Ok(Capacity(AtomicU64::new(capacity_of(capacity)?)))
    }

    pub(super) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Changes the capacity (as [`capacity_of`] gives it).
    pub(super) fn set(&self, capacity: u64) {
        self.0.store(capacity, Ordering::SeqCst);
    }

    /// The capacity, or `None` when unbounded.
    pub(super) fn limit(&self) -> Option<usize> {
        let capacity = self.get();
        (capacity != UNBOUNDED).then_some(capacity as usize)
    }

    /// How much room a spinning putter waits for before it tries again: a producer
    /// outrunning its consumer then fills several slots per look at the consumers' counter
    /// instead of taking each slot as it frees (a cache-line transfer each).
    pub(super) fn spin_room(&self) -> u64 {
        (self.get() / 8).clamp(1, 32)
    }
}

/// A pusher-side view of the poppers' counter.
pub(super) struct PoppedView(CachePadded<AtomicU64>);

impl PoppedView {
    pub(super) fn new() -> PoppedView {
        PoppedView(CachePadded::new(AtomicU64::new(0)))
    }

    /// Up to `want` free slots for a pusher that has seen `pushed` items pushed, with at
    /// most `limit()` inside (`UNBOUNDED`: no limit). Reads `popped` (SeqCst: the putter's
    /// half of its handshake with a get, see `line.rs`) only when the view says there are
    /// fewer than `want`.
    ///
    /// `limit()` is read after `popped`, or after the read of `popped` the view came from
    /// (the view is written with release and read with acquire): a limit that shrinks
    /// before `popped` grows (an item moved from the lane to the front list by a peek:
    /// `Items::peek`) is then never missed while the growth is seen.
    pub(super) fn room(
        &self,
        pushed: u64,
        want: u64,
        popped: &AtomicU64,
        limit: impl Fn() -> u64,
    ) -> u64 {
        let room = |popped: u64| {
            let limit = limit();
            if limit == UNBOUNDED {
                return want;
            }
            limit.saturating_sub(pushed.saturating_sub(popped))
        };
        if room(self.0.load(Ordering::Acquire)) >= want {
            return want;
        }
        let popped = popped.load(Ordering::SeqCst);
        self.0.fetch_max(popped, Ordering::AcqRel);
        room(popped).min(want)
    }
}

/// The counters of a locked store: a put reserves a slot (moves `pushed`) before it
/// pushes, a get counts its item out (moves `popped`) after it pops.
pub(super) struct Counters {
    /// Slots reserved by putters (written by putters only).
    pushed: CachePadded<AtomicU64>,
    view: PoppedView,
    /// Items taken out (written by getters only).
    popped: CachePadded<AtomicU64>,
}

impl Counters {
    pub(super) fn new() -> Counters {
        Counters {
            pushed: CachePadded::new(AtomicU64::new(0)),
            view: PoppedView::new(),
            popped: CachePadded::new(AtomicU64::new(0)),
        }
    }

    /// Reserves up to `want` slots under `capacity`; returns how many it got.
    pub(super) fn reserve(&self, capacity: u64, want: u64) -> u64 {
        if capacity == UNBOUNDED {
            // No putter waits for room: no handshake to take part in.
            self.pushed.fetch_add(want, Ordering::Relaxed);
            return want;
        }
        let mut pushed = self.pushed.load(Ordering::Relaxed);
        loop {
            let take = self.view.room(pushed, want, &self.popped, || capacity);
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

    /// Counts one item out (a SeqCst read-modify-write: the getter's half of its
    /// handshake with a joining putter, see `line.rs`).
    pub(super) fn count_out(&self) {
        self.popped.fetch_add(1, Ordering::SeqCst);
    }

    /// Every slot ever reserved.
    pub(super) fn reserved(&self) -> u64 {
        self.pushed.load(Ordering::SeqCst)
    }

    /// Whether a reserved slot has not been counted out yet (a put may still be pushing).
    pub(super) fn reserved_not_taken(&self) -> bool {
        self.pushed.load(Ordering::SeqCst) > self.popped.load(Ordering::SeqCst)
    }

    /// Items inside now (a snapshot; puts in progress may be counted).
    pub(super) fn len(&self) -> u64 {
        let popped = self.popped.load(Ordering::Relaxed);
        self.pushed.load(Ordering::Relaxed).saturating_sub(popped)
    }
}
