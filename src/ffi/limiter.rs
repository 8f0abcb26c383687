//! `weft_limiter`: capacity limiters, plain or reentrant.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use super::time::blocking;
use crate::{Limiter, Status, owner};

/// A capacity limiter: at most `total` owners hold a token at once, one token per owner.
/// Waiters of every face stand in one FIFO line. Reference counted.
pub struct weft_limiter {
    _private: [u8; 0],
}

impl Handle for weft_limiter {
    type Target = Limiter;
}

/// Limiter flag: an owner acquiring again is `WEFT_DEADLOCK` (the default).
pub const WEFT_LIMITER_PLAIN: u32 = 0;
/// Limiter flag: an owner may acquire again; its count adds up and must be released.
pub const WEFT_LIMITER_REENTRANT: u32 = 1;

/// Creates a limiter of `total` tokens (0..INT64_MAX) and writes it to `*limiter_out`
/// (only on success). `flags`: `WEFT_LIMITER_PLAIN` or `WEFT_LIMITER_REENTRANT`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_new(
    total: i64,
    flags: u32,
    limiter_out: *mut *mut weft_limiter,
) -> weft_status {
    guard(|| {
        check_out(limiter_out)?;
        let total = u64::try_from(total).map_err(|_| Status::Invalid)?;
        let reentrant = match flags {
            WEFT_LIMITER_PLAIN => false,
            WEFT_LIMITER_REENTRANT => true,
            _ => return Err(Status::Invalid),
        };
        write_new(Limiter::new(total, reentrant)?, limiter_out)
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_clone(limiter: *mut weft_limiter) -> weft_status {
    guard(|| handle::clone(limiter))
}

/// Drops a reference; the limiter goes with the last one (pending ops hold their own).
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_free(limiter: *mut weft_limiter) -> weft_status {
    guard(|| handle::free(limiter))
}

/// Takes a token for `owner` (nonzero; `count` levels, 1 for a plain limiter), waiting up
/// to `timeout_ns` (negative: forever; 0: try). `WEFT_OK`, `WEFT_TIMEOUT`,
/// `WEFT_WOULD_BLOCK`, `WEFT_DEADLOCK` (plain limiter: `owner` already holds a token),
/// `WEFT_OVERFLOW`, `WEFT_INVALID`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_acquire_as(
    limiter: *mut weft_limiter,
    owner: u64,
    count: u64,
    timeout_ns: i64,
) -> weft_status {
    guard(|| {
        let limiter = handle::borrow(limiter)?;
        Ok(blocking(
            timeout_ns,
            || limiter.try_acquire(owner, count),
            |deadline| limiter.acquire(owner, count, deadline),
        ))
    })
}

/// `weft_limiter_acquire_as` for the calling thread.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_acquire(
    limiter: *mut weft_limiter,
    count: u64,
    timeout_ns: i64,
) -> weft_status {
    weft_limiter_acquire_as(limiter, owner::current_thread(), count, timeout_ns)
}

/// Takes a token for `owner` without blocking the caller: `WEFT_OK` now, or `WEFT_PENDING`
/// with the op contract of `weft_lock_acquire_async`. An owner with two acquires in line:
/// when the second is served the owner already borrows, so it re-enters on a reentrant
/// limiter (count added, no second token) and completes `WEFT_DEADLOCK` on a plain one.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_acquire_async(
    limiter: *mut weft_limiter,
    owner: u64,
    count: u64,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        start_async(
            limiter,
            port,
            callback,
            op_out,
            |limiter, port, callback| limiter.acquire_async(owner, count, port, callback, arg),
        )
    })
}

/// Gives back `count` levels held by `owner`; the last returns the token to the first
/// live waiter. `WEFT_NOT_OWNER`, `WEFT_OVERFLOW` (more than held; nothing changes),
/// `WEFT_INVALID`. Never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_release_as(
    limiter: *mut weft_limiter,
    owner: u64,
    count: u64,
) -> weft_status {
    guard(|| Ok(handle::borrow(limiter)?.release(owner, count)))
}

/// `weft_limiter_release_as` for the calling thread.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_release(limiter: *mut weft_limiter, count: u64) -> weft_status {
    weft_limiter_release_as(limiter, owner::current_thread(), count)
}

/// Changes the total (0..INT64_MAX). Growing it hands tokens to waiters at once;
/// shrinking it lets current borrowers finish (borrowed may exceed total meanwhile).
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_set_total(limiter: *mut weft_limiter, total: i64) -> weft_status {
    guard(|| {
        let total = u64::try_from(total).map_err(|_| Status::Invalid)?;
        Ok(handle::borrow(limiter)?.set_total(total))
    })
}

/// Writes the total, the borrowed tokens and the number of waiters, one consistent
/// snapshot, to the out-pointers (all three required).
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_counts(
    limiter: *const weft_limiter,
    total_out: *mut u64,
    borrowed_out: *mut u64,
    waiting_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(total_out)?;
        check_out(borrowed_out)?;
        check_out(waiting_out)?;
        let (total, borrowed, waiting) = handle::borrow(limiter)?.counts();
        write_out(total_out, total)?;
        write_out(borrowed_out, borrowed)?;
        write_out(waiting_out, waiting)
    })
}

/// Writes the count `owner` holds (0 if none) to `*count_out`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_limiter_held(
    limiter: *const weft_limiter,
    owner: u64,
    count_out: *mut u64,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(limiter)?.held_by(owner))
    })
}
