//! Condition variables, bound to a weft lock (plain or reentrant) or lockless.
//!
//! `wait` joins the condition's line, then releases the lock (saving the owner's depth in
//! its request), then sleeps. `notify` moves waiters, first in first out, straight into the
//! lock's line (or, if the lock is free, makes them its owner at once), so a notified
//! waiter wakes already holding the lock with its depth restored: one wakeup, not two.
//! `notify_all` holds the condition's mutex while it moves everyone, so only waiters that
//! were waiting when it started are woken; a re-wait joins after it.
//!
//! The rule: a waiter that `notify` counted either returns notified, holding the lock,
//! or its notification goes to the next waiter in the condition's line. A notified waiter
//! can still give up while it stands in the lock's line (its cancel or timeout wins) or
//! after its grant (its port is closed before the completion is delivered): `withdraw`
//! finds it marked `NOTIFIED` and notifies the next waiter; `give_back` does the same and
//! releases the lock it was granted. And a wait that ended without being notified holds
//! nothing when its completion runs: `notify` *claims* each waiter as it takes it off
//! the line (`Waiter::try_claim`), so the lock is taken in a waiter's name only while
//! that waiter cannot give up; one that already gave up is skipped.
//!
//! A blocking waiter that gave up re-acquires the lock before it returns (as
//! `pthread_cond_timedwait` does); an async one completes `Cancelled` without the lock.
//! An async start releases the lock under the condition's mutex, in the hold that links
//! its op and before the op is published, so that a cancel from another thread (which can
//! reach the op as soon as `*op_out` is written) completes it only once the lock is
//! released.
//! Lock order: the condition's mutex, then the lock's.

use std::ffi::c_void;
use std::sync::Arc;

use crate::Lock;
use crate::Status;
use crate::owner::OwnerRequest;
use crate::sync::{Mutex, MutexGuard, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Place, Port, Request, Started, WaitList, WaitSource, Waiter,
    Wakeups,
};

/// The grant value of a waiter that `notify` moved on.
const NOTIFIED: u64 = 1;

pub struct Condition {
    lock: Option<Arc<Lock>>,
    waiters: Mutex<WaitList>,
}

impl Condition {
    /// A condition bound to `lock`, or lockless (`None`: `wait` only waits for a notify).
    pub fn new(lock: Option<Arc<Lock>>) -> Condition {
        Condition {
            lock,
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub fn lock(&self) -> Option<&Arc<Lock>> {
        self.lock.as_ref()
    }

    pub fn waiting(&self) -> usize {
        lock(&self.waiters).len()
    }

    /// The depth `owner` holds on the bound lock, or `NotOwner`.
    fn held_depth(&self, owner: u64) -> Result<u64, Status> {
        match &self.lock {
            None => Ok(0),
            Some(bound) => match bound.depth_of(owner) {
                0 => Err(Status::NotOwner),
                depth => Ok(depth),
            },
        }
    }

    fn release_held(&self, owner: u64, depth: u64) {
        if let Some(bound) = &self.lock {
            let released = bound.release(owner, depth);
            debug_assert_eq!(released, Status::Ok);
        }
    }

    /// Waits for a notify as `owner`, who must hold the bound lock: `Ok` (notified, lock
    /// held again with the same depth), `Timeout` (lock held again), `NotOwner`.
    pub fn wait(&self, owner: u64, deadline: Deadline) -> Status {
        let depth = match self.held_depth(owner) {
            Ok(depth) => depth,
            Err(status) => return status,
        };
        if deadline.has_passed() {
            return Status::Timeout; // a zero timeout: nothing to wait for, lock still held
        }
        let request = Request::for_owner(owner, depth, true);
        let (status, _) = {
            let outcome = wait::wait_blocking_for_value(
                self,
                request,
                Place::Back,
                true,
                deadline.start(),
                |_, _| None,
                || self.release_held(owner, depth),
            );
            match outcome {
                (Outcome::Done(status), value) => (status, value),
                (Outcome::Retry, _) => unreachable!("conditions hand off"),
            }
        };
        if status != Status::Ok {
            // Re-acquire what the wait released. A deadline that passed just before the
            // waiter would have joined the line (`wait_blocking_for_value`'s one try)
            // released nothing: taking the lock again would double a reentrant depth.
            if let Some(bound) = self
                .lock
                .as_ref()
                .filter(|bound| bound.depth_of(owner) == 0)
            {
                let again = bound.acquire(owner, depth, Deadline::Never);
                debug_assert_eq!(again, Status::Ok);
            }
        }
        status
    }

    /// Starts an async wait as `owner` (who must hold the bound lock): `Pending`, and the
    /// op completes `Ok` once notified *and* holding the lock again, or `Cancelled`
    /// (without the lock). The lock is released before this returns.
    pub fn wait_async(
        self: &Arc<Self>,
        owner: u64,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        let depth = match self.held_depth(owner) {
            Ok(depth) => depth,
            Err(status) => return Started::Done(status),
        };
        let request = Request::for_owner(owner, depth, true);
        // The lock is released in `admit`: under the condition's mutex, before the op
        // exists, and so before `*op_out` is written and anyone can cancel the op (the
        // hand-over's completions fire once the mutex is dropped). The link follows in
        // the same hold, so no notify falls between the release and the link. And a
        // cancel's completion runs only after its `withdraw` took this mutex, which
        // orders it after the release whatever the C caller's `*op_out` read did.
        // Releasing after the start returned, as before, left a window between the link
        // and the release in which a cancel's callback ran with the lock still the
        // waiter's (loom: `cancel_races_the_start`).
        wait::wait_async(self, request, port, callback, arg, |_, wakeups| {
            if let Some(bound) = &self.lock {
                let released = bound.release_deferring(owner, depth, wakeups);
                debug_assert_eq!(released, Status::Ok);
            }
            None
        })
    }

    /// Wakes up to `n` waiters in FIFO order; returns how many. Each one counted either
    /// returns notified (holding the lock) or, if it gives up after all (cancel, timeout,
    /// its port closed), passes the notification on to the next waiter.
    pub fn notify(&self, n: usize) -> usize {
        let mut wakeups = Wakeups::new();
        let mut line = lock(&self.waiters);
        let moved = self.notify_locked(&mut line, n, &mut wakeups);
        drop(line);
        wakeups.fire();
        moved
    }

    /// Wakes every waiter waiting now; returns how many.
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }

    /// Under the condition's mutex: moves up to `n` pending waiters on; returns how many.
    /// Each is claimed as it leaves the line, so it cannot give up half-way through the
    /// move: a waiter that already gave up is skipped, and the next one is notified.
    fn notify_locked(
        &self,
        line: &mut MutexGuard<'_, WaitList>,
        n: usize,
        wakeups: &mut Wakeups,
    ) -> usize {
        let mut moved = 0;
        while moved < n {
            let Some(popped) = line.pop_front_claimed(wakeups) else {
                break;
            };
            match &self.lock {
                None => popped.complete(Outcome::Done(Status::Ok), wakeups),
                Some(bound) => {
                    // Marked before the move, for a later `withdraw` or `give_back`: this
                    // waiter carries a notification. Written under this mutex.
                    popped.waiter().set_grant(NOTIFIED);
                    bound.take_into_line(popped, wakeups);
                }
            }
            moved += 1;
        }
        moved
    }
}

impl WaitSource for Condition {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, _list: &mut WaitList, _wakeups: &mut Wakeups) {}

    /// Out of the condition's line, or out of the lock's if it had been moved there; in
    /// that case it had been notified, and the notification goes to the next waiter.
    fn withdraw(&self, waiter: &Waiter) {
        let mut wakeups = Wakeups::new();
        let mut line = lock(&self.waiters);
        match &self.lock {
            None => {
                line.remove(waiter, &mut wakeups);
            }
            Some(bound) => {
                bound.remove_from_either(&mut line, waiter, &mut wakeups);
            }
        }
        // Notified (moved on; maybe already taken off the lock's line by a release that
        // then lost to this waiter's own cancel): pass the notification on. A lockless
        // waiter is never marked: its notification is its completion, which it lost.
        if waiter.grant() == NOTIFIED {
            self.notify_locked(&mut line, 1, &mut wakeups);
        }
        drop(line);
        wakeups.fire();
    }

    /// A notification that could not be delivered (the waiter's port was closed) comes
    /// with a held lock: pass the notification on, then release the lock (so the next
    /// waiter, now in the lock's line, is handed it).
    fn give_back(&self, request: &Request, _value: u64) {
        self.notify(1);
        self.release_held(request.owner(), request.count());
    }
}
