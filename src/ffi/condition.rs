//! `weft_cond`: condition variables bound to a `weft_lock` or `weft_rlock`, or lockless.

use std::ffi::c_void;
use std::sync::Arc;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_optional, write_out};
use super::lock::weft_lock;
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::rlock::weft_rlock;
use super::status::weft_status;
use crate::{Condition, Deadline, Status, owner};

/// A condition variable. Waiters of every face stand in one FIFO line; a notified waiter
/// is moved straight into the lock's line and wakes holding the lock. Reference counted;
/// it holds a reference to its lock.
///
/// No notification is lost: a waiter that `weft_cond_notify` counted either returns
/// notified (holding the lock), or, if it gives up after all (its `weft_op_cancel` or
/// timeout wins while it waits for the lock, or its port is closed before the completion
/// is delivered), its notification goes to the next waiter in the condition's line. A
/// wait that ends without being notified holds nothing when its completion runs.
pub struct weft_cond {
    _private: [u8; 0],
}

impl Handle for weft_cond {
    type Target = Condition;
}

/// Creates a condition bound to `lock` (NULL: lockless, waits only wait for a notify) and
/// writes it to `*cond_out` (only on success). The condition keeps a reference to `lock`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_new(
    lock: *mut weft_lock,
    cond_out: *mut *mut weft_cond,
) -> weft_status {
    guard(|| {
        check_out(cond_out)?;
        let bound = if lock.is_null() {
            None
        } else {
            Some(Arc::clone(&*handle::borrow_arc(lock)?))
        };
        write_new(Condition::new(bound), cond_out)
    })
}

/// Creates a condition bound to a reentrant lock (not NULL); a wait saves the owner's
/// depth and restores it when it wakes.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_new_reentrant(
    rlock: *mut weft_rlock,
    cond_out: *mut *mut weft_cond,
) -> weft_status {
    guard(|| {
        check_out(cond_out)?;
        let bound = Arc::clone(&*handle::borrow_arc(rlock)?);
        write_new(Condition::new(Some(bound)), cond_out)
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_clone(cond: *mut weft_cond) -> weft_status {
    guard(|| handle::clone(cond))
}

/// Drops a reference; the condition (and its reference to the lock) goes with the last.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_free(cond: *mut weft_cond) -> weft_status {
    guard(|| handle::free(cond))
}

/// Waits for a notify as `owner`, who must hold the bound lock (any depth): releases it,
/// waits up to `timeout_ns` (negative: forever; 0: returns `WEFT_TIMEOUT` at once) and
/// returns holding it again with the same depth. `WEFT_OK` (notified), `WEFT_TIMEOUT`
/// (the lock is held again too), `WEFT_NOT_OWNER` (not holding it), `WEFT_INVALID`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_wait_as(
    cond: *mut weft_cond,
    owner: u64,
    timeout_ns: i64,
) -> weft_status {
    guard(|| {
        if owner == 0 {
            return Err(Status::Invalid);
        }
        Ok(handle::borrow(cond)?.wait(owner, Deadline::after_ns(timeout_ns)))
    })
}

/// `weft_cond_wait_as` for the calling thread.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_wait(cond: *mut weft_cond, timeout_ns: i64) -> weft_status {
    weft_cond_wait_as(cond, owner::current_thread(), timeout_ns)
}

/// Starts an async wait as `owner` (who must hold the bound lock); the lock is released
/// before this returns. Returns `WEFT_PENDING` with the op contract of
/// `weft_lock_acquire_async`: the op completes `WEFT_OK` once notified *and* holding the
/// lock again (release it with `weft_lock_release_as(lock, owner)`), or `WEFT_CANCELLED`
/// after `weft_op_cancel` won (or its port was closed first), without the lock; a
/// notification it had been given then goes to the next waiter. If `weft_op_cancel`
/// answers `WEFT_OK`, the wait was notified and holds the lock: to give up anyway, call
/// `weft_cond_notify(cond, 1, NULL)` (passing the notification on) and release the lock.
/// `WEFT_NOT_OWNER`, `WEFT_INVALID`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_wait_async(
    cond: *mut weft_cond,
    owner: u64,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        if owner == 0 {
            return Err(Status::Invalid);
        }
        start_async(cond, port, callback, op_out, |cond, port, callback| {
            cond.wait_async(owner, port, callback, arg)
        })
    })
}

/// Wakes up to `n` waiters in FIFO order (each moved into the lock's line) and writes how
/// many to `*woken_out` if not NULL. Each one counted returns notified, or passes the
/// notification on to the next waiter if it gives up after all. Never blocks; the caller
/// need not hold the lock.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_notify(
    cond: *mut weft_cond,
    n: usize,
    woken_out: *mut usize,
) -> weft_status {
    guard(|| {
        let woken = handle::borrow(cond)?.notify(n);
        write_optional(woken_out, woken);
        Ok(Status::Ok)
    })
}

/// Wakes every waiter waiting when it starts (a waiter that waits again is not woken
/// twice by the same call); writes how many to `*woken_out` if not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_notify_all(cond: *mut weft_cond, woken_out: *mut usize) -> weft_status {
    guard(|| {
        let woken = handle::borrow(cond)?.notify_all();
        write_optional(woken_out, woken);
        Ok(Status::Ok)
    })
}

/// Writes the number of waiters in the condition's line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_cond_waiting(cond: *const weft_cond, count_out: *mut usize) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(cond)?.waiting())
    })
}
