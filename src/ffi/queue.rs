//! `weft_queue`: FIFO, LIFO and priority queues of `void *` items.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_optional, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use super::time::blocking;
use crate::queue::Discard;
use crate::{Deadline, Queue, QueueKind, Status};

/// A queue of `void *` items (weft never looks at them). Putters and getters of every
/// face (try, blocking, async) stand in one FIFO line: blocked putters while it is full,
/// blocked getters while it is empty. Every item put is got exactly once, discarded
/// through the destructor, or still inside when the queue goes. Reference counted.
pub struct weft_queue {
    _private: [u8; 0],
}

impl Handle for weft_queue {
    type Target = Queue;
}

/// Queue kind: first in, first out.
pub const WEFT_QUEUE_FIFO: u32 = 0;
/// Queue kind: last in, first out.
pub const WEFT_QUEUE_LIFO: u32 = 1;
/// Queue kind: smallest `priority` first, first in first out among equal priorities.
pub const WEFT_QUEUE_PRIORITY: u32 = 2;
/// `weft_queue_new` / `weft_queue_set_capacity`: no bound on the item count.
pub const WEFT_UNBOUNDED: i64 = -1 as i64;

/// Called once for each item a queue discards: `destructor(ctx, item)`. It runs on the
/// thread that discards (the caller of `weft_queue_clear`, `weft_queue_shutdown` with
/// `immediate`, or of the `weft_queue_free` that drops the last reference), with no weft
/// lock held.
pub type weft_item_destructor = Option<unsafe extern "C" fn(ctx: *mut c_void, item: *mut c_void)>;

struct Destructor {
    call: unsafe extern "C" fn(*mut c_void, *mut c_void),
    ctx: *mut c_void,
}

// SAFETY: `ctx` is the caller's opaque pointer; the contract of `weft_queue_new` says the
// destructor may run on any thread.
unsafe impl Send for Destructor {}
unsafe impl Sync for Destructor {}

impl Destructor {
    fn run(&self, item: u64) {
        // SAFETY: the caller gave us this destructor for exactly these items.
        unsafe { (self.call)(self.ctx, item_ptr(item)) }
    }
}

fn item_ptr(item: u64) -> *mut c_void {
    item as usize as *mut c_void
}

fn item_bits(item: *mut c_void) -> u64 {
    item as usize as u64
}

// Items cross the boundary as pointers and live in the core as `u64`s: on the 64-bit
// targets weft supports the two have one layout, so batches are read and written in place.
const _: () = assert!(std::mem::size_of::<*mut c_void>() == std::mem::size_of::<u64>());

/// The caller's `n` items (`WEFT_INVALID` for NULL with `n > 0`, or an impossible `n`).
fn item_slice<'a>(items: *const *mut c_void, n: usize) -> Result<&'a [u64], Status> {
    if n == 0 {
        return Ok(&[]);
    }
    if items.is_null() || n > isize::MAX as usize / 8 {
        return Err(Status::Invalid);
    }
    // SAFETY: the caller passes `n` readable items; a pointer and a u64 share one layout.
    Ok(unsafe { std::slice::from_raw_parts(items.cast::<u64>(), n) })
}

/// Room for `max` items from the caller, written in place.
fn item_slice_mut<'a>(items: *mut *mut c_void, max: usize) -> Result<&'a mut [u64], Status> {
    if max == 0 {
        return Ok(&mut []);
    }
    if items.is_null() || max > isize::MAX as usize / 8 {
        return Err(Status::Invalid);
    }
    // SAFETY: the caller passes room for `max` items; a pointer and a u64 share one layout.
    Ok(unsafe { std::slice::from_raw_parts_mut(items.cast::<u64>(), max) })
}

fn capacity_from(capacity: i64) -> Result<Option<usize>, Status> {
    match capacity {
        c if c < 0 => Ok(None),
        0 => Err(Status::Invalid),
        c => usize::try_from(c).map(Some).map_err(|_| Status::Invalid),
    }
}

/// Creates a queue and writes it to `*queue_out` (only on success). `kind` is one of
/// `WEFT_QUEUE_FIFO`, `WEFT_QUEUE_LIFO`, `WEFT_QUEUE_PRIORITY`; `capacity` is the most
/// items it holds (negative, e.g. `WEFT_UNBOUNDED`: no bound; 0 is `WEFT_INVALID`).
/// `destructor` (may be NULL) is called with `ctx` for every item the queue discards:
/// on `weft_queue_clear`, on an immediate shutdown, and for items still inside when the
/// last reference goes; it may run on any thread.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_new(
    kind: u32,
    capacity: i64,
    destructor: weft_item_destructor,
    ctx: *mut c_void,
    queue_out: *mut *mut weft_queue,
) -> weft_status {
    guard(|| {
        check_out(queue_out)?;
        let kind = match kind {
            WEFT_QUEUE_FIFO => QueueKind::Fifo,
            WEFT_QUEUE_LIFO => QueueKind::Lifo,
            WEFT_QUEUE_PRIORITY => QueueKind::Priority,
            _ => return Err(Status::Invalid),
        };
        let discard = destructor.map(|call| {
            let destructor = Destructor { call, ctx };
            Box::new(move |item: u64| destructor.run(item)) as Discard
        });
        write_new(
            Queue::new(kind, capacity_from(capacity)?, discard)?,
            queue_out,
        )
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_clone(queue: *mut weft_queue) -> weft_status {
    guard(|| handle::clone(queue))
}

/// Drops a reference. With the last one (pending ops hold their own) the queue goes, and
/// the destructor is called for every item still inside. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_free(queue: *mut weft_queue) -> weft_status {
    guard(|| handle::free(queue))
}

/// Puts `item` (any pointer, NULL too), waiting up to `timeout_ns` for room (negative:
/// forever; 0: try). `priority` orders a priority queue (smaller first) and is ignored by
/// the others. `WEFT_OK` (the item is the queue's now), `WEFT_TIMEOUT`,
/// `WEFT_WOULD_BLOCK` (timeout 0 and full), `WEFT_CLOSED` (shut down); on anything but
/// `WEFT_OK` the item is still the caller's. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_put(
    queue: *mut weft_queue,
    item: *mut c_void,
    priority: i64,
    timeout_ns: i64,
) -> weft_status {
    guard(|| {
        let queue = handle::borrow(queue)?;
        let item = item_bits(item);
        Ok(blocking(
            timeout_ns,
            || queue.try_put(item, priority),
            |deadline| queue.put(item, priority, deadline),
        ))
    })
}

/// Puts `item` if there is room now and nobody waits before it: `WEFT_OK`,
/// `WEFT_WOULD_BLOCK` or `WEFT_CLOSED`. Never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_try_put(
    queue: *mut weft_queue,
    item: *mut c_void,
    priority: i64,
) -> weft_status {
    guard(|| Ok(handle::borrow(queue)?.try_put(item_bits(item), priority)))
}

/// Puts `item` without blocking the caller: `WEFT_OK` at once (no callback follows),
/// `WEFT_CLOSED`, or `WEFT_PENDING`: the op completes once, `WEFT_OK` when the item went
/// in, `WEFT_CLOSED` if the queue was shut down first, `WEFT_CANCELLED` after
/// `weft_op_cancel` won (the item is then still the caller's). A put that went in stays
/// in even if its port is closed before the completion is delivered (its callback then
/// hears `WEFT_OK`). Otherwise the op contract of `weft_lock_acquire_async`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_put_async(
    queue: *mut weft_queue,
    item: *mut c_void,
    priority: i64,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        start_async(queue, port, callback, op_out, |queue, port, callback| {
            queue.put_async(item_bits(item), priority, port, callback, arg)
        })
    })
}

/// Takes the next item into `*item_out`, waiting up to `timeout_ns` (negative: forever;
/// 0: try). `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0 and empty),
/// `WEFT_CLOSED` (shut down and empty). `*item_out` is written only on `WEFT_OK`; the
/// item is then the caller's. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_get(
    queue: *mut weft_queue,
    item_out: *mut *mut c_void,
    timeout_ns: i64,
) -> weft_status {
    guard(|| {
        check_out(item_out)?;
        let queue = handle::borrow(queue)?;
        let got = if timeout_ns == 0 {
            queue.try_get()
        } else {
            queue.get(Deadline::after_ns(timeout_ns))
        };
        match got {
            Ok(item) => write_out(item_out, item_ptr(item)),
            Err(status) => Ok(status),
        }
    })
}

/// Takes the next item if there is one: `WEFT_OK` (`*item_out` written),
/// `WEFT_WOULD_BLOCK` or `WEFT_CLOSED` (shut down and empty). Never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_try_get(
    queue: *mut weft_queue,
    item_out: *mut *mut c_void,
) -> weft_status {
    weft_queue_get(queue, item_out, 0)
}

/// Takes the next item without blocking the caller. `WEFT_OK` at once: the item is
/// written to `*item_out` (which must not be NULL) and no callback follows;
/// `WEFT_CLOSED` (shut down and empty); or `WEFT_PENDING`: the op completes once,
/// `WEFT_OK` with the item (read it with `weft_op_item`), `WEFT_CLOSED`, or
/// `WEFT_CANCELLED`. If `weft_op_cancel` loses to the grant (returns `WEFT_OK`), the item
/// is the caller's all the same. An item whose completion reaches a closed port goes
/// back to the queue, to be taken next. Otherwise the op contract of
/// `weft_lock_acquire_async`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_get_async(
    queue: *mut weft_queue,
    item_out: *mut *mut c_void,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        check_out(item_out)?;
        let mut taken = 0;
        let status = start_async(queue, port, callback, op_out, |queue, port, callback| {
            let (started, item) = queue.get_async(port, callback, arg);
            taken = item;
            started
        })?;
        if status == Status::Ok {
            write_out(item_out, item_ptr(taken))?;
        }
        Ok(status)
    })
}

/// Puts `n` items from `items` in order (with `priorities[i]`, or 0 for all if
/// `priorities` is NULL), waiting up to `timeout_ns` for room (negative: forever; 0: put
/// what fits now). Writes how many went in (always a prefix of `items`) to `*put_out`,
/// whatever the status: `WEFT_OK` (all), `WEFT_WOULD_BLOCK` (timeout 0 and full),
/// `WEFT_TIMEOUT`, `WEFT_CLOSED`. One call crosses the boundary once for the whole batch.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_put_many(
    queue: *mut weft_queue,
    items: *const *mut c_void,
    priorities: *const i64,
    n: usize,
    timeout_ns: i64,
    put_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(put_out)?;
        let queue = handle::borrow(queue)?;
        let items = item_slice(items, n)?;
        let priorities = if priorities.is_null() || n == 0 {
            None
        } else {
            // SAFETY: the caller passes `n` readable priorities when it passes any (the
            // length was checked by `item_slice`).
            Some(unsafe { std::slice::from_raw_parts(priorities, n) })
        };
        let (status, put) = queue.put_many(items, priorities, Deadline::after_ns(timeout_ns));
        write_out(put_out, put)?;
        Ok(status)
    })
}

/// Takes up to `max` items into `items_out`, waiting up to `timeout_ns` for the first
/// (negative: forever; 0: try), then taking whatever else is there without waiting.
/// Writes how many were taken to `*got_out` whatever the status: `WEFT_OK` (≥ 1 item,
/// or `max` was 0), `WEFT_WOULD_BLOCK` (timeout 0 and empty), `WEFT_TIMEOUT`,
/// `WEFT_CLOSED` (shut down and empty).
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_get_many(
    queue: *mut weft_queue,
    items_out: *mut *mut c_void,
    max: usize,
    timeout_ns: i64,
    got_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(got_out)?;
        let queue = handle::borrow(queue)?;
        let out = item_slice_mut(items_out, max)?;
        let (status, count) = queue.get_many(out, Deadline::after_ns(timeout_ns));
        write_out(got_out, count)?;
        Ok(status)
    })
}

/// Shuts the queue down (as Python 3.13's `Queue.shutdown`): from now on puts fail with
/// `WEFT_CLOSED`, gets drain what is left and then fail with `WEFT_CLOSED`, and every
/// blocked putter and getter (every face) wakes with `WEFT_CLOSED`. With `immediate`, the
/// items inside are discarded through the destructor and each counts as a finished task
/// (so `weft_queue_join` returns). Idempotent. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_shutdown(queue: *mut weft_queue, immediate: bool) -> weft_status {
    guard(|| {
        handle::borrow(queue)?.shutdown(immediate);
        Ok(Status::Ok)
    })
}

/// Writes whether the queue was shut down to `*shutdown_out`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_is_shutdown(
    queue: *const weft_queue,
    shutdown_out: *mut bool,
) -> weft_status {
    guard(|| {
        check_out(shutdown_out)?;
        write_out(shutdown_out, handle::borrow(queue)?.is_shutdown())
    })
}

/// Marks one task done (each accepted put is one task): `WEFT_OK`, or `WEFT_OVERFLOW` if
/// no task is unfinished. When the count reaches zero every joiner wakes.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_task_done(queue: *mut weft_queue) -> weft_status {
    guard(|| Ok(handle::borrow(queue)?.task_done()))
}

/// Writes the number of unfinished tasks (puts not yet marked done) to `*count_out`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_unfinished(
    queue: *const weft_queue,
    count_out: *mut u64,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(queue)?.unfinished())
    })
}

/// Waits up to `timeout_ns` (negative: forever; 0: check) until every task is done:
/// `WEFT_OK`, `WEFT_TIMEOUT`, or `WEFT_WOULD_BLOCK` (timeout 0 and tasks unfinished).
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_join(queue: *mut weft_queue, timeout_ns: i64) -> weft_status {
    guard(|| {
        let queue = handle::borrow(queue)?;
        Ok(blocking(
            timeout_ns,
            || match queue.unfinished() {
                0 => Status::Ok,
                _ => Status::WouldBlock,
            },
            |deadline| queue.join(deadline),
        ))
    })
}

/// Waits for every task to be done without blocking the caller: `WEFT_OK` at once (no
/// callback follows) or `WEFT_PENDING` with the op contract of `weft_lock_acquire_async`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_join_async(
    queue: *mut weft_queue,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        start_async(queue, port, callback, op_out, |queue, port, callback| {
            queue.join_async(port, callback, arg)
        })
    })
}

/// Writes the item the next get would take to `*item_out` without taking it: `WEFT_OK`
/// or `WEFT_WOULD_BLOCK` (empty). The item stays the queue's. A snapshot: another thread
/// may take it at once. On a FIFO queue, a peek that races a get on another thread may
/// let that get take the item *behind* the peeked one (the peeked one is then the next
/// out); with no concurrent get, order is exact. Nothing is lost or delivered twice.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_peek(
    queue: *const weft_queue,
    item_out: *mut *mut c_void,
) -> weft_status {
    guard(|| {
        check_out(item_out)?;
        match handle::borrow(queue)?.peek() {
            Ok(item) => write_out(item_out, item_ptr(item)),
            Err(status) => Ok(status),
        }
    })
}

/// Puts back an item that a get took, to be the next one out: it goes to the first
/// waiting getter, or in front of the items, ahead of waiting putters and beyond the
/// capacity (it was inside). For a consumer that got an item it cannot use, e.g. an async
/// get whose cancel lost the race to the grant in a task that is going away. Counts no new
/// task (`weft_queue_task_done` is still owed once for the item). Works on a shut-down
/// queue (gets drain it); after an immediate shutdown the item is passed to the item
/// destructor instead and counted done. Only for items that came out of this queue.
/// `WEFT_OK`, or `WEFT_INVALID` for a NULL queue. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_unget(queue: *mut weft_queue, item: *mut c_void) -> weft_status {
    guard(|| {
        handle::borrow(queue)?.unget(item_bits(item));
        Ok(Status::Ok)
    })
}

/// Discards every item inside (through the destructor, on this thread), counting each
/// as a finished task, and lets waiting putters in. Writes how many were discarded to
/// `*cleared_out` if it is not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_clear(queue: *mut weft_queue, cleared_out: *mut usize) -> weft_status {
    guard(|| {
        let cleared = handle::borrow(queue)?.clear();
        write_optional(cleared_out, cleared);
        Ok(Status::Ok)
    })
}

/// Writes the number of items inside to `*size_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_size(queue: *const weft_queue, size_out: *mut usize) -> weft_status {
    guard(|| {
        check_out(size_out)?;
        write_out(size_out, handle::borrow(queue)?.len())
    })
}

/// Writes the capacity to `*capacity_out`: `WEFT_UNBOUNDED` (-1) when there is none.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_capacity(
    queue: *const weft_queue,
    capacity_out: *mut i64,
) -> weft_status {
    guard(|| {
        check_out(capacity_out)?;
        let capacity = handle::borrow(queue)?.capacity();
        write_out(
            capacity_out,
            capacity.map_or(WEFT_UNBOUNDED, |c| i64::try_from(c).unwrap_or(i64::MAX)),
        )
    })
}

/// Changes the capacity (negative: unbounded; 0 is `WEFT_INVALID`). Growing lets waiting
/// putters in, in line order; shrinking below the current size discards nothing.
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_set_capacity(queue: *mut weft_queue, capacity: i64) -> weft_status {
    guard(|| {
        let queue = handle::borrow(queue)?;
        Ok(queue.set_capacity(capacity_from(capacity)?))
    })
}

/// Writes how many putters (`*putters_out`) and getters (`*getters_out`) wait in line. A
/// snapshot; either pointer may be NULL (not both).
#[unsafe(no_mangle)]
pub extern "C" fn weft_queue_waiting(
    queue: *const weft_queue,
    putters_out: *mut usize,
    getters_out: *mut usize,
) -> weft_status {
    guard(|| {
        if putters_out.is_null() && getters_out.is_null() {
            return Err(Status::Invalid);
        }
        let (putters, getters) = handle::borrow(queue)?.waiting();
        write_optional(putters_out, putters);
        write_optional(getters_out, getters);
        Ok(Status::Ok)
    })
}
