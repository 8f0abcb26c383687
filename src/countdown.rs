//! Countdown event: a count that waiters wait to see pass through zero.
//!
//! `up(n)` adds, `down()` subtracts one (below zero is `Overflow`), `clear()` drops the
//! count to zero. Every change happens under the line's mutex, so the waiters woken are
//! exactly those queued before the count reached zero; a waiter arriving while the count
//! is zero returns at once. The fast path of `wait` reads the count without the mutex.

use std::ffi::c_void;
use std::sync::Arc;

use crate::Status;
use crate::sync::{AtomicU64, Mutex, Ordering, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

/// The largest count.
pub const COUNTDOWN_MAX: u64 = i64::MAX as u64;

pub struct Countdown {
    count: AtomicU64,
    waiters: Mutex<WaitList>,
}

impl Countdown {
    /// A countdown starting at `initial` (`Invalid` above [`COUNTDOWN_MAX`]).
    pub fn new(initial: u64) -> Result<Countdown, Status> {
        if initial > COUNTDOWN_MAX {
            return Err(Status::Invalid);
        }
        Ok(Countdown {
            count: AtomicU64::new(initial),
            waiters: Mutex::new(WaitList::new()),
        })
    }

    pub fn value(&self) -> u64 {
        self.count.load(Ordering::Acquire)
    }

    pub fn waiting(&self) -> usize {
        lock(&self.waiters).len()
    }

    /// Adds `n` (≥ 1). `Overflow` past [`COUNTDOWN_MAX`] (nothing changes).
    pub fn up(&self, n: u64) -> Status {
        if n == 0 {
            return Status::Invalid;
        }
        let _list = lock(&self.waiters);
        match self.value().checked_add(n) {
            Some(total) if total <= COUNTDOWN_MAX => {
                self.count.store(total, Ordering::Release);
                Status::Ok
            }
            _ => Status::Overflow,
        }
    }

    /// Subtracts one; reaching zero wakes every waiter. `Overflow` at zero.
    pub fn down(&self) -> Status {
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        let count = self.value();
        if count == 0 {
            return Status::Overflow;
        }
        self.count.store(count - 1, Ordering::Release);
        if count == 1 {
            list.complete_all(&mut wakeups, Outcome::Done(Status::Ok));
        }
        drop(list);
        wakeups.fire();
        Status::Ok
    }

    /// Drops the count to zero, waking every waiter.
    pub fn clear(&self) {
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        self.count.store(0, Ordering::Release);
        list.complete_all(&mut wakeups, Outcome::Done(Status::Ok));
        drop(list);
        wakeups.fire();
    }

    /// Waits until the count is zero: `Ok` or `Timeout`.
    pub fn wait(&self, deadline: Deadline) -> Status {
        if self.value() == 0 {
            return Status::Ok;
        }
        wait::block_until(self, Request::default(), deadline, |_, _| self.admit())
    }

    /// `Done(Ok)` if the count is zero now, else `Pending` until it passes through zero.
    pub fn wait_async(
        self: &Arc<Self>,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        if self.value() == 0 {
            return Started::Done(Status::Ok);
        }
        wait::wait_async(self, Request::default(), port, callback, arg, |_, _| {
            self.admit()
        })
    }

    fn admit(&self) -> Option<Status> {
        (self.value() == 0).then_some(Status::Ok)
    }
}

impl WaitSource for Countdown {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, _list: &mut WaitList, _wakeups: &mut Wakeups) {}

    fn give_back(&self, _request: &Request) {}
}
