//! `weft_lock`: an ownable, non-reentrant lock. The helpers here also serve `weft_rlock`.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::{WEFT_OK, weft_status};
use super::time::blocking;
use crate::{Fairness, Lock, Status, owner};

/// An ownable lock: held by one owner at a time, released only by its owner. Waiters of
/// every face (blocking threads, async ops) stand in one FIFO line. Reference counted.
pub struct weft_lock {
    _private: [u8; 0],
}

impl Handle for weft_lock {
    type Target = Lock;
}

/// Lock flag: strict FIFO handoff to the first waiter (the default).
pub const WEFT_LOCK_FIFO: u32 = 0;
/// Lock flag: throughput mode. A release unlocks and wakes the first waiting thread to
/// retry, so a running thread may take the lock first; a waiter that keeps losing is
/// eventually handed the lock directly, and async waiters always are.
pub const WEFT_LOCK_THROUGHPUT: u32 = 1;

pub(crate) fn fairness_from_flags(flags: u32) -> Result<Fairness, Status> {
    match flags {
        WEFT_LOCK_FIFO => Ok(Fairness::Fifo),
        WEFT_LOCK_THROUGHPUT => Ok(Fairness::Throughput),
        _ => Err(Status::Invalid),
    }
}

#[inline(always)]
pub(crate) fn acquire<H: Handle<Target = Lock>>(
    lock: *const H,
    owner: u64,
    count: u64,
    timeout_ns: i64,
) -> Result<Status, Status> {
    let lock = handle::borrow(lock)?;
    Ok(blocking(
        timeout_ns,
        || lock.try_acquire(owner, count),
        |deadline| lock.acquire(owner, count, deadline),
    ))
}

pub(crate) fn acquire_async<H: Handle<Target = Lock>>(
    lock: *const H,
    owner: u64,
    count: u64,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> Result<Status, Status> {
    start_async(lock, port, callback, op_out, |lock, port, callback| {
        lock.acquire_async(owner, count, port, callback, arg)
    })
}

#[inline(always)]
pub(crate) fn release<H: Handle<Target = Lock>>(
    lock: *const H,
    owner: u64,
    count: u64,
) -> Result<Status, Status> {
    Ok(handle::borrow(lock)?.release(owner, count))
}

pub(crate) fn owner_of<H: Handle<Target = Lock>>(
    lock: *const H,
    owner_out: *mut u64,
) -> Result<Status, Status> {
    check_out(owner_out)?;
    write_out(owner_out, handle::borrow(lock)?.owner())
}

pub(crate) fn waiting<H: Handle<Target = Lock>>(
    lock: *const H,
    count_out: *mut usize,
) -> Result<Status, Status> {
    check_out(count_out)?;
    write_out(count_out, handle::borrow(lock)?.waiting())
}

/// Writes the calling thread's owner token to `*owner_out`: the owner that blocking
/// calls without `_as` use. Nonzero. Pass it to `_as` calls to act for this thread.
/// Thread tokens are never repeated within the process (bit 62 set, bit 63 clear, so they
/// never equal a `weft_owner_new` token): a lock that a thread left held when it exited
/// stays held, and no later thread is ever taken for its owner.
#[unsafe(no_mangle)]
pub extern "C" fn weft_thread_owner(owner_out: *mut u64) -> weft_status {
    guard(|| write_out(owner_out, owner::current_thread()))
}

/// Writes a fresh owner token to `*owner_out`, for an owner that is not a thread (a loop
/// task, a goroutine...): nonzero, unique in the process, and never equal to any thread's
/// token. Any other nonzero value may be used as a token too, as long as no two live
/// owners share it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_owner_new(owner_out: *mut u64) -> weft_status {
    guard(|| write_out(owner_out, owner::new_token()))
}

/// Creates an unlocked lock and writes it to `*lock_out` (only on success). `flags` is
/// `WEFT_LOCK_FIFO` or `WEFT_LOCK_THROUGHPUT`; anything else is `WEFT_INVALID`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_new(flags: u32, lock_out: *mut *mut weft_lock) -> weft_status {
    guard(|| write_new(Lock::new(fairness_from_flags(flags)?), lock_out))
}

/// Adds a reference to `lock`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_clone(lock: *mut weft_lock) -> weft_status {
    guard(|| handle::clone(lock))
}

/// Drops a reference; the lock is destroyed with the last one (pending async ops hold
/// their own). Thread-safe; the caller's pointer must not be used afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_free(lock: *mut weft_lock) -> weft_status {
    guard(|| handle::free(lock))
}

/// Acquires the lock for the calling thread, waiting up to `timeout_ns` (negative:
/// forever; 0: try once). `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0),
/// `WEFT_DEADLOCK` (this thread already owns it), `WEFT_INVALID`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_acquire(lock: *mut weft_lock, timeout_ns: i64) -> weft_status {
    let owner = owner::current_thread();
    // The uncontended path cannot panic: it runs outside the boundary's landing pad, and
    // the rest is a tail call, so this function needs no stack frame.
    if let Ok(object) = handle::borrow(lock) {
        if object.lock_uncontended(owner) {
            return WEFT_OK;
        }
    }
    acquire_guarded(lock, owner, timeout_ns)
}

#[cold]
#[inline(never)]
fn acquire_guarded(lock: *mut weft_lock, owner: u64, timeout_ns: i64) -> weft_status {
    guard(|| acquire(lock, owner, 1, timeout_ns))
}

/// Acquires the lock for the calling thread if it is free and nobody waits:
/// `WEFT_OK`, `WEFT_WOULD_BLOCK`, `WEFT_DEADLOCK`, `WEFT_INVALID`. Never blocks. In
/// throughput mode (`WEFT_LOCK_THROUGHPUT`) a release unlocks before the woken waiter
/// retries, so a try in that window takes the lock ahead of the line (that is the mode's
/// point); in FIFO mode it never does.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_try_acquire(lock: *mut weft_lock) -> weft_status {
    guard(|| acquire(lock, owner::current_thread(), 1, 0))
}

/// `weft_lock_acquire` for an explicit owner token (nonzero; e.g. a task or goroutine
/// that may move between threads). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_acquire_as(
    lock: *mut weft_lock,
    owner: u64,
    timeout_ns: i64,
) -> weft_status {
    guard(|| acquire(lock, owner, 1, timeout_ns))
}

/// Acquires the lock for `owner` (nonzero) without blocking the caller. Returns `WEFT_OK`
/// when it was free (no callback follows), or `WEFT_PENDING` and writes an op to
/// `*op_out` (if not NULL): `callback(arg, status)` then happens exactly once, through
/// `port` (in `weft_port_run` / `weft_port_poll` on the port's loop) or, with a NULL
/// port, on the releasing thread. `WEFT_OK` means the lock is `owner`'s; release it with
/// `weft_lock_release_as`. `*op_out` is set to NULL on `WEFT_OK` and left untouched on
/// errors.
/// `WEFT_INVALID` for NULL lock, owner 0, or neither port nor callback.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_acquire_async(
    lock: *mut weft_lock,
    owner: u64,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| acquire_async(lock, owner, 1, port, callback, arg, op_out))
}

/// Releases the lock held by the calling thread, handing it to the first live waiter.
/// `WEFT_OK`, `WEFT_NOT_LOCKED`, `WEFT_NOT_OWNER`, `WEFT_INVALID`. Never blocks; wakes or
/// completes the next owner after all internal locks are dropped.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_release(lock: *mut weft_lock) -> weft_status {
    let owner = owner::current_thread();
    // As in `weft_lock_acquire`: the uncontended path outside the landing pad.
    if let Ok(object) = handle::borrow(lock) {
        match object.unlock_uncontended(owner) {
            Some(true) => return WEFT_OK,
            Some(false) => return hand_over_guarded(object),
            None => {}
        }
    }
    release_guarded(lock, owner)
}

#[cold]
#[inline(never)]
fn release_guarded(lock: *mut weft_lock, owner: u64) -> weft_status {
    guard(|| release(lock, owner, 1))
}

/// The hold is already given up and waiters are queued: hand the lock over.
#[cold]
#[inline(never)]
fn hand_over_guarded(lock: &Lock) -> weft_status {
    guard(|| Ok(lock.release_to_waiters()))
}

/// `weft_lock_release` for an explicit owner token. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_release_as(lock: *mut weft_lock, owner: u64) -> weft_status {
    guard(|| release(lock, owner, 1))
}

/// Writes the current owner token to `*owner_out`, or 0 if unlocked. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_owner(lock: *const weft_lock, owner_out: *mut u64) -> weft_status {
    guard(|| owner_of(lock, owner_out))
}

/// Writes the number of waiters in line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_lock_waiting(lock: *const weft_lock, count_out: *mut usize) -> weft_status {
    guard(|| waiting(lock, count_out))
}
