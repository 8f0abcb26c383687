//! Barriers: a single-use latch, a cyclic barrier, and a cyclic barrier with `reset`.
//!
//! Arrivals stand in one FIFO line; the arrival that makes `parties` completes the phase:
//! every waiter of the phase is handed its arrival index (0 for the first) and the next
//! arrival starts a new phase, so more arrivals than parties form consecutive phases. A
//! timeout, a cancel or `abort` breaks the barrier: every waiter is woken with `Broken`,
//! and so is every later arrival, until `reset` (resettable barriers only). A latch stays
//! open once it has passed: later arrivals return at once (unless it is aborted).
//!
//! All state changes happen under the line's mutex; the atomics only let queries and the
//! "already broken / already passed" fast paths read without it.

use std::ffi::c_void;
use std::sync::Arc;

use crate::Status;
use crate::sync::{AtomicU32, AtomicU64, Mutex, Ordering, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

/// What a barrier does after a phase and whether it can be reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarrierKind {
    /// Single use: once `parties` have arrived it stays open.
    Latch,
    /// Cyclic; once broken, broken forever.
    Cyclic,
    /// Cyclic, and `reset` repairs it.
    Resettable,
}

const BROKEN: u32 = 1;
const PASSED: u32 = 2;

pub struct Barrier {
    parties: u64,
    kind: BarrierKind,
    /// Arrivals in the current phase.
    arrived: AtomicU64,
    flags: AtomicU32,
    waiters: Mutex<WaitList>,
}

impl Barrier {
    /// A barrier for `parties` arrivals (0: nobody passes; waits end only broken).
    pub fn new(parties: u64, kind: BarrierKind) -> Result<Barrier, Status> {
        if parties > i64::MAX as u64 {
            return Err(Status::Invalid);
        }
        Ok(Barrier {
            parties,
            kind,
            arrived: AtomicU64::new(0),
            flags: AtomicU32::new(0),
            waiters: Mutex::new(WaitList::new()),
        })
    }

    pub fn parties(&self) -> u64 {
        self.parties
    }

    pub fn kind(&self) -> BarrierKind {
        self.kind
    }

    pub fn is_broken(&self) -> bool {
        self.flags.load(Ordering::Acquire) & BROKEN != 0
    }

    /// Whether a latch has passed.
    pub fn has_passed(&self) -> bool {
        self.flags.load(Ordering::Acquire) & PASSED != 0
    }

    pub fn waiting(&self) -> usize {
        lock(&self.waiters).len()
    }

    /// Arrives and waits for the phase to fill: `Ok` with the arrival index, `Broken`, or
    /// `Timeout` (which breaks the barrier for everyone).
    pub fn wait(&self, deadline: Deadline) -> (Status, u64) {
        let mut mine = None;
        let (status, index) = wait::block_until_for_value(
            self,
            Request::default(),
            deadline.start(),
            |list, wakeups| self.arrive(list, wakeups, &mut mine),
        );
        match status {
            Status::Ok => (Status::Ok, mine.unwrap_or(index)),
            other => (other, 0),
        }
    }

    /// Arrives without blocking: `Done(Ok)` with this arrival's index (it completed the
    /// phase, or the latch is open), `Done(Broken)`, or `Pending` (the op's value is the
    /// arrival index once it completes `Ok`).
    pub fn wait_async(
        self: &Arc<Self>,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> (Started, u64) {
        let mut mine = None;
        let started = wait::wait_async(
            self,
            Request::default(),
            port,
            callback,
            arg,
            |list, wakeups| self.arrive(list, wakeups, &mut mine),
        );
        (started, mine.unwrap_or(0))
    }

    /// Under the line's mutex: counts this arrival. Completes the phase when it is the
    /// last one (writing its own index to `index`), or lets it join the line.
    fn arrive(
        &self,
        list: &mut WaitList,
        wakeups: &mut Wakeups,
        index: &mut Option<u64>,
    ) -> Option<Status> {
        let flags = self.flags.load(Ordering::Relaxed);
        if flags & BROKEN != 0 {
            return Some(Status::Broken);
        }
        if flags & PASSED != 0 {
            *index = Some(0);
            return Some(Status::Ok);
        }
        let arrived = self.arrived.load(Ordering::Relaxed) + 1;
        if self.parties == 0 || arrived < self.parties {
            self.arrived.store(arrived, Ordering::Relaxed);
            return None;
        }
        // The phase is full: hand every waiter its index (fired after the mutex).
        let mut next = 0;
        while list
            .complete_first(wakeups, |waiter| {
                waiter.set_grant(next);
                Outcome::Done(Status::Ok)
            })
            .is_some()
        {
            next += 1;
        }
        self.arrived.store(0, Ordering::Relaxed);
        if self.kind == BarrierKind::Latch {
            self.flags.fetch_or(PASSED, Ordering::Release);
        }
        *index = Some(next);
        Some(Status::Ok)
    }

    /// Breaks the barrier: every waiter, and every later arrival, gets `Broken`.
    pub fn abort(&self) {
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        self.break_locked(&mut list, &mut wakeups);
        drop(list);
        wakeups.fire();
    }

    fn break_locked(&self, list: &mut WaitList, wakeups: &mut Wakeups) {
        self.flags.fetch_or(BROKEN, Ordering::Release);
        list.complete_all(wakeups, Outcome::Done(Status::Broken));
    }

    /// Repairs a resettable barrier: current waiters get `Broken`, the phase starts over.
    /// `Invalid` for the other kinds.
    pub fn reset(&self) -> Status {
        if self.kind != BarrierKind::Resettable {
            return Status::Invalid;
        }
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        list.complete_all(&mut wakeups, Outcome::Done(Status::Broken));
        self.arrived.store(0, Ordering::Relaxed);
        self.flags.store(0, Ordering::Release);
        drop(list);
        wakeups.fire();
        Status::Ok
    }
}

impl WaitSource for Barrier {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, list: &mut WaitList, wakeups: &mut Wakeups) {
        self.break_locked(list, wakeups);
    }

    /// A waiter whose timeout or cancel won breaks the barrier for everyone, even when a
    /// phase formed meanwhile and already took it off the line (that phase passed without
    /// it, so the barrier must not look whole).
    fn withdraw(&self, waiter: &crate::wait::Waiter) {
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        list.remove(waiter, &mut wakeups);
        self.break_locked(&mut list, &mut wakeups);
        drop(list);
        wakeups.fire();
    }

    /// An arrival index cannot be given back; the phase already passed.
    fn give_back(&self, _request: &Request, _value: u64) {}
}
