//! Queues of opaque items (C's `void *`): FIFO, LIFO or priority, bounded or not, shared
//! by threads (blocking), event loops (ports) and callbacks at once.
//!
//! One mutex guards the items and one line of waiters. The line holds blocked putters
//! (the queue is full) or blocked getters (it is empty), never both at once: a getter only
//! joins when there is no item, a putter only when there are at least `capacity ≥ 1`.
//! Every change keeps that true:
//!
//! - a put with getters in line hands its item straight to the first live getter (the
//!   item rides in the getter's grant value) and never enters the store;
//! - a get that frees a slot with putters in line moves the first live putter's item
//!   (carried in its request) into the store, granting that putter ([`refill`]);
//! - growing the capacity or clearing refills the same way.
//!
//! So waiters are served in FIFO order and never overtaken by a try. A grant is decided by
//! the waiter's one CAS (see `wait::waiter`): a getter whose cancel won never receives
//! the item (the putter moves on to the next getter or the store), and a getter whose
//! grant won owns the item even if its cancel came later. An item granted to a getter on
//! a port that was closed before delivery is put back in front ([`WaitSource::give_back`]).
//! Nothing is lost or delivered twice.
//!
//! Task counting (`task_done`/`join`) is a [`Countdown`] beside the queue: every accepted
//! put raises it; `join` waits for it to reach zero, in every face.
//!
//! [`refill`]: Queue::refill

mod store;

use std::ffi::c_void;
use std::sync::Arc;

pub use store::QueueKind;
use store::Store;

use crate::Countdown;
use crate::Status;
use crate::sync::{AtomicU64, Mutex, Ordering, UnsafeCell, lock};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

/// Called once for every item a queue discards (clear, immediate shutdown, items still
/// inside when the queue goes), on the thread that discards it, with no lock held.
pub type Discard = Box<dyn Fn(u64) + Send + Sync>;

pub struct Queue {
    kind: QueueKind,
    /// The line of blocked putters or getters; its mutex also guards `state`.
    line: Mutex<WaitList>,
    state: UnsafeCell<State>,
    /// A copy of the item count, for lock-free snapshots.
    len: AtomicU64,
    tasks: Arc<Countdown>,
    discard: Option<Discard>,
}

// SAFETY: `state` is only touched with `line`'s mutex held (see `Queue::locked`).
unsafe impl Sync for Queue {}
unsafe impl Send for Queue {}

struct State {
    items: Store,
    /// `usize::MAX` when unbounded.
    capacity: usize,
    shutdown: Shutdown,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shutdown {
    Open,
    /// Puts fail; gets drain what is left.
    Draining,
    /// Puts fail; the items were discarded, and any item put back is discarded too.
    Discarding,
}

/// What a blocked getter or an async get hands back with an `Ok`.
fn getter() -> Request {
    Request::default()
}

fn putter(item: u64, priority: i64) -> Request {
    Request {
        owner: item,
        count: priority as u64,
        offers_item: true,
        ..Request::default()
    }
}

/// The `(item, priority)` a putter's request carries.
fn offered(request: &Request) -> Option<(u64, i64)> {
    request
        .offers_item
        .then_some((request.owner, request.count as i64))
}

impl Queue {
    /// A queue of the given kind holding at most `capacity` items (`None`: unbounded;
    /// `Some(0)` is `Invalid`). `discard` is called for every item the queue throws away.
    pub fn new(
        kind: QueueKind,
        capacity: Option<usize>,
        discard: Option<Discard>,
    ) -> Result<Queue, Status> {
        let capacity = capacity_of(capacity)?;
        Ok(Queue {
            kind,
            line: Mutex::new(WaitList::new()),
            state: UnsafeCell::new(State {
                items: Store::new(kind),
                capacity,
                shutdown: Shutdown::Open,
            }),
            len: AtomicU64::new(0),
            tasks: Arc::new(Countdown::new(0)?),
            discard,
        })
    }

    pub fn kind(&self) -> QueueKind {
        self.kind
    }

    /// Runs `f` on the line and the state; `line` is the guard of `self.line`, which is
    /// what makes touching `state` sound.
    fn locked<R>(&self, line: &mut WaitList, f: impl FnOnce(&mut WaitList, &mut State) -> R) -> R {
        // SAFETY: the caller holds `self.line`'s mutex (it passes the guarded list), and
        // every access to `state` goes through here.
        self.state.with_mut(|state| f(line, unsafe { &mut *state }))
    }

    /// Runs `f` with the mutex held, then fires what it collected.
    fn with_lock<R>(&self, f: impl FnOnce(&mut WaitList, &mut State, &mut Wakeups) -> R) -> R {
        let mut wakeups = Wakeups::new();
        let mut line = lock(&self.line);
        let result = self.locked(&mut line, |line, state| f(line, state, &mut wakeups));
        drop(line);
        wakeups.fire();
        result
    }

    fn note_len(&self, state: &State) {
        self.len.store(state.items.len() as u64, Ordering::Relaxed);
    }

    // ---------------------------------------------------------------- put

    /// Puts `item` if that needs no wait: `Ok`, `WouldBlock` (full) or `Closed`.
    pub fn try_put(&self, item: u64, priority: i64) -> Status {
        self.with_lock(|line, state, wakeups| {
            self.offer(line, state, item, priority, wakeups)
                .unwrap_or(Status::WouldBlock)
        })
    }

    /// Puts `item`, waiting in line for room until `deadline`: `Ok`, `Timeout` or `Closed`.
    /// On anything but `Ok` the item stays the caller's.
    pub fn put(&self, item: u64, priority: i64, deadline: Deadline) -> Status {
        wait::block_until(self, putter(item, priority), deadline, |line, wakeups| {
            self.locked(line, |line, state| {
                self.offer(line, state, item, priority, wakeups)
            })
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
        let request = putter(item, priority);
        wait::wait_async(self, request, port, callback, arg, |line, wakeups| {
            self.locked(line, |line, state| {
                self.offer(line, state, item, priority, wakeups)
            })
        })
    }

    /// Under the mutex: hand `item` to the first live getter, or store it if there is
    /// room; `None` if the caller has to wait.
    fn offer(
        &self,
        line: &mut WaitList,
        state: &mut State,
        item: u64,
        priority: i64,
        wakeups: &mut Wakeups,
    ) -> Option<Status> {
        if state.shutdown != Shutdown::Open {
            return Some(Status::Closed);
        }
        if holds_getters(line) {
            let handed = line.complete_first(wakeups, |getter| {
                getter.set_grant(item);
                Outcome::Done(Status::Ok)
            });
            if handed.is_some() {
                self.count_task();
                return Some(Status::Ok);
            }
        }
        if state.items.len() < state.capacity {
            state.items.push(item, priority);
            self.note_len(state);
            self.count_task();
            return Some(Status::Ok);
        }
        None
    }

    fn count_task(&self) {
        // Cannot overflow: a queue never holds 2^63 items.
        let _ = self.tasks.up(1);
    }

    // ---------------------------------------------------------------- get

    /// Takes the next item if there is one: `Ok(item)`, `Err(WouldBlock)` (empty) or
    /// `Err(Closed)` (shut down and empty).
    pub fn try_get(&self) -> Result<u64, Status> {
        self.with_lock(|line, state, wakeups| self.take(line, state, wakeups))
    }

    /// Takes the next item, waiting in line until `deadline`: `Ok(item)`, `Err(Timeout)`
    /// or `Err(Closed)` (shut down and empty).
    pub fn get(&self, deadline: Deadline) -> Result<u64, Status> {
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
        let mut taken = None;
        let started = wait::wait_async(self, getter(), port, callback, arg, |line, wakeups| {
            self.admit_getter(line, wakeups, &mut taken)
        });
        (started, taken.unwrap_or(0))
    }

    fn admit_getter(
        &self,
        line: &mut WaitList,
        wakeups: &mut Wakeups,
        taken: &mut Option<u64>,
    ) -> Option<Status> {
        self.locked(line, |line, state| match self.take(line, state, wakeups) {
            Ok(item) => {
                *taken = Some(item);
                Some(Status::Ok)
            }
            Err(Status::WouldBlock) => None,
            Err(status) => Some(status),
        })
    }

    /// Under the mutex: take the next item and let the first waiting putter in.
    fn take(
        &self,
        line: &mut WaitList,
        state: &mut State,
        wakeups: &mut Wakeups,
    ) -> Result<u64, Status> {
        match state.items.pop() {
            Some(item) => {
                self.refill(line, state, wakeups);
                self.note_len(state);
                Ok(item)
            }
            None if state.shutdown != Shutdown::Open => Err(Status::Closed),
            None => Err(Status::WouldBlock),
        }
    }

    /// Under the mutex: move waiting putters' items into the store while there is room.
    fn refill(&self, line: &mut WaitList, state: &mut State, wakeups: &mut Wakeups) {
        while state.items.len() < state.capacity && holds_putters(line) {
            match line
                .complete_first(wakeups, |_| Outcome::Done(Status::Ok))
                .map(|request| offered(&request))
            {
                Some(Some((item, priority))) => {
                    state.items.push(item, priority);
                    self.count_task();
                }
                Some(None) => unreachable!("a getter stood behind a putter"),
                None => break,
            }
        }
        self.note_len(state);
    }

    // ---------------------------------------------------------------- batches

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
            let refused = self.with_lock(|line, state, wakeups| {
                while done < items.len() {
                    match self.offer(line, state, items[done], priority(done), wakeups) {
                        Some(Status::Ok) => done += 1,
                        Some(status) => return Some(status),
                        None => return None,
                    }
                }
                None
            });
            if let Some(status) = refused {
                return (status, done);
            }
            if done == items.len() {
                break;
            }
            if deadline == Deadline::Within(0) {
                return (Status::WouldBlock, done);
            }
            deadline = deadline.start();
            match self.put(items[done], priority(done), deadline) {
                Status::Ok => done += 1,
                status => return (status, done),
            }
        }
        (Status::Ok, done)
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
            match self.get(deadline) {
                Ok(item) => {
                    out[0] = item;
                    got = 1 + self.take_many(&mut out[1..]);
                }
                Err(Status::Timeout) if deadline == Deadline::Within(0) => {
                    return (Status::WouldBlock, 0);
                }
                Err(status) => return (status, 0),
            }
        }
        (Status::Ok, got)
    }

    fn take_many(&self, out: &mut [u64]) -> usize {
        self.with_lock(|line, state, wakeups| {
            let mut got = 0;
            while got < out.len() {
                match self.take(line, state, wakeups) {
                    Ok(item) => {
                        out[got] = item;
                        got += 1;
                    }
                    Err(_) => break,
                }
            }
            got
        })
    }

    // ---------------------------------------------------------------- shutdown, tasks

    /// Shuts the queue down, as Python 3.13's `Queue.shutdown`: puts fail with `Closed`
    /// from now on; gets drain what is left, then fail with `Closed`; every blocked waiter
    /// wakes with `Closed`. `immediate` also discards the items (through the discard
    /// callback) and counts each as a finished task. Idempotent; a later immediate call
    /// still discards.
    pub fn shutdown(&self, immediate: bool) {
        let discarded = self.with_lock(|line, state, wakeups| {
            let discarded = if immediate {
                state.shutdown = Shutdown::Discarding;
                state.items.drain()
            } else {
                if state.shutdown == Shutdown::Open {
                    state.shutdown = Shutdown::Draining;
                }
                Vec::new()
            };
            self.note_len(state);
            line.complete_all(wakeups, Outcome::Done(Status::Closed));
            discarded
        });
        self.discard_all(discarded);
    }

    pub fn is_shutdown(&self) -> bool {
        self.with_lock(|_, state, _| state.shutdown != Shutdown::Open)
    }

    /// Marks one task done: `Ok`, or `Overflow` if no task is unfinished.
    pub fn task_done(&self) -> Status {
        self.tasks.down()
    }

    /// Accepted puts not yet marked done.
    pub fn unfinished(&self) -> u64 {
        self.tasks.value()
    }

    /// Waits until every accepted put was marked done: `Ok` or `Timeout`.
    pub fn join(&self, deadline: Deadline) -> Status {
        self.tasks.wait(deadline)
    }

    /// [`join`](Self::join) without blocking.
    pub fn join_async(
        &self,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        self.tasks.wait_async(port, callback, arg)
    }

    // ---------------------------------------------------------------- inspection

    /// The item the next get would take: `Ok(item)` or `Err(WouldBlock)` (empty).
    pub fn peek(&self) -> Result<u64, Status> {
        self.with_lock(|_, state, _| state.items.peek().ok_or(Status::WouldBlock))
    }

    /// Discards every item (through the discard callback), counting each as a finished
    /// task, and lets waiting putters in; returns how many were discarded.
    pub fn clear(&self) -> usize {
        let discarded = self.with_lock(|line, state, wakeups| {
            let discarded = state.items.drain();
            self.refill(line, state, wakeups);
            discarded
        });
        let count = discarded.len();
        self.discard_all(discarded);
        count
    }

    /// Items inside now (a snapshot).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity, or `None` when unbounded.
    pub fn capacity(&self) -> Option<usize> {
        let capacity = self.with_lock(|_, state, _| state.capacity);
        (capacity != usize::MAX).then_some(capacity)
    }

    /// Changes the capacity (`None`: unbounded; `Some(0)` is `Invalid`). Growing lets
    /// waiting putters in; shrinking below the item count discards nothing (puts wait
    /// until gets bring the count under it).
    pub fn set_capacity(&self, capacity: Option<usize>) -> Status {
        let Ok(capacity) = capacity_of(capacity) else {
            return Status::Invalid;
        };
        self.with_lock(|line, state, wakeups| {
            state.capacity = capacity;
            self.refill(line, state, wakeups);
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

    fn discard_all(&self, items: Vec<u64>) {
        if items.is_empty() {
            return;
        }
        self.tasks.down_saturating(items.len() as u64);
        if let Some(discard) = &self.discard {
            for item in items {
                discard(item);
            }
        }
    }
}

fn capacity_of(capacity: Option<usize>) -> Result<usize, Status> {
    match capacity {
        None => Ok(usize::MAX),
        Some(0) => Err(Status::Invalid),
        Some(n) => Ok(n),
    }
}

/// Whether the line's first waiter is a blocked putter (the line never mixes kinds, but
/// a decided waiter of the other kind may still stand in it until its owner removes it:
/// `complete_first` skips those).
fn holds_putters(line: &WaitList) -> bool {
    line.front()
        .is_some_and(|waiter| waiter.request.offers_item)
}

fn holds_getters(line: &WaitList) -> bool {
    line.front()
        .is_some_and(|waiter| !waiter.request.offers_item)
}

impl WaitSource for Queue {
    fn waiters(&self) -> &Mutex<WaitList> {
        &self.line
    }

    fn after_withdraw(&self, _line: &mut WaitList, _wakeups: &mut Wakeups) {}

    /// A put that was accepted cannot be undone (its item may be gone already).
    fn takes_back(&self, request: &Request) -> bool {
        !request.offers_item
    }

    /// A got item that could not be delivered goes back to be taken next: to the first
    /// waiting getter, or in front of the store (or is discarded after an immediate
    /// shutdown).
    fn give_back(&self, _request: &Request, item: u64) {
        let discarded = self.with_lock(|line, state, wakeups| {
            if state.shutdown == Shutdown::Discarding {
                return Some(item);
            }
            if holds_getters(line) {
                let handed = line.complete_first(wakeups, |getter| {
                    getter.set_grant(item);
                    Outcome::Done(Status::Ok)
                });
                if handed.is_some() {
                    return None;
                }
            }
            state.items.push_next(item);
            self.note_len(state);
            None
        });
        if let Some(item) = discarded {
            self.discard_all(vec![item]);
        }
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        let Some(discard) = &self.discard else {
            return;
        };
        let items = self.state.with_mut(|state| {
            // SAFETY: `&mut self`: nobody else can reach the state.
            unsafe { (*state).items.drain() }
        });
        for item in items {
            discard(item);
        }
    }
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("kind", &self.kind)
            .field("len", &self.len())
            .finish()
    }
}
