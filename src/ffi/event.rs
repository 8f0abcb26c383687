//! `weft_event`: one-time or reusable events.

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_optional, write_out};
use super::op::{start_async, weft_callback, weft_op};
use super::port::weft_port;
use super::status::weft_status;
use super::time::blocking;
use crate::{Event, Status};

/// An event that waiters wait to see set. One-time (set once, never cleared) or reusable
/// (set / clear). Waiters of every face stand in one FIFO line and are woken together.
pub struct weft_event {
    _private: [u8; 0],
}

impl Handle for weft_event {
    type Target = Event;
}

/// Event flag: set once, never cleared (`weft_event_clear` is `WEFT_INVALID`).
pub const WEFT_EVENT_ONE_TIME: u32 = 0;
/// Event flag: `weft_event_clear` makes later waiters wait again.
pub const WEFT_EVENT_REUSABLE: u32 = 1;

/// Creates a clear event and writes it to `*event_out` (only on success). `flags` is
/// `WEFT_EVENT_ONE_TIME` or `WEFT_EVENT_REUSABLE`; anything else is `WEFT_INVALID`.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_new(flags: u32, event_out: *mut *mut weft_event) -> weft_status {
    guard(|| match flags {
        WEFT_EVENT_ONE_TIME => write_new(Event::new(), event_out),
        WEFT_EVENT_REUSABLE => write_new(Event::new_reusable(), event_out),
        _ => Err(Status::Invalid),
    })
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_clone(event: *mut weft_event) -> weft_status {
    guard(|| handle::clone(event))
}

/// Drops a reference; the event goes with the last one (pending ops hold their own).
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_free(event: *mut weft_event) -> weft_status {
    guard(|| handle::free(event))
}

/// Sets the event, waking every waiter queued now (their wakeup stands even if a clear
/// follows at once). Writes how many were woken to `*woken_out` if it is not NULL. Setting
/// a set event does nothing (0 woken). Never blocks; callbacks of waiters without a port
/// run on this thread before it returns, with no weft lock held. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_set(event: *mut weft_event, woken_out: *mut usize) -> weft_status {
    guard(|| {
        let woken = handle::borrow(event)?.set();
        write_optional(woken_out, woken);
        Ok(Status::Ok)
    })
}

/// Clears a reusable event: later waiters wait again. `WEFT_INVALID` for a one-time event.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_clear(event: *mut weft_event) -> weft_status {
    guard(|| Ok(handle::borrow(event)?.clear()))
}

/// Writes whether the event is set to `*set_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_is_set(event: *const weft_event, set_out: *mut bool) -> weft_status {
    guard(|| {
        check_out(set_out)?;
        write_out(set_out, handle::borrow(event)?.is_set())
    })
}

/// Waits until the event is set, up to `timeout_ns` (negative: forever; 0: check once).
/// `WEFT_OK`, `WEFT_TIMEOUT`, `WEFT_WOULD_BLOCK` (timeout 0, not set). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_wait(event: *mut weft_event, timeout_ns: i64) -> weft_status {
    guard(|| {
        let event = handle::borrow(event)?;
        Ok(blocking(
            timeout_ns,
            || event.try_wait(),
            |deadline| event.wait(deadline),
        ))
    })
}

/// Waits without blocking: `WEFT_OK` if set now (no callback follows), or `WEFT_PENDING`
/// with the op contract of `weft_lock_acquire_async` (completes `WEFT_OK` when set).
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_wait_async(
    event: *mut weft_event,
    port: *mut weft_port,
    callback: weft_callback,
    arg: *mut c_void,
    op_out: *mut *mut weft_op,
) -> weft_status {
    guard(|| {
        start_async(event, port, callback, op_out, |event, port, callback| {
            event.wait_async(port, callback, arg)
        })
    })
}

/// Writes the number of waiters in line to `*count_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_event_waiting(
    event: *const weft_event,
    count_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        write_out(count_out, handle::borrow(event)?.waiting())
    })
}
