//! `weft_sem`: a counting semaphore, optionally bounded.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use super::time::blocking;
use crate::{Semaphore, Status};

/// A counting semaphore. No ownership: any thread may release. Waiters of every face
/// stand in one FIFO line, and a release hands permits to them before anyone else.
pub struct weft_sem {
    _private: [u8; 0],
}

impl Handle for weft_sem {
    type Target = Semaphore;
}

/// Creates a semaphore with `initial` permits and writes it to `*sem_out` (only on
/// success). `max < 0`: unbounded; otherwise releases beyond `max` fail with
/// `WEFT_OVERFLOW`. `WEFT_INVALID` if `initial < 0` or `initial > max` (bounded).
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_new(initial: i64, max: i64, sem_out: *mut *mut weft_sem) -> weft_status {
    guard(|| {
        check_out(sem_out)?;
        let initial = u64::try_from(initial).map_err(|_| Status::Invalid)?;
        let max = u64::try_from(max).ok();
        write_new(Semaphore::new(initial, max)?, sem_out)
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_clone(sem: *mut weft_sem) -> weft_status {
    guard(|| handle::clone(sem))
}

/// Drops a reference; the semaphore goes with the last one. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_free(sem: *mut weft_sem) -> weft_status {
    guard(|| handle::free(sem))
}

/// Takes one permit, waiting up to `timeout_ns` (negative: forever; 0: try).
/// `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0), `WEFT_INVALID`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_acquire(sem: *mut weft_sem, timeout_ns: i64) -> weft_status {
    guard(|| {
        let sem = handle::borrow(sem)?;
        Ok(blocking(
            timeout_ns,
            || sem.try_acquire(),
            |deadline| sem.acquire(deadline),
        ))
    })
}

/// Takes one permit if one is free (and nobody waits): `WEFT_OK` or `WEFT_WOULD_BLOCK`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_try_acquire(sem: *mut weft_sem) -> weft_status {
    guard(|| Ok(handle::borrow(sem)?.try_acquire()))
}

/// Takes one permit without blocking the caller: `WEFT_OK` at once (no callback
/// follows), or `WEFT_PENDING` with the op contract of `weft_lock_acquire_async`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_acquire_async(
    sem: *mut weft_sem,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        start_async(sem, port, callback, op_out, |sem, port, callback| {
            sem.acquire_async(port, callback, arg)
        })
    })
}

/// Returns `n` (≥ 1) permits: the first `n` live waiters each get one, the rest become
/// free. `WEFT_OVERFLOW` (nothing changes) if the free count plus `n` would pass `max`;
/// while waiters are queued the free count is 0, so any `n > max` is refused even if the
/// waiters would take them all. An unbounded semaphore stops at INT64_MAX the same way.
/// `WEFT_INVALID` for `n == 0` or `n > INT64_MAX`. Never blocks. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_release(sem: *mut weft_sem, n: u64) -> weft_status {
    guard(|| Ok(handle::borrow(sem)?.release(n)))
}

/// Writes the number of free permits to `*value_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_value(sem: *const weft_sem, value_out: *mut u64) -> weft_status {
    guard(|| {
        check_out(value_out)?;
        write_out(value_out, handle::borrow(sem)?.value())
    })
}

/// Writes the number of waiters in line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_sem_waiting(sem: *const weft_sem, count_out: *mut usize) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(sem)?.waiting())
    })
}
