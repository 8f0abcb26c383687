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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_internal_and_results_pass_through() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = guard(|| panic!("a bug"));
        std::panic::set_hook(quiet);
        assert_eq!(caught, WEFT_INTERNAL);
        assert_eq!(guard(|| Ok(Status::Pending)), Status::Pending.code());
        assert_eq!(guard(|| Err(Status::Invalid)), Status::Invalid.code());
    }
}
