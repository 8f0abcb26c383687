//! Countdown event: a count that waiters wait to see pass through zero.
//!
//! `up(n)` adds, `down()` subtracts one (below zero is `Overflow`), `clear()` drops the
//! count to zero. Every step *to zero* happens under the line's mutex, so the waiters
//! woken are exactly those queued before the count reached zero; a waiter arriving while
//! the count is zero returns at once. Steps that cannot reach zero (any `up`, a `down`
//! from above one) are lock-free CASes: they change nothing a waiter decides on. The fast
//! path of `wait` reads the count without the mutex.

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

    /// Adds `n` (≥ 1). `Overflow` past [`COUNTDOWN_MAX`] (nothing changes). Lock-free:
    /// raising the count wakes nobody, and a waiter only joins the line after seeing a
    /// nonzero count under the mutex, which the waking `down` takes too.
    pub fn up(&self, n: u64) -> Status {
        if n == 0 {
            return Status::Invalid;
        }
        let mut count = self.count.load(Ordering::Relaxed);
        loop {
            let Some(total) = count.checked_add(n).filter(|&t| t <= COUNTDOWN_MAX) else {
                return Status::Overflow;
            };
            match self.count.compare_exchange_weak(
                count,
                total,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Status::Ok,
                Err(actual) => count = actual,
            }
        }
    }

    /// Subtracts one; reaching zero wakes every waiter. `Overflow` at zero. Only the step
    /// to zero takes the mutex.
    pub fn down(&self) -> Status {
        let mut count = self.count.load(Ordering::Relaxed);
        while count > 1 {
            match self.count.compare_exchange_weak(
                count,
                count - 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Status::Ok,
                Err(actual) => count = actual,
            }
        }
        match self.take_down_to(|count| count.checked_sub(1)) {
            Some(_) => Status::Ok,
            None => Status::Overflow,
        }
    }

    /// Subtracts up to `n` (never below zero), waking every waiter if the count reaches
    /// zero; returns how much was subtracted.
    pub fn down_saturating(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        self.take_down_to(|count| Some(count.saturating_sub(n)))
            .map_or(0, |(before, after)| before - after)
    }

    /// Under the mutex: moves the count to `next(count)` (refused by `None` or at zero)
    /// and wakes the line if that is zero; returns `(before, after)`.
    fn take_down_to(&self, next: impl Fn(u64) -> Option<u64>) -> Option<(u64, u64)> {
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        // Lock-free `up`s and `down`s above one may still move the count: CAS it.
        let mut count = self.value();
        let after = loop {
            let after = next(count).filter(|_| count > 0)?;
            match self.count.compare_exchange_weak(
                count,
                after,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break after,
                Err(actual) => count = actual,
            }
        };
        if after == 0 {
            list.complete_all(&mut wakeups, Outcome::Done(Status::Ok));
        }
        drop(list);
        wakeups.fire();
        Some((count, after))
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

    fn give_back(&self, _request: &Request, _value: u64) {}
}
