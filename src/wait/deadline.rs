//! Absolute deadlines on `CLOCK_MONOTONIC`, so spurious wakeups never stretch a timeout.

use std::time::Duration;

/// When a blocking wait gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// Wait until granted.
    Never,
    /// Give up at this `CLOCK_MONOTONIC` time, in nanoseconds.
    At(u64),
    /// Give up this many nanoseconds after the wait starts. Resolved by [`start`]
    /// (Self::start) only once a call has to wait, so a call satisfied at once never
    /// reads the clock.
    Within(u64),
}

impl Deadline {
    /// The deadline for a C timeout: negative waits forever, otherwise `timeout_ns` after
    /// the wait starts.
    pub fn after_ns(timeout_ns: i64) -> Deadline {
        match u64::try_from(timeout_ns) {
            Err(_) => Deadline::Never,
            Ok(ns) => Deadline::Within(ns),
        }
    }

    /// The deadline `timeout` after the wait starts.
    pub fn after(timeout: Duration) -> Deadline {
        Deadline::Within(u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Fixes a relative deadline to the clock; waits call this once, when they start.
    pub fn start(self) -> Deadline {
        match self {
            Deadline::Within(ns) => Deadline::At(now_ns().saturating_add(ns)),
            fixed => fixed,
        }
    }

    /// Whether the deadline has passed (a relative one: whether it is zero).
    pub fn has_passed(self) -> bool {
        match self {
            Deadline::Never => false,
            Deadline::At(at) => now_ns() >= at,
            Deadline::Within(ns) => ns == 0,
        }
    }

    /// Time left, or `None` for a deadline that never comes.
    pub fn remaining(self) -> Option<Duration> {
        match self {
            Deadline::Never => None,
            Deadline::At(at) => Some(Duration::from_nanos(at.saturating_sub(now_ns()))),
            Deadline::Within(ns) => Some(Duration::from_nanos(ns)),
        }
    }

    /// The deadline as an absolute `CLOCK_MONOTONIC` timespec.
    #[cfg_attr(any(loom, feature = "portable"), allow(dead_code))]
    pub(crate) fn as_timespec(at: u64) -> libc::timespec {
        libc::timespec {
            tv_sec: (at / 1_000_000_000).min(libc::time_t::MAX as u64) as libc::time_t,
            tv_nsec: (at % 1_000_000_000) as libc::c_long,
        }
    }
}

/// `CLOCK_MONOTONIC` now, in nanoseconds.
pub(crate) fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}
