//! The waiter core: the one place where waiting happens. Every primitive is a small
//! policy over these pieces:
//!
//! - [`waiter`]: the one-shot waiter, PENDING → DONE(outcome) by a single CAS;
//! - [`wait_list`]: the primitive's FIFO line, O(1) removal, and the [`Wakeups`] batch
//!   that fires completions after the line's mutex is dropped;
//! - [`parker`]: how a thread sleeps (futex) after a short spin;
//! - [`port`] and [`op`]: async waits that complete on an event loop's port or by callback.
//!
//! A primitive implements [`WaitSource`] and calls [`wait_blocking`] or [`wait_async`]
//! with an `admit` closure that runs under the line's mutex: it either satisfies the
//! request at once (the last re-check that closes the race with a concurrent release) or
//! lets the waiter join the line.

mod deadline;
mod fork;
pub(crate) mod op;
mod parker;
pub(crate) mod port;
pub(crate) mod publish;
mod signal;
pub(crate) mod wait_list;
pub(crate) mod waiter;

use std::ffi::c_void;
use std::sync::Arc;

pub use deadline::Deadline;
pub use op::{Callback, Delivered, Op};
pub use port::{Notify, Port};

use crate::Status;
use crate::sync::{Mutex, lock};
use op::OpInner;
use parker::Parker;
pub(crate) use parker::{broadcast, spin_until};
pub(crate) use wait_list::{Popped, WaitList, Wakeups};
pub(crate) use waiter::{Face, Outcome, Request, Waiter};

/// A primitive with a wait line.
pub(crate) trait WaitSource: Send + Sync {
    /// The line, behind the mutex that also guards the primitive's slow-path state.
    fn waiters(&self) -> &Mutex<WaitList>;

    /// Runs under the mutex after a waiter left the line without a grant (timeout or
    /// cancel), e.g. to clear a "someone is queued" bit once the line is empty, or to
    /// break a barrier (completing the others through `wakeups`).
    fn after_withdraw(&self, list: &mut WaitList, wakeups: &mut Wakeups);

    /// Takes a waiter whose own cancel or timeout won out of the line it stands in.
    fn withdraw(&self, waiter: &Waiter) {
        withdraw_from(self, waiter);
    }

    /// Whether a grant to `request` that could not be delivered (its port was closed) can
    /// be taken back. If not (a queue put: the item may already be consumed), the op keeps
    /// its `Ok` outcome and its callback, if any, hears `Ok`.
    fn takes_back(&self, _request: &Request) -> bool {
        true
    }

    /// Takes back a grant that could not be delivered (its port was closed): the
    /// primitive passes it on as if the grantee had released it. `value` is the value that
    /// came with the grant (a queue getter's item).
    fn give_back(&self, request: &Request, value: u64);
}

/// Where a waiter joins the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Back,
    /// Keeps the place of a waiter that was woken to retry and lost the race.
    Front,
}

/// Blocks the calling thread in `source`'s line until its request is decided or
/// `deadline` passes (then `Done(Timeout)`, and the waiter has left the line; with a
/// deadline already passed, `admit` is one try and the thread never joins). With
/// `spin`, the thread spins briefly before it sleeps: right for direct handoff, where the
/// grant itself arrives; wasteful when a wake only invites a retry.
pub(crate) fn wait_blocking<S: WaitSource + ?Sized>(
    source: &S,
    request: Request,
    place: Place,
    spin: bool,
    deadline: Deadline,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
) -> Outcome {
    wait_blocking_for_value(source, request, place, spin, deadline, admit, || {}).0
}

/// [`wait_blocking`], also returning the value that came with the grant; `after_link` runs
/// once the waiter is in the line and its mutex is dropped, before the thread parks (a
/// condition releases its lock there).
pub(crate) fn wait_blocking_for_value<S: WaitSource + ?Sized>(
    source: &S,
    request: Request,
    place: Place,
    spin: bool,
    deadline: Deadline,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
    after_link: impl FnOnce(),
) -> (Outcome, u64) {
    let parker = Parker::new();
    wait_blocking_with(
        source, request, place, spin, deadline, admit, after_link, parker,
    )
}

/// [`block_until`] for a primitive whose granter decides all its waiters at once and then
/// wakes them with one [`broadcast`] of `word` (an event's `set`): the thread sleeps on
/// that shared word instead of its own.
pub(crate) fn block_until_broadcast<S: WaitSource + ?Sized>(
    source: &S,
    request: Request,
    deadline: Deadline,
    word: &crate::sync::AtomicU32,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
) -> Status {
    final_status(wait_blocking_with(
        source,
        request,
        Place::Back,
        true,
        deadline,
        admit,
        || {},
        Parker::sharing(word),
    ))
    .0
}

/// The outcome of a waiter that is always handed a final status (every primitive but the
/// throughput-mode lock, whose threads may be woken to retry).
fn final_status((outcome, value): (Outcome, u64)) -> (Status, u64) {
    match outcome {
        Outcome::Done(status) => (status, value),
        Outcome::Retry => unreachable!("only throughput-mode locks complete with Retry"),
    }
}

#[allow(clippy::too_many_arguments)]
fn wait_blocking_with<S: WaitSource + ?Sized>(
    source: &S,
    request: Request,
    place: Place,
    spin: bool,
    deadline: Deadline,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
    after_link: impl FnOnce(),
    parker: Parker,
) -> (Outcome, u64) {
    let deadline = deadline.start();
    let waiter = Waiter::new(request, Face::Thread(parker));
    {
        let mut wakeups = Wakeups::new();
        let mut list = lock(source.waiters());
        if let Some(status) = admit(&mut list, &mut wakeups) {
            drop(list);
            wakeups.fire();
            return (Outcome::Done(status), 0);
        }
        if deadline.has_passed() {
            // A zero timeout: `admit` was the one try. Give up as a withdrawn waiter
            // would (clearing a queued bit, breaking a barrier...).
            source.after_withdraw(&mut list, &mut wakeups);
            drop(list);
            wakeups.fire();
            return (Outcome::Done(Status::Timeout), 0);
        }
        // SAFETY: `waiter` stays in this frame until it is unlinked: by a granter (before
        // it decides the outcome, which `park` waits for) or by `withdraw` below.
        unsafe { list.link_thread(&waiter, place == Place::Front) };
    }
    after_link();
    match waiter.park(deadline, spin) {
        Some(outcome) => (outcome, waiter.grant()),
        None => {
            source.withdraw(&waiter);
            (Outcome::Done(Status::Timeout), 0)
        }
    }
}

/// [`wait_blocking`] for the primitives whose waiters are always handed a final status
/// (everything but the throughput-mode lock): joins the back of the line, spins briefly,
/// sleeps. With a deadline that has already passed, `admit` is the only try.
pub(crate) fn block_until<S: WaitSource + ?Sized>(
    source: &S,
    request: Request,
    deadline: Deadline,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
) -> Status {
    block_until_for_value(source, request, deadline, admit).0
}

/// [`block_until`], also returning the value that came with the grant.
pub(crate) fn block_until_for_value<S: WaitSource + ?Sized>(
    source: &S,
    request: Request,
    deadline: Deadline,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
) -> (Status, u64) {
    final_status(wait_blocking_for_value(
        source,
        request,
        Place::Back,
        true,
        deadline,
        admit,
        || {},
    ))
}

/// What starting an async wait did.
#[derive(Debug)]
pub enum Started {
    /// Satisfied (or refused) at once; no completion follows.
    Done(Status),
    /// Queued: the op completes later, exactly once.
    Pending(Op),
}

/// Starts an async wait in `source`'s line.
pub(crate) fn wait_async<S: WaitSource + 'static>(
    source: &Arc<S>,
    request: Request,
    port: Option<&Arc<Port>>,
    callback: Option<Callback>,
    arg: *mut c_void,
    admit: impl FnOnce(&mut WaitList, &mut Wakeups) -> Option<Status>,
) -> Started {
    let mut wakeups = Wakeups::new();
    let mut list = lock(source.waiters());
    if let Some(status) = admit(&mut list, &mut wakeups) {
        drop(list);
        wakeups.fire();
        return Started::Done(status);
    }
    // Allocated only now, under the mutex: a start granted at once touches no allocator.
    let op = OpInner::new(
        Waiter::new(request, Face::Async),
        source.clone(),
        port.cloned(),
        callback,
        arg,
    );
    // Before it is linked, nobody can complete it: tell the starter which op it is.
    publish::announce(&op);
    list.link_async(op.clone(), false);
    drop(list);
    // What `admit` left to do after the unlock (a condition's release hands its lock on).
    wakeups.fire();
    Started::Pending(Op(op))
}

/// The usual withdrawal: out of `source`'s own line.
pub(crate) fn withdraw_from<S: WaitSource + ?Sized>(source: &S, waiter: &Waiter) {
    let mut wakeups = Wakeups::new();
    let mut list = lock(source.waiters());
    if list.remove(waiter, &mut wakeups) {
        source.after_withdraw(&mut list, &mut wakeups);
    }
    drop(list);
    wakeups.fire();
}

/// Memory footprints, for the benchmark report: `(thread_waiter, async_op)` in bytes. A
/// thread waiter lives on the waiting thread's stack; an async op is one heap allocation
/// (the `Arc` header included).
pub fn footprint() -> (usize, usize) {
    (
        std::mem::size_of::<Waiter>(),
        std::mem::size_of::<OpInner>() + 2 * std::mem::size_of::<usize>(),
    )
}
