//! `weft_barrier`: latches, cyclic barriers and resettable barriers.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_optional, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use crate::{Barrier, BarrierKind, Deadline, Status};

/// A barrier for a number of parties. Waiters of every face stand in one FIFO line; the
/// arrival that completes a phase releases it, each waiter learning its arrival index.
/// Reference counted.
pub struct weft_barrier {
    _private: [u8; 0],
}

impl Handle for weft_barrier {
    type Target = Barrier;
}

/// Barrier kind: single use; once `parties` have arrived it stays open.
pub const WEFT_BARRIER_LATCH: u32 = 0;
/// Barrier kind: cyclic; a broken barrier stays broken.
pub const WEFT_BARRIER_CYCLIC: u32 = 1;
/// Barrier kind: cyclic, repaired by `weft_barrier_reset`.
pub const WEFT_BARRIER_RESETTABLE: u32 = 2;

/// Creates a barrier for `parties` arrivals (0..INT64_MAX; with 0 nobody passes and waits
/// end only broken) of the given kind, and writes it to `*barrier_out` (only on success).
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_new(
    parties: i64,
    kind: u32,
    barrier_out: *mut *mut weft_barrier,
) -> weft_status {
    guard(|| {
        check_out(barrier_out)?;
        let parties = u64::try_from(parties).map_err(|_| Status::Invalid)?;
        let kind = match kind {
            WEFT_BARRIER_LATCH => BarrierKind::Latch,
            WEFT_BARRIER_CYCLIC => BarrierKind::Cyclic,
            WEFT_BARRIER_RESETTABLE => BarrierKind::Resettable,
            _ => return Err(Status::Invalid),
        };
        write_new(Barrier::new(parties, kind)?, barrier_out)
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_clone(barrier: *mut weft_barrier) -> weft_status {
    guard(|| handle::clone(barrier))
}

/// Drops a reference; the barrier goes with the last one (pending ops hold their own).
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_free(barrier: *mut weft_barrier) -> weft_status {
    guard(|| handle::free(barrier))
}

/// Arrives and waits up to `timeout_ns` (negative: forever) for the phase to fill.
/// `WEFT_OK` (the arrival index, 0 for the first arrival of the phase, is written to
/// `*index_out` if it is not NULL), `WEFT_BROKEN`, or `WEFT_TIMEOUT`: giving up breaks the
/// barrier for everyone (a zero timeout too, unless this arrival completes the phase).
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_wait(
    barrier: *mut weft_barrier,
    timeout_ns: i64,
    index_out: *mut u64,
) -> weft_status {
    guard(|| {
        let barrier = handle::borrow(barrier)?;
        let (status, index) = barrier.wait(Deadline::after_ns(timeout_ns));
        if status == Status::Ok {
            write_optional(index_out, index);
        }
        Ok(status)
    })
}

/// Arrives without blocking. `WEFT_OK`: this arrival completed the phase (or the latch is
/// open); its index goes to `*index_out` if not NULL and no callback follows.
/// `WEFT_BROKEN`: the barrier is broken. `WEFT_PENDING`: the op contract of
/// `weft_lock_acquire_async`; once it completes `WEFT_OK`, `weft_op_value` gives the
/// arrival index. Cancelling a pending arrival breaks the barrier.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_wait_async(
    barrier: *mut weft_barrier,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
    index_out: *mut u64,
) -> weft_status {
    guard(|| {
        let mut index = 0;
        let status = start_async(
            barrier,
            port,
            callback,
            op_out,
            |barrier, port, callback| {
                let (started, mine) = barrier.wait_async(port, callback, arg);
                index = mine;
                started
            },
        )?;
        if status == Status::Ok {
            write_optional(index_out, index);
        }
        Ok(status)
    })
}

/// Breaks the barrier: every waiter, and every later arrival, gets `WEFT_BROKEN` (until a
/// reset, for a resettable barrier). Never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_abort(barrier: *mut weft_barrier) -> weft_status {
    guard(|| {
        handle::borrow(barrier)?.abort();
        Ok(Status::Ok)
    })
}

/// Repairs a resettable barrier: current waiters get `WEFT_BROKEN`, a new phase starts.
/// `WEFT_INVALID` for a latch or a cyclic barrier.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_reset(barrier: *mut weft_barrier) -> weft_status {
    guard(|| Ok(handle::borrow(barrier)?.reset()))
}

/// Writes whether the barrier is broken to `*broken_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_is_broken(
    barrier: *const weft_barrier,
    broken_out: *mut bool,
) -> weft_status {
    guard(|| {
        check_out(broken_out)?;
        write_out(broken_out, handle::borrow(barrier)?.is_broken())
    })
}

/// Writes the number of arrivals waiting in line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_barrier_waiting(
    barrier: *const weft_barrier,
    count_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(barrier)?.waiting())
    })
}
