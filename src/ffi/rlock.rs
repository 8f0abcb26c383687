//! `weft_rlock`: a reentrant lock with counts. Shares its plumbing with `weft_lock`.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::lock::{acquire, acquire_async, fairness_from_flags, owner_of, release, waiting};
use super::op::{weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use crate::{Lock, owner};

/// A reentrant lock: its owner may acquire it again (depth adds up) and must release as
/// many levels as it acquired. Same line, faces and flags as `weft_lock`.
pub struct weft_rlock {
    _private: [u8; 0],
}

impl Handle for weft_rlock {
    type Target = Lock;
}

/// Creates an unlocked reentrant lock; `flags` as for `weft_lock_new`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_new(flags: u32, rlock_out: *mut *mut weft_rlock) -> weft_status {
    guard(|| write_new(Lock::new_reentrant(fairness_from_flags(flags)?), rlock_out))
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_clone(rlock: *mut weft_rlock) -> weft_status {
    guard(|| handle::clone(rlock))
}

/// Drops a reference; the lock goes with the last one. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_free(rlock: *mut weft_rlock) -> weft_status {
    guard(|| handle::free(rlock))
}

/// Acquires `count` (≥ 1) levels for the calling thread, waiting up to `timeout_ns`
/// (negative: forever; 0: try). Immediate if this thread already owns it. `WEFT_OK`,
/// `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK`, `WEFT_OVERFLOW` (depth would pass INT64_MAX),
/// `WEFT_INVALID` (count 0). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_acquire(
    rlock: *mut weft_rlock,
    count: u64,
    timeout_ns: i64,
) -> weft_status {
    guard(|| acquire(rlock, owner::current_thread(), count, timeout_ns))
}

/// Acquires `count` levels for the calling thread without blocking.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_try_acquire(rlock: *mut weft_rlock, count: u64) -> weft_status {
    guard(|| acquire(rlock, owner::current_thread(), count, 0))
}

/// `weft_rlock_acquire` for an explicit owner token (nonzero).
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_acquire_as(
    rlock: *mut weft_rlock,
    owner: u64,
    count: u64,
    timeout_ns: i64,
) -> weft_status {
    guard(|| acquire(rlock, owner, count, timeout_ns))
}

/// Async acquire of `count` levels for `owner`; the contract of `weft_lock_acquire_async`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_acquire_async(
    rlock: *mut weft_rlock,
    owner: u64,
    count: u64,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| acquire_async(rlock, owner, count, port, callback, arg, op_out))
}

/// Releases `count` levels held by the calling thread; the last level hands the lock to
/// the first live waiter. `WEFT_OVERFLOW` (more than held; nothing changes),
/// `WEFT_NOT_OWNER`, `WEFT_NOT_LOCKED`, `WEFT_INVALID` (count 0).
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_release(rlock: *mut weft_rlock, count: u64) -> weft_status {
    guard(|| release(rlock, owner::current_thread(), count))
}

/// `weft_rlock_release` for an explicit owner token.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_release_as(
    rlock: *mut weft_rlock,
    owner: u64,
    count: u64,
) -> weft_status {
    guard(|| release(rlock, owner, count))
}

/// Writes the current owner token (0 if unlocked) to `*owner_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_owner(rlock: *const weft_rlock, owner_out: *mut u64) -> weft_status {
    guard(|| owner_of(rlock, owner_out))
}

/// Writes the depth `owner` holds (0 if it is not the owner) to `*count_out`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_count(
    rlock: *const weft_rlock,
    owner: u64,
    count_out: *mut u64,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(rlock)?.depth_of(owner))
    })
}

/// Writes the number of waiters in line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_rlock_waiting(
    rlock: *const weft_rlock,
    count_out: *mut usize,
) -> weft_status {
    guard(|| waiting(rlock, count_out))
}
