//! The outcome of every operation, shared by the safe core and the C ABI.

/// What an operation ended with. The discriminants are the C ABI's `WEFT_*` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum Status {
    /// Done: the permit, lock or item is the caller's.
    Ok = 0,
    /// An async operation was queued; its completion follows exactly once.
    Pending = 1,
    /// A try-operation could not succeed at once.
    WouldBlock = 2,
    /// A blocking wait reached its deadline.
    Timeout = 3,
    /// The operation was cancelled before it was granted.
    Cancelled = 4,
    /// The primitive is broken (barriers).
    Broken = 5,
    /// The primitive or port is closed.
    Closed = 6,
    /// The caller does not own the lock it tried to release.
    NotOwner = 7,
    /// The lock is not locked.
    NotLocked = 8,
    /// The caller already owns this non-reentrant lock: waiting would never end.
    Deadlock = 9,
    /// A count would exceed its maximum (or drop below zero), so nothing changed.
    Overflow = 10,
    /// The resource is in use.
    Busy = 11,
    /// A NULL or out-of-range argument.
    Invalid = 12,
    /// Memory could not be allocated. Reserved: today weft allocates through Rust's
    /// global allocator, which aborts the process when memory runs out (as Rust's `std`
    /// does), so no call returns this yet.
    NoMemory = 13,
    /// An operating system call failed (see `errno`).
    System = 14,
    /// A bug inside weft (a caught panic). Please report it.
    Internal = 15,
    /// `weft_op_cancel` only: an earlier `weft_op_cancel` of the same op already answered
    /// (it won the race, or learned that the grant did); this call did nothing.
    Answered = 16,
}

impl Status {
    /// Every status, in discriminant order.
    pub const ALL: [Status; 17] = [
        Status::Ok,
        Status::Pending,
        Status::WouldBlock,
        Status::Timeout,
        Status::Cancelled,
        Status::Broken,
        Status::Closed,
        Status::NotOwner,
        Status::NotLocked,
        Status::Deadlock,
        Status::Overflow,
        Status::Busy,
        Status::Invalid,
        Status::NoMemory,
        Status::System,
        Status::Internal,
        Status::Answered,
    ];

    /// The status with this C value, if there is one.
    pub fn from_code(code: i32) -> Option<Status> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// The C value.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The C constant's name, e.g. `"WEFT_OK"`, as a NUL-terminated string.
    pub const fn name_with_nul(self) -> &'static str {
        match self {
            Status::Ok => "WEFT_OK\0",
            Status::Pending => "WEFT_PENDING\0",
            Status::WouldBlock => "WEFT_WOULD_BLOCK\0",
            Status::Timeout => "WEFT_TIMEOUT\0",
            Status::Cancelled => "WEFT_CANCELLED\0",
            Status::Broken => "WEFT_BROKEN\0",
            Status::Closed => "WEFT_CLOSED\0",
            Status::NotOwner => "WEFT_NOT_OWNER\0",
            Status::NotLocked => "WEFT_NOT_LOCKED\0",
            Status::Deadlock => "WEFT_DEADLOCK\0",
            Status::Overflow => "WEFT_OVERFLOW\0",
            Status::Busy => "WEFT_BUSY\0",
            Status::Invalid => "WEFT_INVALID\0",
            Status::NoMemory => "WEFT_NO_MEMORY\0",
            Status::System => "WEFT_SYSTEM\0",
            Status::Internal => "WEFT_INTERNAL\0",
            Status::Answered => "WEFT_ANSWERED\0",
        }
    }

    /// The C constant's name, e.g. `"WEFT_OK"`.
    pub fn name(self) -> &'static str {
        let with_nul = self.name_with_nul();
        &with_nul[..with_nul.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_names_are_distinct() {
        for (i, status) in Status::ALL.iter().enumerate() {
            assert_eq!(status.code(), i as i32);
            assert_eq!(Status::from_code(i as i32), Some(*status));
            assert!(status.name().starts_with("WEFT_"));
        }
        assert_eq!(Status::from_code(-1), None);
        assert_eq!(Status::from_code(17), None);
        let mut names: Vec<_> = Status::ALL.iter().map(|s| s.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Status::ALL.len());
    }
}
