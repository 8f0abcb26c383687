//! The lock-free lane a FIFO queue's items travel through. Its two ends *are* the queue's
//! counters: `tail` counts the items ever pushed, `head` the items ever popped, so a put
//! and a get each cost one read-modify-write (the end they move), and the room check reads
//! the other end.
//!
//! Items sit in a ring of slots, each with a *stamp* that says what the slot holds, in
//! absolute indices (never wrapping: 2^64 items are never pushed). For the item with index
//! `i`, its slot is `i % size`, and
//!
//! - stamp `i`: the slot is free for item `i` (a push may claim `i` by moving the tail);
//! - stamp `i + 1`: the slot holds item `i` (a pop may claim it by moving the head);
//! - after the pop, stamp `i + size`: free for the item one lap later.
//!
//! With a size of at least 2, these never collide. A push that moved the tail writes the
//! item, then the stamp (release); a pop that moved the head reads the item, then frees
//! the slot (release). A pop that finds its slot not yet written while the tail is past
//! the head waits for the item instead of saying "empty": so a push (a SeqCst move of the
//! tail) is ordered before the pusher's later SeqCst loads as a handshake needs
//! (`Queue::after_push`), the way crossbeam's array channel does it.
//!
//! **Chained rings.** A push that finds its slot still full while the queue has room
//! (unbounded, or a capacity raised past the ring) *grows* the lane: it marks the tail
//! `CLOSING` (other pushes wait a moment), links a ring twice the size starting at the
//! tail's index, closes the old ring's range there (`end`) and opens the tail again. Pops
//! drain the old ring up to its `end` before moving on, so items keep their order.
//! Retired rings stay allocated until the lane goes (a reader may still hold one, and
//! sizes double, so they cost at most as much as the current ring).
//!
//! A grow gives the tail back the value it had, so a push that looked before the grow may
//! still claim that index afterwards: it writes into the ring that holds the index (see
//! `push`), and a second grow from a ring that already has an `end` backs off (`grow`).
//! `tests/loom_queue_lane.rs` models both.

use crossbeam_utils::{Backoff, CachePadded};

use super::room::PoppedView;
use crate::sync::{AtomicU64, Ordering, snooze};

#[cfg(loom)]
use loom::sync::atomic::AtomicPtr;
#[cfg(not(loom))]
use std::sync::atomic::AtomicPtr;

/// Set in `tail` while a push links the next ring; no push moves the tail meanwhile.
const CLOSING: u64 = 1 << 63;

/// The first ring of an unbounded lane (under loom: the smallest, so that models grow).
#[cfg(not(loom))]
const FIRST_UNBOUNDED_RING: u64 = 64;
#[cfg(loom)]
const FIRST_UNBOUNDED_RING: u64 = 2;

/// The largest ring a bounded lane allocates up front (16 bytes a slot); it grows past
/// that only if the queue really fills it.
const FIRST_RING_MAX: u64 = 1 << 16;

struct Slot {
    stamp: AtomicU64,
    /// Written before the stamp says "full", read before it says "free" (both ordered by
    /// the stamp's release/acquire).
    item: AtomicU64,
}

struct Ring {
    slots: Box<[Slot]>,
    /// `slots.len() - 1` (the size is a power of two).
    mask: u64,
    /// The first index this ring holds.
    start: u64,
    /// One past the last index this ring holds: `u64::MAX` while pushes still land here.
    end: AtomicU64,
    /// The ring after this one, set before `end`.
    next: AtomicPtr<Ring>,
}

impl Ring {
    fn new(start: u64, size: u64) -> Box<Ring> {
        debug_assert!(size.is_power_of_two() && size >= 2);
        // Slot `k` starts free for the first index at or after `start` that maps to it.
        let slots: Vec<Slot> = (0..size)
            .map(|k| Slot {
                stamp: AtomicU64::new(start + (k.wrapping_sub(start) & (size - 1))),
                item: AtomicU64::new(0),
            })
            .collect();
        Box::new(Ring {
            slots: slots.into_boxed_slice(),
            mask: size - 1,
            start,
            end: AtomicU64::new(u64::MAX),
            next: AtomicPtr::new(std::ptr::null_mut()),
        })
    }

    fn size(&self) -> u64 {
        self.mask + 1
    }

    fn slot(&self, index: u64) -> &Slot {
        &self.slots[(index & self.mask) as usize]
    }

    /// Whether `index` lies in this ring's range as far as it is known.
    fn holds(&self, index: u64) -> bool {
        index >= self.start && index < self.end.load(Ordering::Acquire)
    }
}

pub(super) struct Lane {
    /// Items ever pushed (and `CLOSING` while a ring is being linked).
    tail: CachePadded<AtomicU64>,
    /// The pushers' view of `head` (`room.rs`).
    head_view: PoppedView,
    /// Items ever popped.
    head: CachePadded<AtomicU64>,
    /// The ring pushes use (a hint: the one holding `tail`, or an earlier one).
    tail_ring: CachePadded<AtomicPtr<Ring>>,
    /// The ring pops use (a hint: the one holding `head`, or an earlier one).
    head_ring: CachePadded<AtomicPtr<Ring>>,
    /// The first ring; with its successors, every ring until the lane goes.
    first: *mut Ring,
}

// SAFETY: the raw pointers name rings the lane owns; rings are shared only through
// atomics and freed only in `drop` (`&mut self`).
unsafe impl Send for Lane {}
unsafe impl Sync for Lane {}

impl Lane {
    /// A lane for a queue whose capacity starts at `capacity` (`None`: unbounded).
    pub(super) fn new(capacity: Option<usize>) -> Lane {
        let size = match capacity {
            Some(capacity) => (capacity as u64)
                .clamp(2, FIRST_RING_MAX)
                .next_power_of_two(),
            None => FIRST_UNBOUNDED_RING,
        };
        let first = Box::into_raw(Ring::new(0, size));
        Lane {
            tail: CachePadded::new(AtomicU64::new(0)),
            head_view: PoppedView::new(),
            head: CachePadded::new(AtomicU64::new(0)),
            tail_ring: CachePadded::new(AtomicPtr::new(first)),
            head_ring: CachePadded::new(AtomicPtr::new(first)),
            first,
        }
    }

    /// Pushes `item` if fewer than `limit()` items are inside (`room::UNBOUNDED`: no
    /// limit); false if not. `limit()` is read after the head (`PoppedView::room`).
    pub(super) fn push(&self, item: u64, limit: impl Fn() -> u64 + Copy) -> bool {
        let backoff = Backoff::new();
        let mut tail = self.tail.load(Ordering::Relaxed);
        loop {
            if tail & CLOSING != 0 {
                snooze(&backoff);
                tail = self.tail.load(Ordering::Acquire);
                continue;
            }
            let Some(ring) = self.ring_holding(&self.tail_ring, tail) else {
                // `tail` is older than the ring hint: read it again.
                tail = self.tail.load(Ordering::Acquire);
                continue;
            };
            let slot = ring.slot(tail);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == tail {
                if !self.has_room(tail, limit) {
                    return false;
                }
                match self.tail.compare_exchange_weak(
                    tail,
                    tail + 1,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // The ring may have been closed at `tail` between the look at the
                        // slot and the claim: a grow restores the tail to the value this
                        // push compared with. The claim read the grow's tail (acquire), so
                        // its `end` is seen, and the slot of `tail` in the next ring is
                        // free (nobody else can claim `tail`).
                        let slot = if ring.holds(tail) {
                            slot
                        } else {
                            Self::walk(ring, tail).slot(tail)
                        };
                        slot.item.store(item, Ordering::Relaxed);
                        slot.stamp.store(tail + 1, Ordering::Release);
                        return true;
                    }
                    Err(actual) => {
                        tail = actual;
                        backoff.spin();
                    }
                }
            } else if stamp + ring.size() == tail + 1 {
                // The slot still holds the item one lap back.
                if self.head.load(Ordering::SeqCst) + ring.size() > tail {
                    // ...which is being popped: its slot is freed in a moment.
                    snooze(&backoff);
                } else if !self.has_room(tail, limit) {
                    return false;
                } else {
                    // The ring is full and the queue is not: grow.
                    self.grow(ring, tail);
                }
                tail = self.tail.load(Ordering::Acquire);
            } else {
                // Another push claimed `tail` meanwhile (or a stale ring): look again.
                snooze(&backoff);
                tail = self.tail.load(Ordering::Acquire);
            }
        }
    }

    /// Whether a push at `tail` leaves at most `limit()` items inside.
    fn has_room(&self, tail: u64, limit: impl Fn() -> u64) -> bool {
        self.head_view.room(tail, 1, &self.head, limit) == 1
    }

    /// Links a ring twice the size of `full` for the items from `tail` on, unless
    /// another push got there first.
    fn grow(&self, full: &Ring, tail: u64) {
        if self
            .tail
            .compare_exchange(tail, tail | CLOSING, Ordering::SeqCst, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        // The tail may have come back to `tail` after another grow at the same index:
        // only the last ring (the one with no `end` yet) is ever grown from.
        if full.end.load(Ordering::Acquire) != u64::MAX {
            self.tail.store(tail, Ordering::SeqCst);
            return;
        }
        let next = Box::into_raw(Ring::new(tail, full.size() * 2));
        full.next.store(next, Ordering::Release);
        full.end.store(tail, Ordering::Release);
        self.tail_ring.store(next, Ordering::Release);
        self.tail.store(tail, Ordering::SeqCst);
    }

    /// Pops the next item; `None` only if every pushed item was popped.
    pub(super) fn pop(&self) -> Option<u64> {
        let backoff = Backoff::new();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            let Some(ring) = self.ring_holding(&self.head_ring, head) else {
                head = self.head.load(Ordering::Acquire);
                continue;
            };
            let slot = ring.slot(head);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == head + 1 {
                match self.head.compare_exchange_weak(
                    head,
                    head + 1,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        let item = slot.item.load(Ordering::Relaxed);
                        slot.stamp.store(head + ring.size(), Ordering::Release);
                        return Some(item);
                    }
                    Err(actual) => {
                        head = actual;
                        backoff.spin();
                    }
                }
            } else if stamp == head {
                // Nothing written at `head`: empty, unless a push claimed it and is
                // writing (then wait for the item: see the module comment).
                if self.tail.load(Ordering::SeqCst) & !CLOSING == head {
                    return None;
                }
                snooze(&backoff);
                head = self.head.load(Ordering::Acquire);
            } else {
                // Another pop took `head` meanwhile: look again.
                snooze(&backoff);
                head = self.head.load(Ordering::Acquire);
            }
        }
    }

    /// The ring holding `index`, walking on from the ring `hint` names (and moving the
    /// hint along); `None` if `index` is older than the hint's ring.
    fn ring_holding(&self, hint: &AtomicPtr<Ring>, index: u64) -> Option<&Ring> {
        let first = hint.load(Ordering::Acquire);
        // SAFETY: rings are freed only when the lane goes.
        let ring = unsafe { &*first };
        if index < ring.start {
            return None;
        }
        let ring = Self::walk(ring, index);
        if !std::ptr::eq(ring, first) {
            let _ = hint.compare_exchange(
                first,
                ring as *const Ring as *mut Ring,
                Ordering::AcqRel,
                Ordering::Relaxed,
            );
        }
        Some(ring)
    }

    /// The ring holding `index`, from `ring` (which starts at or before it) on.
    fn walk(mut ring: &Ring, index: u64) -> &Ring {
        while !ring.holds(index) {
            // `end` is set after `next`: a ring whose range ended has a successor.
            // SAFETY: rings are freed only when the lane goes.
            ring = unsafe { &*ring.next.load(Ordering::Acquire) };
        }
        ring
    }

    /// Items ever pushed (SeqCst: a handshake half for task counting and shutdown).
    pub(super) fn pushed(&self) -> u64 {
        self.tail.load(Ordering::SeqCst) & !CLOSING
    }

    /// Items ever popped.
    pub(super) fn popped(&self) -> u64 {
        self.head.load(Ordering::SeqCst)
    }

    /// Items inside now (a snapshot).
    pub(super) fn len(&self) -> u64 {
        let head = self.head.load(Ordering::Relaxed);
        (self.tail.load(Ordering::Relaxed) & !CLOSING).saturating_sub(head)
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        let mut ring = self.first;
        while !ring.is_null() {
            // SAFETY: every ring was made by `Box::into_raw` and is freed once, here.
            let owned = unsafe { Box::from_raw(ring) };
            ring = owned.next.load(Ordering::Relaxed);
        }
    }
}
