//! `weft_flag`: a first-writer-wins slot (never blocks).

use std::ffi::c_void;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_optional, write_out};
use super::status::weft_status;
use crate::{Flag, Status};

/// A first-writer-wins slot for one `void *`: the first `weft_flag_set` since creation or
/// the last `weft_flag_clear` wins. Reference counted.
pub struct weft_flag {
    _private: [u8; 0],
}

impl Handle for weft_flag {
    type Target = Flag;
}

/// Creates an empty flag and writes it to `*flag_out` (only on success).
#[unsafe(no_mangle)]
pub extern "C" fn weft_flag_new(flag_out: *mut *mut weft_flag) -> weft_status {
    guard(|| write_new(Flag::new(), flag_out))
}

/// Adds a reference. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_flag_clone(flag: *mut weft_flag) -> weft_status {
    guard(|| handle::clone(flag))
}

/// Drops a reference. The value stored is the caller's: weft never frees it.
#[unsafe(no_mangle)]
pub extern "C" fn weft_flag_free(flag: *mut weft_flag) -> weft_status {
    guard(|| handle::free(flag))
}

/// Stores `value` (any pointer, NULL included) if the flag is empty, and writes whether
/// this call won to `*won_out`. Thread-safe: of racing setters exactly one wins.
#[unsafe(no_mangle)]
pub extern "C" fn weft_flag_set(
    flag: *mut weft_flag,
    value: *mut c_void,
    won_out: *mut bool,
) -> weft_status {
    guard(|| {
        check_out(won_out)?;
        write_out(won_out, handle::borrow(flag)?.set(value))
    })
}

/// Writes whether the flag holds a value to `*is_set_out` and, if it does, the value to
/// `*value_out` (left untouched otherwise). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_flag_get(
    flag: *const weft_flag,
    is_set_out: *mut bool,
    value_out: *mut *mut c_void,
) -> weft_status {
    guard(|| {
        check_out(is_set_out)?;
        check_out(value_out)?;
        let value = handle::borrow(flag)?.get();
        if let Some(value) = value {
            write_out(value_out, value)?;
        }
        write_out(is_set_out, value.is_some())
    })
}

/// Empties the flag; writes whether it held a value to `*was_set_out` if not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn weft_flag_clear(flag: *mut weft_flag, was_set_out: *mut bool) -> weft_status {
    guard(|| {
        let was_set = handle::borrow(flag)?.clear();
        write_optional(was_set_out, was_set);
        Ok(Status::Ok)
    })
}
