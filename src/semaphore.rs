//! Counting semaphore, optionally bounded, with FIFO handoff.
//!
//! State word: `value << 1 | QUEUED`. Invariant: `QUEUED` (someone may be in the line)
//! implies `value == 0`, because a release with waiters hands its permits to them and
//! only puts the remainder back once the line is empty. So a try-acquire that finds a
//! permit never overtakes a waiter (no barging), and the uncontended paths are one CAS.

use std::ffi::c_void;
use std::sync::Arc;

use crate::Status;
use crate::sync::{AtomicU64, Mutex, Ordering, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

const QUEUED: u64 = 1;
const ONE: u64 = 2;
/// The largest value or bound a semaphore can hold.
pub const SEMAPHORE_MAX: u64 = i64::MAX as u64;

pub struct Semaphore {
    state: AtomicU64,
    /// `SEMAPHORE_MAX` when unbounded.
    max: u64,
    waiters: Mutex<WaitList>,
}

impl Semaphore {
    /// A semaphore with `initial` permits, never more than `max` (unbounded if `None`).
    /// `Invalid` if `initial > max` or either exceeds [`SEMAPHORE_MAX`].
    pub fn new(initial: u64, max: Option<u64>) -> Result<Semaphore, Status> {
        let bound = max.unwrap_or(SEMAPHORE_MAX);
        if initial > bound || bound > SEMAPHORE_MAX {
            return Err(Status::Invalid);
        }
        Ok(Semaphore {
            state: AtomicU64::new(initial * ONE),
            max: bound,
            waiters: Mutex::new(WaitList::new()),
        })
    }

    /// Permits available now.
    pub fn value(&self) -> u64 {
        self.state.load(Ordering::Relaxed) >> 1
    }

    /// The bound, or `None` when unbounded.
    pub fn max(&self) -> Option<u64> {
        (self.max != SEMAPHORE_MAX).then_some(self.max)
    }

    /// How many waiters are in line.
    pub fn waiting(&self) -> usize {
        lock(&self.waiters).len()
    }

    /// Takes a permit if one is free: `Ok` or `WouldBlock`.
    pub fn try_acquire(&self) -> Status {
        let mut state = self.state.load(Ordering::Relaxed);
        while state >= ONE {
            match self.state.compare_exchange_weak(
                state,
                state - ONE,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Status::Ok,
                Err(actual) => state = actual,
            }
        }
        Status::WouldBlock
    }

    /// Takes a permit, waiting in line until `deadline`: `Ok` or `Timeout`.
    pub fn acquire(&self, deadline: Deadline) -> Status {
        match self.try_acquire() {
            Status::WouldBlock => {
                wait::block_until(self, Request::default(), deadline.start(), |_, _| {
                    self.admit()
                })
            }
            status => status,
        }
    }

    /// Takes a permit now (`Done(Ok)`) or later through `port` / `callback` (`Pending`).
    pub fn acquire_async(
        self: &Arc<Self>,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        match self.try_acquire() {
            Status::Ok => Started::Done(Status::Ok),
            _ => wait::wait_async(self, Request::default(), port, callback, arg, |_, _| {
                self.admit()
            }),
        }
    }

    /// Under the line's mutex: take a permit, or mark the line queued.
    fn admit(&self) -> Option<Status> {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            let wanted = if state >= ONE {
                state - ONE
            } else if state & QUEUED != 0 {
                return None;
            } else {
                state | QUEUED
            };
            match self.state.compare_exchange_weak(
                state,
                wanted,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) if state >= ONE => return Some(Status::Ok),
                Ok(_) => return None,
                Err(actual) => state = actual,
            }
        }
    }

    /// Returns `n` permits: the first `n` live waiters get one each, the rest become
    /// free. `Overflow` (nothing changes) if the value would pass the bound; `Invalid`
    /// for `n == 0`.
    pub fn release(&self, n: u64) -> Status {
        if n == 0 || n > SEMAPHORE_MAX {
            return Status::Invalid;
        }
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & QUEUED != 0 {
                return self.release_to_waiters(n);
            }
            let value = state >> 1;
            if value + n > self.max {
                return Status::Overflow;
            }
            match self.state.compare_exchange_weak(
                state,
                state + n * ONE,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Status::Ok,
                Err(actual) => state = actual,
            }
        }
    }

    fn release_to_waiters(&self, n: u64) -> Status {
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        let state = self.state.load(Ordering::Relaxed);
        if state & QUEUED == 0 {
            // The line emptied (withdrawals) before we got the mutex.
            drop(list);
            return self.release(n);
        }
        debug_assert_eq!(state >> 1, 0, "QUEUED implies no free permit");
        if n > self.max {
            return Status::Overflow;
        }
        let mut left = n;
        while left > 0
            && list
                .complete_first(&mut wakeups, |_| Outcome::Done(Status::Ok))
                .is_some()
        {
            left -= 1;
        }
        if list.is_empty() {
            // Nobody can touch the word meanwhile: fast paths see value 0 or QUEUED.
            self.state.store(left * ONE, Ordering::Release);
        }
        drop(list);
        wakeups.fire();
        Status::Ok
    }
}

impl WaitSource for Semaphore {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, list: &mut WaitList, _wakeups: &mut Wakeups) {
        if list.is_empty() {
            self.state.fetch_and(!QUEUED, Ordering::Relaxed);
        }
    }

    fn give_back(&self, _request: &Request, _value: u64) {
        let _ = self.release(1);
    }
}
