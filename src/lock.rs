//! Ownable locks, plain or reentrant, with FIFO handoff or an opt-in throughput mode.
//!
//! State word: `LOCKED | QUEUED`, plus the owner token and recursion depth beside it
//! (written by whoever makes someone the owner, read by the owner).
//!
//! - Uncontended: acquire is one CAS `0 → LOCKED`, release one CAS `LOCKED → 0`.
//! - FIFO (default): a release that finds `QUEUED` hands the lock to the first live waiter
//!   (owner and depth written before its waiter is completed), so the word stays `LOCKED`
//!   and nobody can barge. Invariant: `QUEUED` implies `LOCKED`.
//! - Throughput: a release wakes the first waiter to *retry* and unlocks, so a running
//!   thread may take the lock first (no sleeping handoff on every release). A woken thread
//!   that loses keeps its place at the front, and after [`RETRIES_BEFORE_HANDOFF`] losses
//!   asks for a direct handoff. Async waiters are always handed the lock directly.

use std::ffi::c_void;
use std::sync::Arc;

use crate::Status;
use crate::owner::OwnerRequest;
use crate::sync::{AtomicU32, AtomicU64, Mutex, Ordering, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Place, Popped, Port, Request, Started, WaitList, WaitSource,
    Waiter, Wakeups,
};

const LOCKED: u32 = 1;
const QUEUED: u32 = 2;
/// A throughput-mode waiter that lost this many retries is handed the lock directly.
const RETRIES_BEFORE_HANDOFF: u32 = 4;

/// Who gets a released lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fairness {
    /// Strict FIFO handoff to the first live waiter (the model library's semantics).
    Fifo,
    /// Release unlocks and wakes the first waiter to retry; running threads may barge.
    Throughput,
}

pub struct Lock {
    state: AtomicU32,
    owner: AtomicU64,
    depth: AtomicU64,
    reentrant: bool,
    fairness: Fairness,
    waiters: Mutex<WaitList>,
}

impl Lock {
    /// A non-reentrant lock: re-acquiring it as its owner is `Deadlock`.
    pub fn new(fairness: Fairness) -> Lock {
        Self::with(false, fairness)
    }

    /// A reentrant lock: its owner may acquire it again, adding to its depth.
    pub fn new_reentrant(fairness: Fairness) -> Lock {
        Self::with(true, fairness)
    }

    fn with(reentrant: bool, fairness: Fairness) -> Lock {
        Lock {
            state: AtomicU32::new(0),
            owner: AtomicU64::new(0),
            depth: AtomicU64::new(0),
            reentrant,
            fairness,
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub fn is_reentrant(&self) -> bool {
        self.reentrant
    }

    pub fn fairness(&self) -> Fairness {
        self.fairness
    }

    /// Whether anyone holds the lock.
    pub fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
    }

    /// The owner token, or 0 when unlocked (a snapshot: it may change at once).
    pub fn owner(&self) -> u64 {
        if self.is_locked() {
            self.owner.load(Ordering::Relaxed)
        } else {
            0
        }
    }

    /// The recursion depth held by `owner` (0 if it does not hold the lock).
    pub fn depth_of(&self, owner: u64) -> u64 {
        if owner != 0 && self.owner() == owner {
            self.depth.load(Ordering::Relaxed)
        } else {
            0
        }
    }

    /// How many waiters are in line.
    pub fn waiting(&self) -> usize {
        lock(&self.waiters).len()
    }

    fn check_request(&self, owner: u64, count: u64) -> Result<(), Status> {
        if owner == 0 || count == 0 || (!self.reentrant && count != 1) {
            Err(Status::Invalid)
        } else if count > i64::MAX as u64 {
            Err(Status::Overflow)
        } else {
            Ok(())
        }
    }

    /// Acquires without waiting: `Ok`, `WouldBlock`, `Deadlock` (non-reentrant, already
    /// the owner), `Overflow` (the depth would wrap), `Invalid` (owner 0, count 0, or a
    /// count other than 1 on a plain lock).
    #[inline]
    pub fn try_acquire(&self, owner: u64, count: u64) -> Status {
        if let Err(status) = self.check_request(owner, count) {
            return status;
        }
        if self
            .state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            self.become_owner(owner, count);
            return Status::Ok;
        }
        self.try_acquire_contended(owner, count)
    }

    fn become_owner(&self, owner: u64, count: u64) {
        self.owner.store(owner, Ordering::Relaxed);
        self.depth.store(count, Ordering::Relaxed);
    }

    #[cold]
    fn try_acquire_contended(&self, owner: u64, count: u64) -> Status {
        // Only `owner` itself can have made `owner` the owner while it is running here
        // (a handoff to it happens only while it waits), so this read is reliable.
        if self.owner() == owner {
            if !self.reentrant {
                return Status::Deadlock;
            }
            let depth = self.depth.load(Ordering::Relaxed);
            return match depth.checked_add(count) {
                Some(total) if total <= i64::MAX as u64 => {
                    self.depth.store(total, Ordering::Relaxed);
                    Status::Ok
                }
                _ => Status::Overflow,
            };
        }
        if self.try_lock_word() {
            self.become_owner(owner, count);
            return Status::Ok;
        }
        Status::WouldBlock
    }

    /// Sets `LOCKED` if the lock is free to take: unlocked and, in FIFO mode, nobody queued.
    fn try_lock_word(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        while state & LOCKED == 0 && (state == 0 || self.fairness == Fairness::Throughput) {
            match self.state.compare_exchange_weak(
                state,
                state | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => state = actual,
            }
        }
        false
    }

    /// Acquires as `owner`, waiting in line until `deadline`: `Ok`, `Timeout`, or an
    /// error from [`try_acquire`](Self::try_acquire).
    #[inline]
    pub fn acquire(&self, owner: u64, count: u64, deadline: Deadline) -> Status {
        if count == 1 && self.lock_uncontended(owner) {
            return Status::Ok;
        }
        self.acquire_contended(owner, count, deadline)
    }

    /// The uncontended acquire of one level alone: one CAS, nothing that can panic.
    /// `false` means "take the full path" (which also validates the arguments).
    #[inline(always)]
    pub(crate) fn lock_uncontended(&self, owner: u64) -> bool {
        if owner != 0
            && self
                .state
                .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            self.become_owner(owner, 1);
            return true;
        }
        false
    }

    /// The uncontended release of a depth-1 hold by `owner`, nothing that can panic.
    /// `None` means "take the full path"; `Some(true)` released; `Some(false)` released
    /// the hold but found waiters: finish with [`release_to_waiters`](Self::release_to_waiters).
    #[inline(always)]
    pub(crate) fn unlock_uncontended(&self, owner: u64) -> Option<bool> {
        if owner == 0
            || self.state.load(Ordering::Relaxed) & LOCKED == 0
            || self.owner.load(Ordering::Relaxed) != owner
            || self.depth.load(Ordering::Relaxed) != 1
        {
            return None;
        }
        Some(self.unlock_word())
    }

    /// Gives up the last level: clears the owner and unlocks the word. `false` if the word
    /// had `QUEUED`: the caller must finish with `release_to_waiters`.
    #[inline(always)]
    fn unlock_word(&self) -> bool {
        self.owner.store(0, Ordering::Relaxed);
        self.state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_ok()
    }

    #[cold]
    #[inline(never)]
    fn acquire_contended(&self, owner: u64, count: u64, deadline: Deadline) -> Status {
        match self.try_acquire(owner, count) {
            Status::WouldBlock if deadline.has_passed() => Status::Timeout,
            Status::WouldBlock => self.acquire_slow(owner, count, deadline.start()),
            status => status,
        }
    }

    #[cold]
    fn acquire_slow(&self, owner: u64, count: u64, deadline: Deadline) -> Status {
        let mut retries = 0;
        let mut place = Place::Back;
        loop {
            // Try before looking at the deadline: a waiter woken to retry must try at
            // least once, or the release that woke it would wake nobody.
            if wait::spin_until(|| self.try_lock_word()) {
                self.become_owner(owner, count);
                return Status::Ok;
            }
            if deadline.has_passed() {
                return Status::Timeout;
            }
            let request = Request::for_owner(owner, count, retries >= RETRIES_BEFORE_HANDOFF);
            let spin = self.fairness == Fairness::Fifo || request.wants_handoff();
            match wait::wait_blocking(self, request, place, spin, deadline, |_, _| {
                self.admit(owner, count)
            }) {
                Outcome::Done(status) => return status,
                Outcome::Retry => {
                    retries += 1;
                    place = Place::Front;
                }
            }
        }
    }

    /// Acquires as `owner` now (`Done(Ok)` or an error) or later through `port` /
    /// `callback` (`Pending`).
    pub fn acquire_async(
        self: &Arc<Self>,
        owner: u64,
        count: u64,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        match self.try_acquire(owner, count) {
            Status::WouldBlock => {
                let request = Request::for_owner(owner, count, true);
                wait::wait_async(self, request, port, callback, arg, |_, _| {
                    self.admit(owner, count)
                })
            }
            status => Started::Done(status),
        }
    }

    /// Under the line's mutex: take the lock if free, or mark the line queued.
    fn admit(&self, owner: u64, count: u64) -> Option<Status> {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            let takes_lock = state & LOCKED == 0;
            if !takes_lock && state & QUEUED != 0 {
                return None;
            }
            let wanted = if takes_lock {
                state | LOCKED
            } else {
                state | QUEUED
            };
            match self.state.compare_exchange_weak(
                state,
                wanted,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) if takes_lock => {
                    self.become_owner(owner, count);
                    return Some(Status::Ok);
                }
                Ok(_) => return None,
                Err(actual) => state = actual,
            }
        }
    }

    /// Releases `count` levels held by `owner`; the last level releases the lock.
    /// `NotLocked`, `NotOwner`, `Overflow` (more levels than held; nothing changes), or
    /// `Invalid` (owner 0, count 0, or count other than 1 on a plain lock).
    #[inline]
    pub fn release(&self, owner: u64, count: u64) -> Status {
        self.release_then(owner, count, || self.release_to_waiters())
    }

    /// [`release`](Self::release) for a caller that holds another line's mutex (a
    /// condition's async start): a hand-over's completions go to `wakeups`, to be fired
    /// once that mutex is dropped.
    pub(crate) fn release_deferring(
        &self,
        owner: u64,
        count: u64,
        wakeups: &mut Wakeups,
    ) -> Status {
        self.release_then(owner, count, || self.hand_over(wakeups))
    }

    /// The checks and the fast path of a release; `hand_over` finishes the last level's
    /// release when waiters are queued.
    #[inline(always)]
    fn release_then(&self, owner: u64, count: u64, hand_over: impl FnOnce() -> Status) -> Status {
        if let Err(status) = self.check_request(owner, count) {
            return status;
        }
        if !self.is_locked() {
            return Status::NotLocked;
        }
        if self.owner.load(Ordering::Relaxed) != owner {
            return Status::NotOwner;
        }
        let depth = self.depth.load(Ordering::Relaxed);
        if count > depth {
            return Status::Overflow;
        }
        if count < depth {
            self.depth.store(depth - count, Ordering::Relaxed);
            return Status::Ok;
        }
        if self.unlock_word() {
            Status::Ok
        } else {
            hand_over()
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn release_to_waiters(&self) -> Status {
        let mut wakeups = Wakeups::new();
        let status = self.hand_over(&mut wakeups);
        wakeups.fire();
        status
    }

    /// The hold is given up and waiters are queued: hands the lock to the first live
    /// one, leaving its completion in `wakeups`.
    #[cold]
    fn hand_over(&self, wakeups: &mut Wakeups) -> Status {
        let mut list = lock(&self.waiters);
        let mut handed_off = false;
        let woken = list.complete_first(wakeups, |waiter| {
            if self.fairness == Fairness::Throughput
                && waiter.is_thread()
                && !waiter.request.wants_handoff()
            {
                handed_off = false;
                Outcome::Retry
            } else {
                self.become_owner(waiter.request.owner(), waiter.request.count());
                handed_off = true;
                Outcome::Done(Status::Ok)
            }
        });
        let queued = if list.is_empty() { 0 } else { QUEUED };
        // Nobody else writes the word meanwhile: it is LOCKED (fast paths fail) and every
        // other writer holds the mutex.
        let state = match woken {
            Some(_) if handed_off => LOCKED | queued,
            _ => {
                // A cancelled candidate may have been written as owner before its CAS lost.
                self.owner.store(0, Ordering::Relaxed);
                queued
            }
        };
        self.state.store(state, Ordering::Release);
        drop(list);
        Status::Ok
    }
}

impl Lock {
    /// Moves a waiter popped (claimed) from another line, a condition's, into this lock's
    /// line, or, if the lock is free to take, makes it the owner and completes it at once.
    /// The claim holds off the waiter's own cancel or timeout until this is decided, so
    /// the lock is never taken in the name of a waiter that has already given up.
    pub(crate) fn take_into_line(&self, popped: Popped, wakeups: &mut Wakeups) {
        let request = popped.waiter().request;
        let (owner, count) = (request.owner(), request.count());
        let mut list = lock(&self.waiters);
        match self.admit(owner, count) {
            Some(_) => popped.complete(Outcome::Done(Status::Ok), wakeups),
            None => list.link_popped(popped),
        }
        drop(list);
    }

    /// Takes a condition's waiter that gave up out of `other` (the condition's line, whose
    /// mutex the caller holds) or, if it had been moved on, out of this lock's line.
    /// Both mutexes are held while its links are read: whichever line it stands in, its
    /// links are only written under that line's mutex. Returns whether it was found here.
    pub(crate) fn remove_from_either(
        &self,
        other: &mut WaitList,
        waiter: &Waiter,
        wakeups: &mut Wakeups,
    ) -> bool {
        let mut list = lock(&self.waiters);
        if other.remove(waiter, wakeups) {
            return false;
        }
        let removed = list.remove(waiter, wakeups);
        if removed {
            self.after_withdraw(&mut list, wakeups);
        }
        removed
    }
}

impl WaitSource for Lock {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, list: &mut WaitList, _wakeups: &mut Wakeups) {
        if list.is_empty() {
            self.state.fetch_and(!QUEUED, Ordering::Relaxed);
        }
    }

    fn give_back(&self, request: &Request, _value: u64) {
        let depth = self.depth_of(request.owner());
        if depth > 0 {
            let _ = self.release(request.owner(), depth);
        }
    }
}
