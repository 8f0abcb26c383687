//! The one-shot waiter: the single arbiter of every wait.
//!
//! ```text
//!            try_complete(outcome)          (the granter, a canceller, a timeout, a close)
//!   PENDING ─────────────────────────────▶ DONE(outcome)
//!      │ thread about to sleep (CAS)            ▲
//!      ▼                                        │ try_complete: the waker must FUTEX_WAKE
//!   SLEEPING ───────────────────────────────────┘
//! ```
//!
//! Exactly one `try_complete` wins; the winner owns the outcome and receives the
//! [`Completion`] token, which must be fired (after every internal lock is dropped) to tell
//! the waiter. A loser learns the outcome that won and acts on it (for example a timed-out
//! thread that lost to a grant owns the lock).
//!
//! A granter that must first *take* something for the waiter (a queue's next item) claims
//! it (`try_claim`: the `CLAIMED` bit over `PENDING` or `SLEEPING`), takes the thing, and
//! then either completes the claimed waiter (`complete_claimed`) or lets it go (`unclaim`).
//! Meanwhile the waiter's own cancel or timeout waits (a few instructions): so what was
//! taken for a waiter is never refused, and never has to be put back behind the others.
//! Claims are made only under the waiter's line mutex, by its holder, who ends the claim
//! before unlocking; nobody waits for a claim while holding that mutex.

use std::sync::Arc;

use super::op::OpInner;
use super::parker::{Parker, Unparker};
use crate::Status;
use crate::sync::{AtomicU32, AtomicU64, Ordering, UnsafeCell, snooze};

const PENDING: u32 = 0;
const SLEEPING: u32 = 1;
/// Final states are `DONE | code`; `RETRY` is internal (wake to retry, nothing granted).
const DONE: u32 = 0x100;
const RETRY: u32 = DONE | 0xff;
/// Over `PENDING` or `SLEEPING`: a granter is deciding (see the module comment).
const CLAIMED: u32 = 0x200;

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Finished with a status (`Ok` = granted).
    Done(Status),
    /// Woken without a grant: try again (throughput-mode locks wake threads this way).
    Retry,
}

impl Outcome {
    fn encode(self) -> u32 {
        match self {
            Outcome::Done(status) => DONE | status.code() as u32,
            Outcome::Retry => RETRY,
        }
    }

    fn decode(word: u32) -> Option<Outcome> {
        if word == RETRY {
            Some(Outcome::Retry)
        } else if word & DONE != 0 {
            Some(Outcome::Done(
                Status::from_code((word & 0xff) as i32).unwrap_or(Status::Internal),
            ))
        } else {
            None
        }
    }
}

/// What a waiter asks its primitive for, read by the granter: two payload words and a
/// flag. Their meaning belongs to the primitive, which builds and reads them only through
/// typed accessors in its own file (an owner's request in `owner.rs`: token, levels,
/// direct handoff; a queue putter's item and priority in `queue/line.rs`). The core never
/// looks inside.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Request {
    pub words: [u64; 2],
    pub flag: bool,
}

/// How the waiter learns of its outcome.
pub(crate) enum Face {
    /// A thread sleeping on the state word.
    Thread(Parker),
    /// An async op: the waiter is the first field of an `Arc<OpInner>`.
    Async,
}

/// Intrusive links, guarded by the mutex of the wait list the waiter is in.
pub(crate) struct Links {
    pub prev: *const Waiter,
    pub next: *const Waiter,
    /// The list the waiter is linked into, or null. A waiter can move between lists (a
    /// condition's, then a lock's), so "linked" alone would not say *where*.
    pub list: *const super::WaitList,
}

/// A one-shot waiter. Lives on a blocked thread's stack, or inside an async op.
pub(crate) struct Waiter {
    state: AtomicU32,
    /// A value that comes with the grant (a barrier arrival index...), written by the
    /// granter before its CAS and read by the waiter after it saw the outcome.
    grant: AtomicU64,
    pub(crate) links: UnsafeCell<Links>,
    pub(crate) request: Request,
    face: Face,
}

// SAFETY: the links are only touched under the owning list's mutex; everything else is
// atomic or immutable after construction.
unsafe impl Send for Waiter {}
unsafe impl Sync for Waiter {}

impl Waiter {
    pub(crate) fn new(request: Request, face: Face) -> Waiter {
        Waiter {
            state: AtomicU32::new(PENDING),
            grant: AtomicU64::new(0),
            links: UnsafeCell::new(Links {
                prev: std::ptr::null(),
                next: std::ptr::null(),
                list: std::ptr::null(),
            }),
            request,
            face,
        }
    }

    /// The outcome, once decided.
    pub(crate) fn outcome(&self) -> Option<Outcome> {
        Outcome::decode(self.state.load(Ordering::Acquire))
    }

    /// The status as an async op reports it: `Pending` until decided.
    pub(crate) fn status(&self) -> Status {
        match self.outcome() {
            None => Status::Pending,
            Some(Outcome::Done(status)) => status,
            Some(Outcome::Retry) => Status::Internal,
        }
    }

    /// Blocks the calling thread (not the waiter's: an async op's observer) until the
    /// outcome is decided or `deadline` (started) passes; `true` if decided. The decider
    /// must wake the state word afterwards (`OpInner::deliver_now` does, for watched ops).
    pub(crate) fn wait_decided(&self, deadline: super::Deadline) -> bool {
        loop {
            let current = self.state.load(Ordering::Acquire);
            if current & DONE != 0 {
                return true;
            }
            if deadline.has_passed() {
                return false;
            }
            super::parker::sleep_on(&self.state, current, deadline);
        }
    }

    /// Wakes the threads in [`wait_decided`](Self::wait_decided).
    pub(crate) fn wake_observers(&self) {
        super::parker::wake_all(&self.state);
    }

    /// Records the value that comes with a grant; call before `try_complete`.
    pub(crate) fn set_grant(&self, value: u64) {
        self.grant.store(value, Ordering::Relaxed);
    }

    /// The value that came with the grant (valid once the outcome was observed).
    pub(crate) fn grant(&self) -> u64 {
        self.grant.load(Ordering::Relaxed)
    }

    pub(crate) fn is_thread(&self) -> bool {
        matches!(self.face, Face::Thread(_))
    }

    /// Decides the outcome if nobody has yet. The winner gets the token that tells the
    /// waiter; it must be fired once the caller holds no internal lock.
    #[must_use]
    pub(crate) fn try_complete(&self, outcome: Outcome) -> Option<Completion> {
        // Taken before the CAS: once the state is final a thread waiter may return and
        // its stack frame, this waiter included, may be gone.
        let unparker = match &self.face {
            Face::Thread(parker) => Some(parker.unparker(&self.state)),
            Face::Async => None,
        };
        let mut current = self.state.load(Ordering::Relaxed);
        let backoff = crossbeam_utils::Backoff::new();
        loop {
            if current & DONE != 0 {
                return None;
            }
            if current & CLAIMED != 0 {
                // A granter is deciding: its answer comes within a few instructions.
                snooze(&backoff);
                current = self.state.load(Ordering::Relaxed);
                continue;
            }
            match self.state.compare_exchange_weak(
                current,
                outcome.encode(),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        Some(match unparker {
            Some(unparker) => Completion::Unpark((current == SLEEPING).then_some(unparker)),
            // SAFETY: an async waiter is the first field of a live `Arc<OpInner>` (the
            // caller reached it through a reference that keeps the Arc alive).
            None => Completion::Deliver(unsafe { OpInner::arc_from_waiter(self) }),
        })
    }

    /// Claims the waiter for a grant still to be decided (see the module comment): `false`
    /// if its outcome is already decided. Only under the waiter's line mutex; end the
    /// claim with [`complete_claimed`](Self::complete_claimed) or
    /// [`unclaim`](Self::unclaim) before unlocking.
    pub(crate) fn try_claim(&self) -> bool {
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            if current & DONE != 0 {
                return false;
            }
            debug_assert!(current & CLAIMED == 0, "a waiter claimed twice");
            match self.state.compare_exchange_weak(
                current,
                current | CLAIMED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// Ends a claim without deciding: the waiter is pending as before.
    pub(crate) fn unclaim(&self) {
        self.state.fetch_and(!CLAIMED, Ordering::Release);
    }

    /// Decides a claimed waiter's outcome (nobody else can meanwhile).
    pub(crate) fn complete_claimed(&self, outcome: Outcome) -> Completion {
        let unparker = match &self.face {
            Face::Thread(parker) => Some(parker.unparker(&self.state)),
            Face::Async => None,
        };
        let previous = self.state.swap(outcome.encode(), Ordering::AcqRel);
        debug_assert!(previous & CLAIMED != 0 && previous & DONE == 0);
        match unparker {
            Some(unparker) => {
                Completion::Unpark((previous & !CLAIMED == SLEEPING).then_some(unparker))
            }
            // SAFETY: as in `try_complete`.
            None => Completion::Deliver(unsafe { OpInner::arc_from_waiter(self) }),
        }
    }

    /// Overwrites a final outcome. Only for the one party that already owns the outcome
    /// (a port that gave a grant back turns it into `Cancelled`).
    pub(crate) fn overwrite_outcome(&self, outcome: Outcome) {
        debug_assert!(self.outcome().is_some());
        self.state.store(outcome.encode(), Ordering::Release);
    }

    /// Blocks the calling thread (the waiter's own) until the outcome is decided or the
    /// deadline passes, spinning briefly first if `spin` (worth it when a grant is handed
    /// over directly). Returns `None` when this call's own timeout won the race: the
    /// waiter must then be withdrawn from its list.
    pub(crate) fn park(&self, deadline: super::Deadline, spin: bool) -> Option<Outcome> {
        let Face::Thread(parker) = &self.face else {
            unreachable!("only thread waiters park")
        };
        if spin && super::parker::spin_until(|| self.outcome().is_some()) {
            return self.outcome();
        }
        if let Some(word) = parker.shared() {
            return self.park_on_shared(word, deadline);
        }
        // PENDING → SLEEPING, keeping a granter's claim (whose completion then wakes us).
        let backoff = crossbeam_utils::Backoff::new();
        let mut current = self.state.load(Ordering::Acquire);
        loop {
            if current & DONE != 0 {
                return self.outcome();
            }
            match self.state.compare_exchange_weak(
                current,
                current | SLEEPING,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        loop {
            parker.sleep(&self.state, SLEEPING, deadline);
            if let Some(outcome) = self.outcome() {
                return Some(outcome);
            }
            if deadline.has_passed() {
                return self.time_out();
            }
            if self.state.load(Ordering::Relaxed) & CLAIMED != 0 {
                // The word is not `SLEEPING` while a granter decides: wait it out.
                snooze(&backoff);
            }
        }
    }
}

impl Waiter {
    /// The waiting thread's own timeout: `None` if it won (the waiter must then be
    /// withdrawn from its line), else the outcome that won first.
    fn time_out(&self) -> Option<Outcome> {
        match self.try_complete(Outcome::Done(Status::Timeout)) {
            // Our own thread is the waiter: nobody else needs telling.
            Some(completion) => {
                completion.discard_self();
                None
            }
            None => self.outcome(),
        }
    }

    /// `park` for a waiter that sleeps on a word shared by its primitive's thread waiters
    /// (an event's). Its state never becomes `SLEEPING`, so a granter's completion wakes
    /// nobody by itself: the granter decides every waiter, then [`broadcast`]s the word.
    /// The word is read *before* the outcome: a decision made after that read comes with a
    /// bump of the word, which the futex wait then sees (or whose wake it gets).
    ///
    /// [`broadcast`]: super::parker::broadcast
    fn park_on_shared(&self, word: &AtomicU32, deadline: super::Deadline) -> Option<Outcome> {
        let Face::Thread(parker) = &self.face else {
            unreachable!("only thread waiters park")
        };
        loop {
            let seen = word.load(Ordering::SeqCst);
            if let Some(outcome) = self.outcome() {
                return Some(outcome);
            }
            if deadline.has_passed() {
                return self.time_out();
            }
            parker.sleep(word, seen, deadline);
        }
    }
}

/// Proof of having decided a waiter's outcome; fire it to tell the waiter, exactly once.
#[must_use = "a completion must be fired, or the waiter is never told"]
pub(crate) enum Completion {
    /// A thread waiter: wake it if it went to sleep.
    Unpark(Option<Unparker>),
    /// An async op: deliver to its port or call its callback.
    Deliver(Arc<OpInner>),
}

impl Completion {
    /// Tells the waiter. Must be called with no internal lock held: it may run user code.
    pub(crate) fn fire(self) {
        match self {
            Completion::Unpark(Some(unparker)) => unparker.unpark(),
            Completion::Unpark(None) => {}
            Completion::Deliver(op) => OpInner::deliver(op),
        }
    }

    /// `fire`, but an async op's delivery happens inside this call even when the thread is
    /// already delivering (a cancel's callback runs inside `weft_op_cancel`, as promised).
    pub(crate) fn fire_at_once(self) {
        match self {
            Completion::Deliver(op) => OpInner::deliver_now(op),
            other => other.fire(),
        }
    }

    /// A thread that completed its own waiter (its timeout won) has nobody to tell.
    fn discard_self(self) {
        debug_assert!(matches!(self, Completion::Unpark(_)));
    }
}
