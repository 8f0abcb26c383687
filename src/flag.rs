//! Flag: a first-writer-wins slot for one pointer-sized value.

use std::ffi::c_void;

use crate::sync::{Mutex, lock};

/// Holds no value, or the value of the first `set` since the last `clear`.
#[derive(Default)]
pub struct Flag {
    value: Mutex<Option<usize>>,
}

impl Flag {
    pub fn new() -> Flag {
        Flag::default()
    }

    /// Stores `value` if the flag is empty; returns whether this call won.
    pub fn set(&self, value: *mut c_void) -> bool {
        let mut slot = lock(&self.value);
        if slot.is_some() {
            return false;
        }
        *slot = Some(value as usize);
        true
    }

    /// The value, if set.
    pub fn get(&self) -> Option<*mut c_void> {
        lock(&self.value).map(|v| v as *mut c_void)
    }

    /// Empties the flag; returns whether it held a value.
    pub fn clear(&self) -> bool {
        lock(&self.value).take().is_some()
    }
}
