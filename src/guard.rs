//! Resource guard: non-blocking exclusive use. Entering a guard in use is `Busy`.

use crate::Status;
use crate::sync::{AtomicU32, Ordering};

#[derive(Default)]
pub struct Guard {
    in_use: AtomicU32,
}

impl Guard {
    pub fn new() -> Guard {
        Guard::default()
    }

    /// `Ok` (the caller now uses the resource) or `Busy`.
    pub fn enter(&self) -> Status {
        match self.in_use.swap(1, Ordering::Acquire) {
            0 => Status::Ok,
            _ => Status::Busy,
        }
    }

    /// Ends the use: `Ok`, or `NotLocked` if the guard was not in use.
    pub fn exit(&self) -> Status {
        match self.in_use.swap(0, Ordering::Release) {
            0 => Status::NotLocked,
            _ => Status::Ok,
        }
    }

    pub fn in_use(&self) -> bool {
        self.in_use.load(Ordering::Relaxed) != 0
    }
}
