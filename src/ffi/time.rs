//! Timeouts as C passes them: `int64_t` nanoseconds, negative = forever, 0 = try.

use crate::{Deadline, Status};

/// `WEFT_FOREVER`: wait until granted.
pub const WEFT_FOREVER: i64 = -1 as i64;
/// One nanosecond, the unit of every timeout.
pub const WEFT_NS: i64 = 1 as i64;
/// One microsecond in nanoseconds.
pub const WEFT_US: i64 = 1_000 as i64;
/// One millisecond in nanoseconds.
pub const WEFT_MS: i64 = 1_000_000 as i64;
/// One second in nanoseconds.
pub const WEFT_SECOND: i64 = 1_000_000_000 as i64;

/// Runs a blocking call's `try` form for a zero timeout, its waiting form otherwise (the
/// waiting forms try first, and read the clock only if they have to wait).
#[inline(always)]
pub(crate) fn blocking(
    timeout_ns: i64,
    try_now: impl FnOnce() -> Status,
    wait: impl FnOnce(Deadline) -> Status,
) -> Status {
    if timeout_ns == 0 {
        try_now()
    } else {
        wait(Deadline::after_ns(timeout_ns))
    }
}
