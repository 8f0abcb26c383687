//! `weft_countdown`: a countdown event.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use super::time::blocking;
use crate::{Countdown, Status};

/// A countdown event: a count; waiters wait for it to pass through zero. Reference counted.
pub struct weft_countdown {
    _private: [u8; 0],
}

impl Handle for weft_countdown {
    type Target = Countdown;
}

/// Creates a countdown at `initial` (0..INT64_MAX; else `WEFT_INVALID`) and writes it to
/// `*countdown_out` (only on success).
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_new(
    initial: i64,
    countdown_out: *mut *mut weft_countdown,
) -> weft_status {
    guard(|| {
        check_out(countdown_out)?;
        let initial = u64::try_from(initial).map_err(|_| Status::Invalid)?;
        write_new(Countdown::new(initial)?, countdown_out)
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_clone(countdown: *mut weft_countdown) -> weft_status {
    guard(|| handle::clone(countdown))
}

/// Drops a reference; the countdown goes with the last one.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_free(countdown: *mut weft_countdown) -> weft_status {
    guard(|| handle::free(countdown))
}

/// Adds `n` (≥ 1) to the count. `WEFT_OVERFLOW` past INT64_MAX (nothing changes),
/// `WEFT_INVALID` for 0. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_up(countdown: *mut weft_countdown, n: u64) -> weft_status {
    guard(|| Ok(handle::borrow(countdown)?.up(n)))
}

/// Subtracts one; reaching zero wakes every waiter queued then. `WEFT_OVERFLOW` at zero
/// (nothing changes). Never blocks; callbacks of port-less waiters run on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_down(countdown: *mut weft_countdown) -> weft_status {
    guard(|| Ok(handle::borrow(countdown)?.down()))
}

/// Drops the count to zero, waking every waiter.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_clear(countdown: *mut weft_countdown) -> weft_status {
    guard(|| {
        handle::borrow(countdown)?.clear();
        Ok(Status::Ok)
    })
}

/// Writes the count to `*value_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_value(
    countdown: *const weft_countdown,
    value_out: *mut u64,
) -> weft_status {
    guard(|| {
        check_out(value_out)?;
        write_out(value_out, handle::borrow(countdown)?.value())
    })
}

/// Waits until the count is zero, up to `timeout_ns` (negative: forever; 0: check once).
/// `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_wait(
    countdown: *mut weft_countdown,
    timeout_ns: i64,
) -> weft_status {
    guard(|| {
        let countdown = handle::borrow(countdown)?;
        let now = || {
            if countdown.value() == 0 {
                Status::Ok
            } else {
                Status::WouldBlock
            }
        };
        Ok(blocking(timeout_ns, now, |deadline| {
            countdown.wait(deadline)
        }))
    })
}

/// Waits without blocking: `WEFT_OK` if the count is zero now, or `WEFT_PENDING` with the
/// op contract of `weft_lock_acquire_async` (completes `WEFT_OK` at zero).
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_wait_async(
    countdown: *mut weft_countdown,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        start_async(
            countdown,
            port,
            callback,
            op_out,
            |countdown, port, callback| countdown.wait_async(port, callback, arg),
        )
    })
}

/// Writes the number of waiters in line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_countdown_waiting(
    countdown: *const weft_countdown,
    count_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(countdown)?.waiting())
    })
}
