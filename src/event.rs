//! Events: one-time (set once, never cleared) and reusable (set / clear).
//!
//! `set` completes every waiter queued at that moment, under the line's mutex, then wakes
//! the sleeping threads among them with one futex broadcast on a word they share
//! (`wait::block_until_broadcast`), not one wake each; a `clear`
//! that follows at once cannot take their wakeup back (it is already decided), while
//! later arrivals find the event clear and wait. The flag is read without the mutex on
//! the fast path; every change of it happens under the mutex, so a waiter's `admit`
//! re-check and `set` cannot miss each other.

use std::ffi::c_void;
use std::sync::Arc;

use crate::Status;
use crate::sync::{AtomicU32, Mutex, Ordering, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

pub struct Event {
    set: AtomicU32,
    /// The word its sleeping threads share: `set` wakes them all with one broadcast.
    sleepers: AtomicU32,
    reusable: bool,
    waiters: Mutex<WaitList>,
}

impl Event {
    /// A one-time event: once set, set forever.
    pub fn new() -> Event {
        Self::with(false)
    }

    /// A reusable event: `clear` makes later waiters wait again.
    pub fn new_reusable() -> Event {
        Self::with(true)
    }

    fn with(reusable: bool) -> Event {
        Event {
            set: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
            reusable,
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub fn is_reusable(&self) -> bool {
        self.reusable
    }

    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire) != 0
    }

    /// How many waiters are in line.
    pub fn waiting(&self) -> usize {
        lock(&self.waiters).len()
    }

    /// Sets the event and wakes everyone waiting; returns how many were woken. Setting a
    /// set event does nothing.
    pub fn set(&self) -> usize {
        if self.is_set() {
            return 0;
        }
        let mut wakeups = Wakeups::new();
        let mut list = lock(&self.waiters);
        self.set.store(1, Ordering::Release);
        let woken = list.complete_all(&mut wakeups, Outcome::Done(Status::Ok));
        drop(list);
        wakeups.fire();
        if woken > 0 {
            // Every thread waiter is decided (none was woken on its own word): one wake.
            wait::broadcast(&self.sleepers);
        }
        woken
    }

    /// Clears a reusable event (`Invalid` for a one-time event).
    pub fn clear(&self) -> Status {
        if !self.reusable {
            return Status::Invalid;
        }
        let _list = lock(&self.waiters);
        self.set.store(0, Ordering::Release);
        Status::Ok
    }

    /// `Ok` if set now, else `WouldBlock`.
    pub fn try_wait(&self) -> Status {
        if self.is_set() {
            Status::Ok
        } else {
            Status::WouldBlock
        }
    }

    /// Waits until the event is set or `deadline` passes: `Ok` or `Timeout`.
    pub fn wait(&self, deadline: Deadline) -> Status {
        if self.is_set() {
            return Status::Ok;
        }
        wait::block_until_broadcast(
            self,
            Request::default(),
            deadline,
            &self.sleepers,
            |_, _| self.admit(),
        )
    }

    /// `Done(Ok)` if set now, else `Pending`: the op completes when the event is set.
    pub fn wait_async(
        self: &Arc<Self>,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        if self.is_set() {
            return Started::Done(Status::Ok);
        }
        wait::wait_async(self, Request::default(), port, callback, arg, |_, _| {
            self.admit()
        })
    }

    fn admit(&self) -> Option<Status> {
        self.is_set().then_some(Status::Ok)
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl WaitSource for Event {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.waiters
    }

    fn after_withdraw(&self, _list: &mut WaitList, _wakeups: &mut Wakeups) {}

    fn give_back(&self, _request: &Request, _value: u64) {}
}
