//! `weft_guard`: a resource guard (never blocks).

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::status::weft_status;
use crate::Guard;

/// A resource guard: non-blocking exclusive use; entering it while in use is `WEFT_BUSY`.
pub struct weft_guard {
    _private: [u8; 0],
}

impl Handle for weft_guard {
    type Target = Guard;
}

/// Creates a guard not in use and writes it to `*guard_out` (only on success).
#[unsafe(no_mangle)]
pub extern "C" fn weft_guard_new(guard_out: *mut *mut weft_guard) -> weft_status {
    guard(|| write_new(Guard::new(), guard_out))
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_guard_clone(resource_guard: *mut weft_guard) -> weft_status {
    guard(|| handle::clone(resource_guard))
}

/// Drops a reference.
#[unsafe(no_mangle)]
pub extern "C" fn weft_guard_free(resource_guard: *mut weft_guard) -> weft_status {
    guard(|| handle::free(resource_guard))
}

/// Starts using the resource: `WEFT_OK`, or `WEFT_BUSY` if it is in use. Never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn weft_guard_enter(resource_guard: *mut weft_guard) -> weft_status {
    guard(|| Ok(handle::borrow(resource_guard)?.enter()))
}

/// Ends the use: `WEFT_OK`, or `WEFT_NOT_LOCKED` if the guard was not in use. Any thread
/// may end it (a guard has no owner).
#[unsafe(no_mangle)]
pub extern "C" fn weft_guard_exit(resource_guard: *mut weft_guard) -> weft_status {
    guard(|| Ok(handle::borrow(resource_guard)?.exit()))
}

/// Writes whether the guard is in use to `*in_use_out`. A snapshot.
#[unsafe(no_mangle)]
pub extern "C" fn weft_guard_in_use(
    resource_guard: *const weft_guard,
    in_use_out: *mut bool,
) -> weft_status {
    guard(|| {
        check_out(in_use_out)?;
        write_out(in_use_out, handle::borrow(resource_guard)?.in_use())
    })
}
