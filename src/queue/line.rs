//! The line: blocked putters (full) or getters (empty) waiting behind the mutex, the flags
//! that send the lock-free fast paths to it, and the fast paths themselves.
//!
//! The line never mixes kinds for long (decided waiters of the other kind are dropped on
//! sight). The `state` word says who may be in line: `GETTERS`, `PUTTERS`, plus
//! `SHUT_DOWN` and `DISCARDING` (an immediate shutdown). A fast put runs only with no flag
//! set, and a fast get only without `GETTERS`, so nobody overtakes a waiter of its own
//! kind. Flags are set and cleared under the mutex. The two races that could strand a
//! waiter are closed the way Dekker's algorithm closes them, with a sequentially
//! consistent step on each side:
//!
//! - a getter sets `GETTERS`, then pops once more; a put pushes, then (after a fence)
//!   reads the flags, and if `GETTERS` is set serves the line under the mutex. Either the
//!   getter sees the item, or the putter sees the flag.
//! - a putter sets `PUTTERS`, then re-checks the room; a get counts its item out (a
//!   SeqCst read-modify-write: the FIFO lane's head, a locked store's `popped`, or the
//!   front list's length), then reads the flags, and if `PUTTERS` is set lets putters in
//!   under the mutex. Either the putter sees the room, or the getter sees the flag.
//!
//! Under the mutex the line is served from its front (`settle`): waiting getters from the
//! visible items, waiting putters into the room (their item, carried in their request, is
//! pushed for them), in line order. A put that finds getters in line (once the visible
//! items went to them) hands its item straight to the first live one, in its grant value.
//! Each waiter is decided by its one CAS (`wait::waiter`), and a waiter something is taken
//! or pushed for is *claimed* first, which holds off its own cancel or timeout for those
//! few instructions: so an item taken out for a getter is always delivered (never put back
//! behind items a concurrent fast get took meanwhile), and a putter's item is inside before
//! its put returns `Ok`. A getter whose cancel won never receives an item; one whose grant
//! won owns it even if its cancel came later; an item granted to a getter whose port was
//! closed before delivery is put back in front ([`WaitSource::give_back`]).

use super::Queue;
use crate::Status;
use crate::sync::{Mutex, Ordering, fence, lock, seqcst_handshake, snooze};
use crate::wait::{Request, WaitList, WaitSource, Wakeups};

/// Getters may be in line (then the queue was empty when each joined).
pub(super) const GETTERS: u64 = 1;
/// Putters may be in line (then the queue was full when each joined).
pub(super) const PUTTERS: u64 = 2;
/// Puts fail; gets drain what is left.
pub(super) const SHUT_DOWN: u64 = 4;
/// Shut down immediately: items that still land (in-flight puts, give-backs) are discarded.
pub(super) const DISCARDING: u64 = 8;

pub(super) fn getter() -> Request {
    Request::default()
}

/// A putter's request: the item it offers and its priority (`i64` bits), flagged as an
/// offer (a getter's request is all zeros).
pub(super) fn putter(item: u64, priority: i64) -> Request {
    Request {
        words: [item, priority as u64],
        flag: true,
    }
}

/// Whether the request is a putter's.
fn offers_item(request: &Request) -> bool {
    request.flag
}

/// The `(item, priority)` a putter's request carries.
fn offered(request: &Request) -> Option<(u64, i64)> {
    offers_item(request).then_some((request.words[0], request.words[1] as i64))
}

impl Queue {
    pub(super) fn flags(&self) -> u64 {
        self.state.load(Ordering::Acquire)
    }

    /// Runs `f` with the mutex held, then fires what it collected.
    pub(super) fn with_lock<R>(&self, f: impl FnOnce(&mut WaitList, &mut Wakeups) -> R) -> R {
        let mut wakeups = Wakeups::new();
        let mut line = lock(&self.line);
        let result = f(&mut line, &mut wakeups);
        drop(line);
        wakeups.fire();
        result
    }

    /// The lock-free put: only while nobody waits and there is room. A blocking put or
    /// get retries its fast path in a short spin before it joins the line: a producer and
    /// a consumer running side by side would otherwise meet in the line for every item
    /// (a handoff per item is a rendezvous: several cache-line transfers, often a wake).
    pub(super) fn put_fast(&self, item: u64, priority: i64) -> bool {
        if self.flags() != 0 || !self.items.push(item, priority, self.capacity.get()) {
            return false;
        }
        self.after_push();
        true
    }

    /// After items became visible without the mutex: serve getters that joined the line
    /// meanwhile, and discard what landed after an immediate shutdown.
    pub(super) fn after_push(&self) {
        // The push must be ordered before the flags read (the putter's half of the
        // handshake with a joining getter). A FIFO lane's push already is: it claims its
        // slot with a SeqCst read-modify-write of the lane's tail, and a pop that finds the
        // tail past its head waits for the item instead of saying "empty" (`lane.rs`; the
        // getter's fence before its pop then sees the tail). A locked store publishes on
        // unlock (release only): fence.
        if !self.items.push_orders_later_loads() {
            fence(Ordering::SeqCst);
        }
        if self.state.load(Ordering::SeqCst) & (GETTERS | DISCARDING) != 0 {
            let discarded = self.with_lock(|line, wakeups| {
                self.settle(line, wakeups);
                self.discard_if_shut(line)
            });
            self.discard_all(discarded);
        }
    }

    /// Under the mutex: hand `item` to the first live getter, or push it if there is room
    /// and no putter waits first; `None` if the caller has to wait (then, with `will_wait`,
    /// `PUTTERS` is set).
    pub(super) fn offer(
        &self,
        line: &mut WaitList,
        item: u64,
        priority: i64,
        will_wait: bool,
        wakeups: &mut Wakeups,
    ) -> Option<Status> {
        if self.flags() & SHUT_DOWN != 0 {
            return Some(Status::Closed);
        }
        // Visible items go to waiting getters first (the producer's own earlier items may
        // be among them); only then may this item go straight to the next getter.
        self.settle(line, wakeups);
        if holds_getters(line) {
            let handed = line.grant_first(wakeups, |getter| {
                (!offers_item(&getter.request)).then(|| {
                    // Counted before the getter can see the item (and mark it done).
                    self.book.count_handoff();
                    item
                })
            });
            if handed.is_some() {
                return Some(Status::Ok);
            }
        }
        if !holds_putters(line) {
            if self.push_locked(item, priority) {
                return Some(Status::Ok);
            }
            if will_wait {
                self.state.fetch_or(PUTTERS, Ordering::SeqCst);
                seqcst_handshake();
                // A get may have made room before it could see the flag.
                if self.push_locked(item, priority) {
                    self.clear_flags_if_idle(line);
                    return Some(Status::Ok);
                }
            }
        }
        None
    }

    /// Under the mutex, with no getter in line: push if there is room.
    fn push_locked(&self, item: u64, priority: i64) -> bool {
        self.items.push(item, priority, self.capacity.get())
    }

    /// Under the mutex: serves the line from its front for as long as the front can be
    /// served: a getter from the visible items, a putter into the room (its item pushed
    /// for it). The line is normally of one kind, but a getter can join behind putters (or
    /// the other way round) while a get or put is between its two counting steps, so
    /// whichever kind stands first is served, then the next.
    ///
    /// Each waiter is claimed before anything is taken or pushed for it
    /// (`WaitList::grant_first`): an item taken out is always delivered, never put back
    /// behind items a concurrent fast get took meanwhile; and a putter's item is inside
    /// before its put returns `Ok`.
    pub(super) fn settle(&self, line: &mut WaitList, wakeups: &mut Wakeups) {
        // The kind that could not be served last time round: stop if it is still first.
        let mut stuck = None;
        while let Some(front) = line.front() {
            let getter_first = !offers_item(&front.request);
            if stuck == Some(getter_first) {
                break;
            }
            let served = if getter_first {
                self.serve_one_getter(line, wakeups)
            } else {
                self.admit_one_putter(line, wakeups)
            };
            stuck = (!served).then_some(getter_first);
        }
        self.clear_flags_if_idle(line);
    }

    fn serve_one_getter(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> bool {
        line.grant_first(wakeups, |waiter| {
            // Past decided getters a putter may stand first: never take for it.
            if offers_item(&waiter.request) {
                return None;
            }
            self.items.pop()
        })
        .is_some()
    }

    fn admit_one_putter(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> bool {
        line.grant_first(wakeups, |waiter| {
            let (item, priority) = offered(&waiter.request)?;
            // Pushed only for a claimed putter: a push is never undone (it counts as an
            // accepted put: see `tasks.rs`).
            self.push_locked(item, priority).then_some(0)
        })
        .is_some()
    }

    /// Under the mutex: an empty line needs no flag.
    pub(super) fn clear_flags_if_idle(&self, line: &WaitList) {
        if line.is_empty() && self.flags() & (GETTERS | PUTTERS) != 0 {
            self.state.fetch_and(!(GETTERS | PUTTERS), Ordering::SeqCst);
        }
    }

    /// The lock-free get: only while no getter waits.
    pub(super) fn get_fast(&self) -> Option<u64> {
        if self.flags() & GETTERS != 0 {
            return None;
        }
        let item = self.items.pop()?;
        self.after_pop();
        Some(item)
    }

    /// After items were taken without the mutex: let waiting putters into the room.
    pub(super) fn after_pop(&self) {
        // `popped` was counted with a SeqCst read-modify-write; this read is SeqCst too:
        // see the module comment.
        seqcst_handshake();
        if self.state.load(Ordering::SeqCst) & PUTTERS != 0 {
            self.with_lock(|line, wakeups| self.settle(line, wakeups));
        }
    }

    pub(super) fn admit_getter(
        &self,
        line: &mut WaitList,
        wakeups: &mut Wakeups,
        taken: &mut Option<u64>,
    ) -> Option<Status> {
        match self.take(line, true, wakeups) {
            Ok(item) => {
                *taken = Some(item);
                Some(Status::Ok)
            }
            Err(Status::WouldBlock) => None,
            Err(status) => Some(status),
        }
    }

    /// Under the mutex: serve earlier getters first, then take the next item (letting a
    /// waiting putter into the room). `WouldBlock` if the caller has to wait (then, with
    /// `will_wait`, `GETTERS` is set).
    pub(super) fn take(
        &self,
        line: &mut WaitList,
        will_wait: bool,
        wakeups: &mut Wakeups,
    ) -> Result<u64, Status> {
        self.settle(line, wakeups);
        if !holds_getters(line) {
            if let Some(item) = self.take_locked(line, wakeups) {
                return Ok(item);
            }
            if self.flags() & SHUT_DOWN != 0 {
                return self.take_in_flight(line, wakeups).ok_or(Status::Closed);
            }
            if will_wait {
                self.state.fetch_or(GETTERS, Ordering::SeqCst);
                fence(Ordering::SeqCst);
                // A put may have pushed before it could see the flag.
                if let Some(item) = self.take_locked(line, wakeups) {
                    self.clear_flags_if_idle(line);
                    return Ok(item);
                }
            }
        }
        Err(Status::WouldBlock)
    }

    fn take_locked(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> Option<u64> {
        let item = self.items.pop()?;
        self.settle(line, wakeups);
        Some(item)
    }

    /// Shut down and nothing visible: wait out puts that reserved a slot before the
    /// shutdown and are still pushing (a few instructions away), so that "shut down and
    /// empty" really means empty.
    fn take_in_flight(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> Option<u64> {
        let backoff = crossbeam_utils::Backoff::new();
        while self.items.has_unpopped() {
            if let Some(item) = self.take_locked(line, wakeups) {
                return Some(item);
            }
            snooze(&backoff);
        }
        None
    }

    /// Under the mutex, after an immediate shutdown: takes every visible item out.
    pub(super) fn discard_if_shut(&self, _line: &mut WaitList) -> Vec<u64> {
        if self.flags() & DISCARDING == 0 {
            return Vec::new();
        }
        self.items.drain()
    }
}
/// Whether the line's first waiter is a blocked putter (a decided waiter of the other
/// kind may still stand in front until its owner removes it: `complete_first` skips it).
pub(super) fn holds_putters(line: &WaitList) -> bool {
    line.front()
        .is_some_and(|waiter| offers_item(&waiter.request))
}

fn holds_getters(line: &WaitList) -> bool {
    line.front()
        .is_some_and(|waiter| !offers_item(&waiter.request))
}

impl WaitSource for Queue {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.line
    }

    /// A waiter gave up: what it was waiting for may be there for the ones behind it.
    fn after_withdraw(&self, line: &mut WaitList, wakeups: &mut Wakeups) {
        self.settle(line, wakeups);
        self.clear_flags_if_idle(line);
    }

    /// A put that was accepted cannot be undone (its item may be gone already).
    fn takes_back(&self, request: &Request) -> bool {
        !offers_item(request)
    }

    /// A got item that could not be delivered goes back to be taken next: to the first
    /// waiting getter, or in front of the items (or is discarded after an immediate
    /// shutdown).
    fn give_back(&self, _request: &Request, item: u64) {
        self.unget(item);
    }
}
