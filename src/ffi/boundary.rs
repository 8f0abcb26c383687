//! The panic boundary: every export runs its body through [`guard`], so a panic becomes
//! `WEFT_INTERNAL` instead of unwinding into C.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::status::{WEFT_INTERNAL, weft_status};
use crate::Status;

/// Runs an export's body; `Err(status)` and `Ok(status)` both become that status.
#[inline(always)]
pub(crate) fn guard(body: impl FnOnce() -> Result<Status, Status>) -> weft_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) | Ok(Err(status)) => status.code(),
        Err(_) => WEFT_INTERNAL,
    }
}
