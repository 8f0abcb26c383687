//! Status codes as the C ABI spells them.

use std::ffi::c_char;

use crate::Status;

/// The result of every weft call. `WEFT_OK` (0) is success; see `weft_status_str`.
pub type weft_status = i32;

/// Success: the permit, lock or value is the caller's.
pub const WEFT_OK: weft_status = 0;
/// An async operation was queued; its completion follows exactly once.
pub const WEFT_PENDING: weft_status = 1;
/// A try-operation (or a zero timeout) could not succeed at once.
pub const WEFT_WOULD_BLOCK: weft_status = 2;
/// A blocking wait reached its timeout.
pub const WEFT_TIMEOUT: weft_status = 3;
/// The operation was cancelled before it was granted.
pub const WEFT_CANCELLED: weft_status = 4;
/// The primitive is broken (barriers).
pub const WEFT_BROKEN: weft_status = 5;
/// The primitive or port is closed.
pub const WEFT_CLOSED: weft_status = 6;
/// The caller does not own the lock it tried to release.
pub const WEFT_NOT_OWNER: weft_status = 7;
/// The lock is not locked.
pub const WEFT_NOT_LOCKED: weft_status = 8;
/// The caller already owns this non-reentrant lock: waiting would never end.
pub const WEFT_DEADLOCK: weft_status = 9;
/// A count would pass its bound (over-release); nothing changed.
pub const WEFT_OVERFLOW: weft_status = 10;
/// The resource is in use.
pub const WEFT_BUSY: weft_status = 11;
/// A NULL handle or out-pointer, or an out-of-range argument. Nothing changed.
pub const WEFT_INVALID: weft_status = 12;
/// Memory could not be allocated. Reserved: weft allocates through Rust's global
/// allocator, which aborts the process when memory runs out, so no call returns it yet.
pub const WEFT_NO_MEMORY: weft_status = 13;
/// An operating system call failed; `errno` tells why.
pub const WEFT_SYSTEM: weft_status = 14;
/// A bug inside weft (a caught panic). Please report it.
pub const WEFT_INTERNAL: weft_status = 15;
/// `weft_op_cancel` only: an earlier `weft_op_cancel` of the same op already answered (it
/// won the race, or learned that the grant did); this call did nothing.
pub const WEFT_ANSWERED: weft_status = 16;

/// The name of a status, e.g. `"WEFT_TIMEOUT"`, or `"WEFT_UNKNOWN"` for a value that is
/// not a status. Returns a static NUL-terminated string: never NULL, never to be freed.
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_status_str(status: weft_status) -> *const c_char {
    match Status::from_code(status) {
        Some(known) => known.name_with_nul().as_ptr().cast(),
        None => c"WEFT_UNKNOWN".as_ptr(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_core_codes() {
        let constants = [
            WEFT_OK,
            WEFT_PENDING,
            WEFT_WOULD_BLOCK,
            WEFT_TIMEOUT,
            WEFT_CANCELLED,
            WEFT_BROKEN,
            WEFT_CLOSED,
            WEFT_NOT_OWNER,
            WEFT_NOT_LOCKED,
            WEFT_DEADLOCK,
            WEFT_OVERFLOW,
            WEFT_BUSY,
            WEFT_INVALID,
            WEFT_NO_MEMORY,
            WEFT_SYSTEM,
            WEFT_INTERNAL,
        ];
        for (constant, status) in constants.iter().zip(Status::ALL) {
            assert_eq!(*constant, status.code(), "{}", status.name());
        }
    }
}
