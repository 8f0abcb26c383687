//! The FIFO line of waiters of one primitive: an intrusive doubly-linked list, guarded by
//! the primitive's mutex, with O(1) append, pop and removal of a cancelled waiter.
//!
//! Thread waiters live on their thread's stack; async waiters live in an `Arc<OpInner>` of
//! which the list holds one reference while they are linked. Unlinking never drops that
//! reference on the spot: it is handed to a [`Wakeups`] batch and released after the
//! caller has dropped the mutex (the op may hold the last reference to the primitive).

use std::ptr;
use std::sync::Arc;

use super::op::OpInner;
use super::waiter::{Completion, Links, Outcome, Request, Waiter};
use crate::Status;

pub(crate) struct WaitList {
    head: *const Waiter,
    tail: *const Waiter,
    len: usize,
}

// SAFETY: the list is only reached through its owner's mutex.
unsafe impl Send for WaitList {}

impl Default for WaitList {
    fn default() -> Self {
        Self::new()
    }
}

impl WaitList {
    pub(crate) const fn new() -> WaitList {
        WaitList {
            head: ptr::null(),
            tail: ptr::null(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first waiter in line (its outcome may already be decided).
    pub(crate) fn front(&self) -> Option<&Waiter> {
        // SAFETY: a linked waiter is alive while the list's mutex is held (see
        // `complete_first`); the borrow of `self` keeps that mutex held.
        unsafe { self.head.as_ref() }
    }

    fn with_links<R>(waiter: *const Waiter, f: impl FnOnce(&mut Links) -> R) -> R {
        // SAFETY: callers pass waiters that are (or are being) linked into this list, whose
        // links the list's mutex (held through `&mut self`) guards.
        unsafe { (*waiter).links.with_mut(|links| f(&mut *links)) }
    }

    /// Links a thread's own stack waiter.
    ///
    /// # Safety
    /// `waiter` must stay where it is until it has been unlinked (by a pop, or by
    /// [`remove`](Self::remove) after its own timeout won).
    pub(crate) unsafe fn link_thread(&mut self, waiter: &Waiter, front: bool) {
        debug_assert!(waiter.is_thread());
        self.link(waiter, front);
    }

    /// Links an async op's waiter; the list keeps a reference to the op until unlinked.
    pub(crate) fn link_async(&mut self, op: Arc<OpInner>, front: bool) {
        let waiter = Arc::into_raw(op) as *const Waiter;
        self.link(waiter, front);
    }

    fn link(&mut self, waiter: *const Waiter, front: bool) {
        let (prev, next) = if front {
            (ptr::null(), self.head)
        } else {
            (self.tail, ptr::null())
        };
        Self::with_links(waiter, |links| {
            debug_assert!(links.list.is_null());
            links.prev = prev;
            links.next = next;
            links.list = self as *const WaitList;
        });
        if prev.is_null() {
            self.head = waiter;
        } else {
            Self::with_links(prev, |links| links.next = waiter);
        }
        if next.is_null() {
            self.tail = waiter;
        } else {
            Self::with_links(next, |links| links.prev = waiter);
        }
        self.len += 1;
    }

    /// Unlinks `waiter` if it is still in this list; returns whether it was.
    pub(crate) fn remove(&mut self, waiter: &Waiter, wakeups: &mut Wakeups) -> bool {
        let me = self as *const WaitList;
        if !Self::with_links(waiter, |links| links.list == me) {
            return false;
        }
        self.unlink_keeping_reference(waiter);
        wakeups.release_list_reference(waiter);
        true
    }

    /// Pops waiters from the front until one accepts an outcome, and returns that
    /// waiter's request. `decide` picks the outcome for each candidate and may first
    /// record what the grant means (a new lock owner, say); it is called again for the
    /// next candidate when a waiter turns out to be cancelled already.
    pub(crate) fn complete_first(
        &mut self,
        wakeups: &mut Wakeups,
        mut decide: impl FnMut(&Waiter) -> Outcome,
    ) -> Option<Request> {
        while !self.head.is_null() {
            let head = self.head;
            // SAFETY: a linked waiter is alive: a thread waiter cannot leave before its
            // outcome is decided and (if it decided it itself) it has taken this list's
            // mutex, which we hold; an async waiter is kept alive by the list's reference,
            // which `remove` defers to `wakeups`.
            let waiter = unsafe { &*head };
            self.remove(waiter, wakeups);
            let outcome = decide(waiter);
            let request = waiter.request;
            if let Some(completion) = waiter.try_complete(outcome) {
                wakeups.push(completion);
                return Some(request);
            }
        }
        None
    }
}

impl WaitList {
    /// Claims the first waiter whose outcome is still open (decided ones are dropped from
    /// the line on the way), then asks `take` for the value to grant it: with `Some`, the
    /// waiter is completed `Ok` with that value and its request returned; with `None` it
    /// stays first in line, pending as before. While `take` runs, the waiter's own cancel
    /// or timeout waits (`Waiter::try_claim`), so what `take` took is never refused.
    pub(crate) fn grant_first(
        &mut self,
        wakeups: &mut Wakeups,
        take: impl FnOnce(&Waiter) -> Option<u64>,
    ) -> Option<Request> {
        self.decide_first(wakeups, |waiter| {
            let value = take(waiter)?;
            waiter.set_grant(value);
            Some(Outcome::Done(Status::Ok))
        })
    }

    /// Claims the first waiter whose outcome is still open (decided ones are dropped from
    /// the line on the way), then asks `decide` for its outcome, which `decide` may first
    /// act on (record a borrower, say): with `Some`, the waiter is completed with it and
    /// its request returned; with `None` it stays first in line, pending as before. While
    /// `decide` runs the waiter cannot give up, so what `decide` recorded always holds.
    pub(crate) fn decide_first(
        &mut self,
        wakeups: &mut Wakeups,
        decide: impl FnOnce(&Waiter) -> Option<Outcome>,
    ) -> Option<Request> {
        while !self.head.is_null() {
            // SAFETY: a linked waiter is alive (see `complete_first`).
            let waiter = unsafe { &*self.head };
            if !waiter.try_claim() {
                self.remove(waiter, wakeups);
                continue;
            }
            let Some(outcome) = decide(waiter) else {
                waiter.unclaim();
                return None;
            };
            let request = waiter.request;
            self.remove(waiter, wakeups);
            // Last touch: a thread waiter may return (and its frame go) once decided.
            wakeups.push(waiter.complete_claimed(outcome));
            return Some(request);
        }
        None
    }

    /// Completes every waiter in the line with `outcome` (cancelled ones are skipped) and
    /// returns how many accepted. O(n): each waiter is popped once.
    pub(crate) fn complete_all(&mut self, wakeups: &mut Wakeups, outcome: Outcome) -> usize {
        let mut woken = 0;
        while self.complete_first(wakeups, |_| outcome).is_some() {
            woken += 1;
        }
        woken
    }
}

/// A waiter taken off a line *claimed* (see [`Waiter::try_claim`]), to be moved into
/// another line or completed. While the claim lasts its own cancel or timeout waits, so
/// whatever the mover does for it (taking a lock in its name, say) is never done for a
/// waiter that is already gone. It carries the line's reference to an async waiter; a
/// thread waiter stays valid because its outcome cannot be decided under the claim.
#[must_use = "a popped waiter must be linked into a line or completed"]
pub(crate) struct Popped(*const Waiter);

impl Popped {
    pub(crate) fn waiter(&self) -> &Waiter {
        // SAFETY: see the type's comment.
        unsafe { &*self.0 }
    }

    /// Decides the claimed waiter's outcome (nobody else can).
    pub(crate) fn complete(self, outcome: Outcome, wakeups: &mut Wakeups) {
        // The line's reference first: it reads the waiter (thread or async?), and an async
        // waiter stays alive until `wakeups` drops that reference. Then the decision, the
        // last touch of a thread waiter: once decided, its frame may go.
        wakeups.release_list_reference(self.0);
        wakeups.push(self.waiter().complete_claimed(outcome));
    }
}

impl WaitList {
    /// Takes the first waiter whose outcome is still open off the line, claimed (decided
    /// ones are dropped from the line on the way: their cancellers find them gone). The
    /// caller holds this line's mutex, and must end the claim (`Popped::complete`, or
    /// `link_popped` into another line) before it lets that mutex go.
    pub(crate) fn pop_front_claimed(&mut self, wakeups: &mut Wakeups) -> Option<Popped> {
        while !self.head.is_null() {
            let head = self.head;
            // SAFETY: a linked waiter is alive (see `complete_first`).
            let waiter = unsafe { &*head };
            let claimed = waiter.try_claim();
            self.unlink_keeping_reference(waiter);
            if claimed {
                return Some(Popped(head));
            }
            wakeups.release_list_reference(head);
        }
        None
    }

    /// Links a popped waiter at the back of this line and ends its claim: it is pending
    /// here as it was there. The line takes over its reference.
    pub(crate) fn link_popped(&mut self, popped: Popped) {
        self.link(popped.0, false);
        // Under this line's mutex: whoever decides it next must take that mutex first,
        // or (its own cancel) find it here when it withdraws.
        popped.waiter().unclaim();
    }

    fn unlink_keeping_reference(&mut self, waiter: &Waiter) {
        let ptr = waiter as *const Waiter;
        let me = self as *const WaitList;
        let Some((prev, next)) = Self::with_links(ptr, |links| {
            if links.list != me {
                return None;
            }
            links.list = std::ptr::null();
            Some((links.prev, links.next))
        }) else {
            return;
        };
        if prev.is_null() {
            self.head = next;
        } else {
            Self::with_links(prev, |links| links.next = next);
        }
        if next.is_null() {
            self.tail = prev;
        } else {
            Self::with_links(next, |links| links.prev = prev);
        }
        self.len -= 1;
    }
}

/// Completions and reference drops collected under a mutex, carried out after it is
/// dropped (on `fire` or on drop): callbacks and wakes never run under an internal lock.
pub(crate) struct Wakeups {
    inline: [Option<Deferred>; 4],
    count: usize,
    spill: Vec<Deferred>,
}

enum Deferred {
    Fire(Completion),
    Release(Arc<OpInner>),
}

impl Wakeups {
    pub(crate) fn new() -> Wakeups {
        Wakeups {
            inline: [const { None }; 4],
            count: 0,
            spill: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, completion: Completion) {
        self.defer(Deferred::Fire(completion));
    }

    pub(crate) fn release_list_reference(&mut self, waiter: *const Waiter) {
        // SAFETY: `waiter` was linked: if it is async, the list owned one reference.
        if unsafe { !(*waiter).is_thread() } {
            // SAFETY: that reference came from `Arc::into_raw` in `link_async`.
            let op = unsafe { Arc::from_raw(waiter as *const OpInner) };
            self.defer(Deferred::Release(op));
        }
    }

    fn defer(&mut self, item: Deferred) {
        if self.count < self.inline.len() {
            self.inline[self.count] = Some(item);
            self.count += 1;
        } else {
            self.spill.push(item);
        }
    }

    /// Carries everything out now. Call with no internal lock held.
    pub(crate) fn fire(mut self) {
        self.run();
    }

    fn run(&mut self) {
        let spilled = std::mem::take(&mut self.spill);
        for item in self.inline[..self.count]
            .iter_mut()
            .filter_map(Option::take)
            .chain(spilled)
        {
            match item {
                Deferred::Fire(completion) => completion.fire(),
                Deferred::Release(op) => drop(op),
            }
        }
        self.count = 0;
    }
}

impl Drop for Wakeups {
    fn drop(&mut self) {
        self.run();
    }
}
