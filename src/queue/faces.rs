//! The public faces of a queue: put and get (non-blocking, blocking, async), batches,
//! unget, shutdown and inspection. Each tries the lock-free fast path first and falls back
//! to the line (`line.rs`).

use std::ffi::c_void;
use std::sync::Arc;

use super::Queue;
use super::line::{DISCARDING, GETTERS, SHUT_DOWN, getter, holds_putters, putter};
use super::room::capacity_of;
use crate::Status;
use crate::sync::{Ordering, lock};
use crate::wait::{self, Callback, Deadline, Outcome, Port, Started};

impl Queue {
    /// Puts `item` if that needs no wait: `Ok`, `WouldBlock` (full) or `Closed`.
    pub fn try_put(&self, item: u64, priority: i64) -> Status {
        if self.put_fast(item, priority) {
            return Status::Ok;
        }
        self.with_lock(|line, wakeups| {
            let status = self.offer(line, item, priority, false, wakeups);
            status.unwrap_or(Status::WouldBlock)
        })
    }

    /// Puts `item`, waiting in line for room until `deadline`: `Ok`, `Timeout` or `Closed`.
    /// On anything but `Ok` the item stays the caller's.
    pub fn put(&self, item: u64, priority: i64, deadline: Deadline) -> Status {
        if self.put_fast(item, priority) {
            return Status::Ok;
        }
        if !deadline.has_passed() {
            let mut done = false;
            if wait::spin_until(|| {
                // Wait for a little room, not one slot: a producer outrunning its
                // consumer then fills several slots per look at the consumers' counter
                // instead of taking each slot as it frees (a cache-line transfer each).
                done =
                    self.room_hint() >= self.capacity.spin_room() && self.put_fast(item, priority);
                done || self.flags() & !DISCARDING != 0
            }) && done
            {
                return Status::Ok;
            }
        }
        wait::block_until(self, putter(item, priority), deadline, |line, wakeups| {
            self.offer(line, item, priority, true, wakeups)
        })
    }

    /// Puts `item` now (`Done`) or once there is room (`Pending`, completing `Ok`, or
    /// `Closed` if the queue is shut down first, or `Cancelled`).
    pub fn put_async(
        self: &Arc<Self>,
        item: u64,
        priority: i64,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        if self.put_fast(item, priority) {
            return Started::Done(Status::Ok);
        }
        let request = putter(item, priority);
        wait::wait_async(self, request, port, callback, arg, |line, wakeups| {
            self.offer(line, item, priority, true, wakeups)
        })
    }

    /// Takes the next item if there is one: `Ok(item)`, `Err(WouldBlock)` (empty) or
    /// `Err(Closed)` (shut down and empty).
    pub fn try_get(&self) -> Result<u64, Status> {
        if let Some(item) = self.get_fast() {
            return Ok(item);
        }
        self.with_lock(|line, wakeups| self.take(line, false, wakeups))
    }

    /// Takes the next item, waiting in line until `deadline`: `Ok(item)`, `Err(Timeout)`
    /// or `Err(Closed)` (shut down and empty).
    pub fn get(&self, deadline: Deadline) -> Result<u64, Status> {
        if let Some(item) = self.get_fast() {
            return Ok(item);
        }
        if !deadline.has_passed() {
            let mut got = None;
            if wait::spin_until(|| {
                got = self.get_fast();
                got.is_some() || self.flags() & SHUT_DOWN != 0
            }) && let Some(item) = got
            {
                return Ok(item);
            }
        }
        let mut taken = None;
        let (status, handed) =
            wait::block_until_for_value(self, getter(), deadline, |line, wakeups| {
                self.admit_getter(line, wakeups, &mut taken)
            });
        match status {
            Status::Ok => Ok(taken.unwrap_or(handed)),
            status => Err(status),
        }
    }

    /// Takes the next item now (`(Done(Ok), item)`; `Done(Closed)` if shut down and
    /// empty) or later (`Pending`: the op completes `Ok` with the item as its value, or
    /// `Closed`, or `Cancelled`).
    pub fn get_async(
        self: &Arc<Self>,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> (Started, u64) {
        if let Some(item) = self.get_fast() {
            return (Started::Done(Status::Ok), item);
        }
        let mut taken = None;
        let started = wait::wait_async(self, getter(), port, callback, arg, |line, wakeups| {
            self.admit_getter(line, wakeups, &mut taken)
        });
        (started, taken.unwrap_or(0))
    }

    /// Puts `items` in order (priorities from `priorities`, or 0), waiting for room until
    /// `deadline`; returns the status and how many went in (a prefix of `items`). With a
    /// zero deadline it puts what fits and says `WouldBlock` for the rest.
    pub fn put_many(
        &self,
        items: &[u64],
        priorities: Option<&[i64]>,
        mut deadline: Deadline,
    ) -> (Status, usize) {
        let priority = |i: usize| priorities.map_or(0, |p| p[i]);
        let mut done = 0;
        while done < items.len() {
            done += self.put_many_fast(&items[done..], |i| priority(done + i));
            if done == items.len() {
                break;
            }
            if deadline == Deadline::Within(0) {
                let status = self.try_put(items[done], priority(done));
                if status != Status::Ok {
                    return (status, done);
                }
                done += 1;
                continue;
            }
            deadline = deadline.start();
            match self.put(items[done], priority(done), deadline) {
                Status::Ok => done += 1,
                status => return (status, done),
            }
        }
        (Status::Ok, done)
    }

    /// Reserves room for as many of `items` as fit and pushes them; returns how many.
    fn put_many_fast(&self, items: &[u64], priority: impl Fn(usize) -> i64) -> usize {
        if self.flags() != 0 {
            return 0;
        }
        let pushed = self.items.push_many(items, priority, self.capacity.get());
        if pushed > 0 {
            self.after_push();
        }
        pushed
    }

    /// Takes up to `out.len()` items into `out`, waiting until `deadline` for the first
    /// one; returns the status and how many were taken. `Ok` with at least one item,
    /// or `WouldBlock` (zero deadline, empty), `Timeout`, `Closed` with none.
    pub fn get_many(&self, out: &mut [u64], deadline: Deadline) -> (Status, usize) {
        if out.is_empty() {
            return (Status::Ok, 0);
        }
        let mut got = self.take_many(out);
        if got == 0 {
            let first = if deadline == Deadline::Within(0) {
                self.try_get()
            } else {
                self.get(deadline)
            };
            match first {
                Ok(item) => {
                    out[0] = item;
                    got = 1 + self.take_many(&mut out[1..]);
                }
                Err(status) => return (status, 0),
            }
        }
        (Status::Ok, got)
    }

    fn take_many(&self, out: &mut [u64]) -> usize {
        if self.flags() & GETTERS != 0 {
            return 0;
        }
        let mut got = 0;
        while got < out.len() {
            match self.items.pop() {
                Some(item) => {
                    out[got] = item;
                    got += 1;
                }
                None => break,
            }
        }
        if got > 0 {
            self.after_pop();
        }
        got
    }

    /// Puts back an item a get took, to be the next one out: to the first waiting getter,
    /// or in front of the items, beyond the capacity (it was inside) and ahead of waiting
    /// putters. For a consumer that cannot use what it got (a task cancelled after its
    /// get had won). Counts no new task: the item's put was counted already. After an
    /// immediate shutdown the item is discarded instead (counted done).
    pub fn unget(&self, item: u64) {
        let discarded = self.with_lock(|line, wakeups| {
            if self.flags() & DISCARDING != 0 {
                return vec![item];
            }
            self.put_back(item);
            self.settle(line, wakeups);
            Vec::new()
        });
        self.discard_all(discarded);
    }

    /// Free slots now, as a spinning putter sees them (a plain read).
    fn room_hint(&self) -> u64 {
        self.capacity.get().saturating_sub(self.items.len())
    }

    /// An item taken out goes back in front (room is not checked: it was inside).
    fn put_back(&self, item: u64) {
        self.items.put_back(item);
    }

    /// Shuts the queue down, as Python 3.13's `Queue.shutdown`: puts fail with `Closed`
    /// from now on; gets drain what is left, then fail with `Closed`; every blocked waiter
    /// wakes with `Closed`. `immediate` also discards the items (through the discard
    /// callback) and counts each as a finished task. Idempotent; a later immediate call
    /// still discards.
    pub fn shutdown(&self, immediate: bool) {
        let discarded = self.with_lock(|line, wakeups| {
            let flags = if immediate {
                SHUT_DOWN | DISCARDING
            } else {
                SHUT_DOWN
            };
            self.state.fetch_or(flags, Ordering::SeqCst);
            line.complete_all(wakeups, Outcome::Done(Status::Closed));
            self.clear_flags_if_idle(line);
            self.discard_if_shut(line)
        });
        self.discard_all(discarded);
    }

    pub fn is_shutdown(&self) -> bool {
        self.flags() & SHUT_DOWN != 0
    }

    /// The item the next get would take: `Ok(item)` or `Err(WouldBlock)` (empty).
    pub fn peek(&self) -> Result<u64, Status> {
        let peeked = self.items.peek();
        // A FIFO peek may have made the size read one too high for a moment.
        self.after_pop();
        peeked.ok_or(Status::WouldBlock)
    }

    /// Discards every item (through the discard callback), counting each as a finished
    /// task, and lets waiting putters in; returns how many were discarded.
    pub fn clear(&self) -> usize {
        let discarded = self.with_lock(|line, wakeups| {
            let items = self.items.drain();
            self.settle(line, wakeups);
            items
        });
        let count = discarded.len();
        self.discard_all(discarded);
        count
    }

    /// Items inside now (a snapshot; puts in progress may be counted).
    pub fn len(&self) -> usize {
        self.items.len() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity, or `None` when unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.capacity.limit()
    }

    /// Changes the capacity (`None`: unbounded; `Some(0)` is `Invalid`). Growing lets
    /// waiting putters in; shrinking below the item count discards nothing (puts wait
    /// until gets bring the count under it).
    pub fn set_capacity(&self, capacity: Option<usize>) -> Status {
        let Ok(stored) = capacity_of(capacity) else {
            return Status::Invalid;
        };
        self.with_lock(|line, wakeups| {
            self.capacity.set(stored);
            self.settle(line, wakeups);
        });
        Status::Ok
    }

    /// `(putters, getters)` waiting in line now (a snapshot).
    pub fn waiting(&self) -> (usize, usize) {
        let line = lock(&self.line);
        if holds_putters(&line) {
            (line.len(), 0)
        } else {
            (0, line.len())
        }
    }
}
