//! Queues of opaque items (C's `void *`): FIFO, LIFO or priority, bounded or not, shared
//! by threads (blocking), event loops (ports) and callbacks at once.
//!
//! ## Fast paths without the mutex
//! The items live in [`Items`], which any thread may push to and pop from directly (FIFO
//! is lock-free). Room is counted by two counters that only one side writes: `pushed`
//! (slots reserved by putters; a put reserves before it pushes) and `popped` (items taken
//! out). The size is `pushed - popped`; a put reserves a slot only while that is below the
//! capacity. So while nobody waits, a put is "reserve, push" and a get is "pop, count":
//! producers and consumers never take a common lock.
//!
//! ## The line, and the flags that send fast paths to it
//! Blocked putters (full) or getters (empty) wait in one line behind the mutex; the line
//! never mixes kinds for long (decided waiters of the other kind are dropped on sight).
//! The `state` word says who may be in line: `GETTERS`, `PUTTERS`, plus `SHUT_DOWN` and
//! `DISCARDING` (an immediate shutdown). A fast put runs only with no flag set, and a fast
//! get only without `GETTERS`, so nobody overtakes a waiter of its own kind. Flags are set
//! and cleared under the mutex. The two races that could strand a waiter are closed the
//! way Dekker's algorithm closes them, with a sequentially consistent step on each side:
//!
//! - a getter sets `GETTERS`, then pops once more; a put pushes, then (after a fence)
//!   reads the flags, and if `GETTERS` is set serves the line under the mutex. Either the
//!   getter sees the item, or the putter sees the flag.
//! - a putter sets `PUTTERS`, then re-checks the room; a get counts `popped` (a SeqCst
//!   read-modify-write), then reads the flags, and if `PUTTERS` is set lets putters in
//!   under the mutex. Either the putter sees the room, or the getter sees the flag.
//!
//! Under the mutex the line is served from its front (`settle`): waiting getters from the
//! visible items, waiting putters into the room (their item, carried in their request, is
//! pushed for them), in line order. A put that finds getters in line (once the visible
//! items went to them) hands its item straight to the first live one, in its grant value.
//! Each waiter is decided by its one CAS (`wait::waiter`), and a waiter something is taken
//! or pushed for is *claimed* first, which holds off its own cancel or timeout for those
//! few instructions: so an item taken out for a getter is always delivered (never put back
//! behind items a concurrent fast get took meanwhile), and a putter's item is inside before
//! its put returns `Ok`. A getter whose
//! cancel won never receives an item; one whose grant won owns it even if its cancel came
//! later; an item granted to a getter whose port was closed before delivery is put back in
//! front ([`WaitSource::give_back`]). Nothing is lost or delivered twice, and a FIFO queue
//! keeps each producer's order for each consumer (`tests/c/test_stress_queue.c` checks it).
//!
//! Task counting (`task_done`/`join`) is a [`Countdown`] beside the queue, raised lazily
//! from the counters by whoever asks ([`TaskBook`]), so that puts do not contend on it;
//! `join` waits for it to reach zero.

mod items;
mod store;

use std::ffi::c_void;
use std::sync::Arc;

use crossbeam_utils::CachePadded;
use items::Items;
pub use store::QueueKind;

use crate::Countdown;
use crate::Status;
use crate::sync::{AtomicU64, Mutex, Ordering, fence, lock, seqcst_handshake, snooze};
use crate::wait::{
    self, Callback, Deadline, Outcome, Port, Request, Started, WaitList, WaitSource, Wakeups,
};

/// Called once for every item a queue discards (clear, immediate shutdown, items still
/// inside when the queue goes), on the thread that discards it, with no lock held.
pub type Discard = Box<dyn Fn(u64) + Send + Sync>;

/// Getters may be in line (then the queue was empty when each joined).
const GETTERS: u64 = 1;
/// Putters may be in line (then the queue was full when each joined).
const PUTTERS: u64 = 2;
/// Puts fail; gets drain what is left.
const SHUT_DOWN: u64 = 4;
/// Shut down immediately: items that still land (in-flight puts, give-backs) are discarded.
const DISCARDING: u64 = 8;

/// `capacity` of an unbounded queue.
const UNBOUNDED: u64 = u64::MAX;

pub struct Queue {
    kind: QueueKind,
    items: Items,
    state: CachePadded<AtomicU64>,
    /// Slots reserved by putters (written by putters only).
    pushed: CachePadded<AtomicU64>,
    /// The last `popped` a putter read, kept on the putters' side: a put reads `popped`
    /// (a cache line the getters keep writing) only when this view says "full".
    popped_seen: CachePadded<AtomicU64>,
    /// Items taken out (written by getters only).
    popped: CachePadded<AtomicU64>,
    capacity: AtomicU64,
    /// The line of blocked putters or getters; its mutex also orders flag changes.
    line: Mutex<WaitList>,
    tasks: Arc<Countdown>,
    /// What `tasks` has not been told yet (see [`TaskBook`]).
    book: CachePadded<TaskBook>,
    discard: Option<Discard>,
}

/// Task counting kept off the put path. Every accepted put is a task; instead of raising
/// the countdown on each put (a read-modify-write the producers would all contend on),
/// the queue derives the number of accepted puts from its counters when someone asks
/// (`task_done`, `unfinished`, `join`, a discard) and raises the countdown by what is new:
///
/// accepted = `pushed` (every slot reservation is an accepted put: a reservation never
/// fails or is undone once made) − `put_backs` (a got item put back in front takes a slot
/// again without being a new put) + `handed` (a put handed straight to a waiting getter
/// reserved no slot).
///
/// A consumer marking an item done has seen the item, so its put's reservation (or handoff
/// count) happened before: the sync it runs first includes it.
#[derive(Default)]
struct TaskBook {
    handed: AtomicU64,
    put_backs: AtomicU64,
    /// Accepted puts already added to `tasks` (moved under `syncing`).
    synced: AtomicU64,
    syncing: Mutex<()>,
}

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
        Ok(Queue {
            kind,
            items: Items::new(kind, capacity),
            state: CachePadded::new(AtomicU64::new(0)),
            pushed: CachePadded::new(AtomicU64::new(0)),
            popped: CachePadded::new(AtomicU64::new(0)),
            popped_seen: CachePadded::new(AtomicU64::new(0)),
            capacity: AtomicU64::new(capacity_of(capacity)?),
            line: Mutex::new(WaitList::new()),
            tasks: Arc::new(Countdown::new(0)?),
            book: CachePadded::new(TaskBook::default()),
            discard,
        })
    }

    pub fn kind(&self) -> QueueKind {
        self.kind
    }

    fn flags(&self) -> u64 {
        self.state.load(Ordering::Acquire)
    }

    /// Runs `f` with the mutex held, then fires what it collected.
    fn with_lock<R>(&self, f: impl FnOnce(&mut WaitList, &mut Wakeups) -> R) -> R {
        let mut wakeups = Wakeups::new();
        let mut line = lock(&self.line);
        let result = f(&mut line, &mut wakeups);
        drop(line);
        wakeups.fire();
        result
    }

    // ---------------------------------------------------------------- room

    /// Reserves up to `want` slots; returns how many it got.
    fn reserve(&self, want: u64) -> u64 {
        // Acquire: a capacity grown past a FIFO ring comes after the lane's switch away
        // from the ring (`Items::fit`), and a reservation under it must see the switch.
        let capacity = self.capacity.load(Ordering::Acquire);
        if capacity == UNBOUNDED {
            self.pushed.fetch_add(want, Ordering::Relaxed);
            return want;
        }
        let mut pushed = self.pushed.load(Ordering::Relaxed);
        loop {
            let room = |popped: u64| capacity.saturating_sub(pushed.saturating_sub(popped));
            let mut take = room(self.popped_seen.load(Ordering::Relaxed)).min(want);
            if take < want {
                let popped = self.popped.load(Ordering::SeqCst);
                self.popped_seen.fetch_max(popped, Ordering::Relaxed);
                take = room(popped).min(want);
            }
            if take == 0 {
                return 0;
            }
            match self.pushed.compare_exchange_weak(
                pushed,
                pushed + take,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return take,
                Err(actual) => pushed = actual,
            }
        }
    }

    /// Free slots now, as a spinning putter sees them (a plain read).
    fn room_hint(&self) -> u64 {
        let capacity = self.capacity.load(Ordering::Relaxed);
        let size = (self.pushed.load(Ordering::Relaxed))
            .saturating_sub(self.popped.load(Ordering::Relaxed));
        capacity.saturating_sub(size)
    }

    /// How much room a spinning putter waits for before it tries again.
    fn spin_room(&self) -> u64 {
        (self.capacity.load(Ordering::Relaxed) / 8).clamp(1, 32)
    }

    /// Pops a visible item and counts it out (a SeqCst step: see the module comment).
    fn pop_counted(&self) -> Option<u64> {
        let item = self.items.pop()?;
        self.popped.fetch_add(1, Ordering::SeqCst);
        Some(item)
    }

    /// Accepted puts so far (see [`TaskBook`]); never more than the true number (an
    /// in-flight put back is seen in `put_backs` if it is seen in `pushed`).
    fn accepted(&self) -> u64 {
        let pushed = self.pushed.load(Ordering::SeqCst);
        let put_backs = self.book.put_backs.load(Ordering::SeqCst);
        let handed = self.book.handed.load(Ordering::SeqCst);
        (pushed - put_backs) + handed
    }

    /// Raises `tasks` by the accepted puts it has not counted yet. Serialized by the
    /// book's lock, taken only when there is something new: the countdown is raised
    /// before `synced` moves, so it never lags behind what a consumer could mark done,
    /// and never counts a put twice.
    fn sync_tasks(&self) {
        if self.accepted() <= self.book.synced.load(Ordering::Acquire) {
            return;
        }
        let _serial = lock(&self.book.syncing);
        let synced = self.book.synced.load(Ordering::Acquire);
        let accepted = self.accepted();
        if accepted > synced {
            // Cannot overflow: a queue never holds 2^63 items.
            let _ = self.tasks.up(accepted - synced);
            self.book.synced.store(accepted, Ordering::Release);
        }
    }

    // ---------------------------------------------------------------- put

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
                done = self.room_hint() >= self.spin_room() && self.put_fast(item, priority);
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

    /// The lock-free put: only while nobody waits and there is room. A blocking put or
    /// get retries its fast path in a short spin before it joins the line: a producer and
    /// a consumer running side by side would otherwise meet in the line for every item
    /// (a handoff per item is a rendezvous: several cache-line transfers, often a wake).
    fn put_fast(&self, item: u64, priority: i64) -> bool {
        if self.flags() != 0 || self.reserve(1) == 0 {
            return false;
        }
        self.items.push(item, priority);
        self.after_push();
        true
    }

    /// After items became visible without the mutex: serve getters that joined the line
    /// meanwhile, and discard what landed after an immediate shutdown.
    fn after_push(&self) {
        // The push must be ordered before the flags read (the putter's half of the
        // handshake with a joining getter). A FIFO lane's push already is: it reserves its
        // slot with a SeqCst read-modify-write of the lane's tail, and a pop that finds the
        // tail past its head waits for the item instead of saying "empty" (crossbeam's
        // `ArrayQueue` and `SegQueue` both do; the getter's fence before its pop then sees
        // the tail). A locked store publishes on unlock (release only): fence.
        if !self.items.push_orders_later_loads() {
            fence(Ordering::SeqCst);
        }
        if self.state.load(Ordering::SeqCst) & (GETTERS | DISCARDING) != 0 {
            let discarded = self.with_lock(|line, wakeups| {
                self.settle(line, wakeups);
                self.discard_if_shut(line)
            });
            self.discard_all(discarded);
        }
    }

    /// Under the mutex: hand `item` to the first live getter, or push it if there is room
    /// and no putter waits first; `None` if the caller has to wait (then, with `will_wait`,
    /// `PUTTERS` is set).
    fn offer(
        &self,
        line: &mut WaitList,
        item: u64,
        priority: i64,
        will_wait: bool,
        wakeups: &mut Wakeups,
    ) -> Option<Status> {
        if self.flags() & SHUT_DOWN != 0 {
            return Some(Status::Closed);
        }
        // Visible items go to waiting getters first (the producer's own earlier items may
        // be among them); only then may this item go straight to the next getter.
        self.settle(line, wakeups);
        if holds_getters(line) {
            let handed = line.grant_first(wakeups, |getter| {
                (!getter.request.offers_item).then(|| {
                    // Counted before the getter can see the item (and mark it done).
                    self.book.handed.fetch_add(1, Ordering::SeqCst);
                    item
                })
            });
            if handed.is_some() {
                return Some(Status::Ok);
            }
        }
        if !holds_putters(line) {
            if self.push_locked(item, priority) {
                return Some(Status::Ok);
            }
            if will_wait {
                self.state.fetch_or(PUTTERS, Ordering::SeqCst);
                seqcst_handshake();
                // A get may have made room before it could see the flag.
                if self.push_locked(item, priority) {
                    self.clear_flags_if_idle(line);
                    return Some(Status::Ok);
                }
            }
        }
        None
    }

    /// Under the mutex, with no getter in line: push if there is room.
    fn push_locked(&self, item: u64, priority: i64) -> bool {
        if self.reserve(1) == 0 {
            return false;
        }
        self.items.push(item, priority);
        true
    }

    /// Under the mutex: serves the line from its front for as long as the front can be
    /// served: a getter from the visible items, a putter into the room (its item pushed
    /// for it). The line is normally of one kind, but a getter can join behind putters (or
    /// the other way round) while a get or put is between its two counting steps, so
    /// whichever kind stands first is served, then the next.
    ///
    /// Each waiter is claimed before anything is taken or pushed for it
    /// (`WaitList::grant_first`): an item taken out is always delivered, never put back
    /// behind items a concurrent fast get took meanwhile; and a putter's item is inside
    /// before its put returns `Ok`.
    fn settle(&self, line: &mut WaitList, wakeups: &mut Wakeups) {
        // The kind that could not be served last time round: stop if it is still first.
        let mut stuck = None;
        while let Some(front) = line.front() {
            let getter_first = !front.request.offers_item;
            if stuck == Some(getter_first) {
                break;
            }
            let served = if getter_first {
                self.serve_one_getter(line, wakeups)
            } else {
                self.admit_one_putter(line, wakeups)
            };
            stuck = (!served).then_some(getter_first);
        }
        self.clear_flags_if_idle(line);
    }

    fn serve_one_getter(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> bool {
        line.grant_first(wakeups, |waiter| {
            // Past decided getters a putter may stand first: never take for it.
            if waiter.request.offers_item {
                return None;
            }
            self.pop_counted()
        })
        .is_some()
    }

    fn admit_one_putter(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> bool {
        line.grant_first(wakeups, |waiter| {
            let (item, priority) = offered(&waiter.request)?;
            // Reserved only for a claimed putter: a reservation is never undone (it
            // counts as an accepted put: see `TaskBook`).
            if self.reserve(1) == 0 {
                return None;
            }
            self.items.push(item, priority);
            Some(0)
        })
        .is_some()
    }

    /// Under the mutex: an empty line needs no flag.
    fn clear_flags_if_idle(&self, line: &WaitList) {
        if line.is_empty() && self.flags() & (GETTERS | PUTTERS) != 0 {
            self.state.fetch_and(!(GETTERS | PUTTERS), Ordering::SeqCst);
        }
    }

    /// An item taken out goes back in front (room is not checked: it was inside).
    fn put_back(&self, item: u64) {
        // `put_backs` first: whoever sees the slot in `pushed` sees it (`accepted`).
        self.book.put_backs.fetch_add(1, Ordering::SeqCst);
        self.pushed.fetch_add(1, Ordering::SeqCst);
        self.items.push_next(item);
    }

    // ---------------------------------------------------------------- get

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

    /// The lock-free get: only while no getter waits.
    fn get_fast(&self) -> Option<u64> {
        if self.flags() & GETTERS != 0 {
            return None;
        }
        let item = self.pop_counted()?;
        self.after_pop();
        Some(item)
    }

    /// After items were taken without the mutex: let waiting putters into the room.
    fn after_pop(&self) {
        // `popped` was counted with a SeqCst read-modify-write; this read is SeqCst too:
        // see the module comment.
        seqcst_handshake();
        if self.state.load(Ordering::SeqCst) & PUTTERS != 0 {
            self.with_lock(|line, wakeups| self.settle(line, wakeups));
        }
    }

    fn admit_getter(
        &self,
        line: &mut WaitList,
        wakeups: &mut Wakeups,
        taken: &mut Option<u64>,
    ) -> Option<Status> {
        match self.take(line, true, wakeups) {
            Ok(item) => {
                *taken = Some(item);
                Some(Status::Ok)
            }
            Err(Status::WouldBlock) => None,
            Err(status) => Some(status),
        }
    }

    /// Under the mutex: serve earlier getters first, then take the next item (letting a
    /// waiting putter into the room). `WouldBlock` if the caller has to wait (then, with
    /// `will_wait`, `GETTERS` is set).
    fn take(
        &self,
        line: &mut WaitList,
        will_wait: bool,
        wakeups: &mut Wakeups,
    ) -> Result<u64, Status> {
        self.settle(line, wakeups);
        if !holds_getters(line) {
            if let Some(item) = self.take_locked(line, wakeups) {
                return Ok(item);
            }
            if self.flags() & SHUT_DOWN != 0 {
                return self.take_in_flight(line, wakeups).ok_or(Status::Closed);
            }
            if will_wait {
                self.state.fetch_or(GETTERS, Ordering::SeqCst);
                fence(Ordering::SeqCst);
                // A put may have pushed before it could see the flag.
                if let Some(item) = self.take_locked(line, wakeups) {
                    self.clear_flags_if_idle(line);
                    return Ok(item);
                }
            }
        }
        Err(Status::WouldBlock)
    }

    fn take_locked(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> Option<u64> {
        let item = self.pop_counted()?;
        self.settle(line, wakeups);
        Some(item)
    }

    /// Shut down and nothing visible: wait out puts that reserved a slot before the
    /// shutdown and are still pushing (a few instructions away), so that "shut down and
    /// empty" really means empty.
    fn take_in_flight(&self, line: &mut WaitList, wakeups: &mut Wakeups) -> Option<u64> {
        let backoff = crossbeam_utils::Backoff::new();
        while self.pushed.load(Ordering::SeqCst) > self.popped.load(Ordering::SeqCst) {
            if let Some(item) = self.take_locked(line, wakeups) {
                return Some(item);
            }
            snooze(&backoff);
        }
        None
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
        let room = self.reserve(items.len() as u64) as usize;
        if room == 0 {
            return 0;
        }
        for (i, &item) in items[..room].iter().enumerate() {
            self.items.push(item, priority(i));
        }
        self.after_push();
        room
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
            self.popped.fetch_add(got as u64, Ordering::SeqCst);
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

    // ---------------------------------------------------------------- shutdown, tasks

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

    /// Under the mutex, after an immediate shutdown: takes every visible item out.
    fn discard_if_shut(&self, _line: &mut WaitList) -> Vec<u64> {
        if self.flags() & DISCARDING == 0 {
            return Vec::new();
        }
        let items = self.items.drain();
        self.popped.fetch_add(items.len() as u64, Ordering::SeqCst);
        items
    }

    pub fn is_shutdown(&self) -> bool {
        self.flags() & SHUT_DOWN != 0
    }

    /// Marks one task done: `Ok`, or `Overflow` if no task is unfinished.
    pub fn task_done(&self) -> Status {
        self.sync_tasks();
        self.tasks.down()
    }

    /// Accepted puts not yet marked done.
    pub fn unfinished(&self) -> u64 {
        self.sync_tasks();
        self.tasks.value()
    }

    /// Waits until every accepted put was marked done: `Ok` or `Timeout`.
    pub fn join(&self, deadline: Deadline) -> Status {
        self.sync_tasks();
        self.tasks.wait(deadline)
    }

    /// [`join`](Self::join) without blocking.
    pub fn join_async(
        &self,
        port: Option<&Arc<Port>>,
        callback: Option<Callback>,
        arg: *mut c_void,
    ) -> Started {
        self.sync_tasks();
        self.tasks.wait_async(port, callback, arg)
    }

    // ---------------------------------------------------------------- inspection

    /// The item the next get would take: `Ok(item)` or `Err(WouldBlock)` (empty).
    pub fn peek(&self) -> Result<u64, Status> {
        self.items.peek().ok_or(Status::WouldBlock)
    }

    /// Discards every item (through the discard callback), counting each as a finished
    /// task, and lets waiting putters in; returns how many were discarded.
    pub fn clear(&self) -> usize {
        let discarded = self.with_lock(|line, wakeups| {
            let items = self.items.drain();
            self.popped.fetch_add(items.len() as u64, Ordering::SeqCst);
            self.settle(line, wakeups);
            items
        });
        let count = discarded.len();
        self.discard_all(discarded);
        count
    }

    /// Items inside now (a snapshot; puts in progress may be counted).
    pub fn len(&self) -> usize {
        let popped = self.popped.load(Ordering::Relaxed);
        self.pushed.load(Ordering::Relaxed).saturating_sub(popped) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity, or `None` when unbounded.
    pub fn capacity(&self) -> Option<usize> {
        let capacity = self.capacity.load(Ordering::Relaxed);
        (capacity != UNBOUNDED).then_some(capacity as usize)
    }

    /// Changes the capacity (`None`: unbounded; `Some(0)` is `Invalid`). Growing lets
    /// waiting putters in; shrinking below the item count discards nothing (puts wait
    /// until gets bring the count under it).
    pub fn set_capacity(&self, capacity: Option<usize>) -> Status {
        let Ok(capacity) = capacity_of(capacity) else {
            return Status::Invalid;
        };
        self.with_lock(|line, wakeups| {
            self.items
                .fit((capacity != UNBOUNDED).then_some(capacity as usize));
            self.capacity.store(capacity, Ordering::SeqCst);
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

    fn discard_all(&self, items: Vec<u64>) {
        if items.is_empty() {
            return;
        }
        // The discarded items were accepted puts: counted before they are marked done.
        self.sync_tasks();
        self.tasks.down_saturating(items.len() as u64);
        if let Some(discard) = &self.discard {
            for item in items {
                discard(item);
            }
        }
    }
}

fn capacity_of(capacity: Option<usize>) -> Result<u64, Status> {
    match capacity {
        None => Ok(UNBOUNDED),
        Some(0) => Err(Status::Invalid),
        Some(n) => Ok(n as u64),
    }
}

/// Whether the line's first waiter is a blocked putter (a decided waiter of the other
/// kind may still stand in front until its owner removes it: `complete_first` skips it).
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

    /// A waiter gave up: what it was waiting for may be there for the ones behind it.
    fn after_withdraw(&self, line: &mut WaitList, wakeups: &mut Wakeups) {
        self.settle(line, wakeups);
        self.clear_flags_if_idle(line);
    }

    /// A put that was accepted cannot be undone (its item may be gone already).
    fn takes_back(&self, request: &Request) -> bool {
        !request.offers_item
    }

    /// A got item that could not be delivered goes back to be taken next: to the first
    /// waiting getter, or in front of the items (or is discarded after an immediate
    /// shutdown).
    fn give_back(&self, _request: &Request, item: u64) {
        self.unget(item);
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        if let Some(discard) = &self.discard {
            for item in self.items.drain() {
                discard(item);
            }
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
