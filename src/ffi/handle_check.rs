//! Use-after-free detection for handles, in builds with the `handle-check` feature (CMake
//! turns it on for `CMAKE_BUILD_TYPE=Debug`): a registry of the handles C holds, with the
//! number of user references to each. A handle used after its last `_free` (or never
//! created) is refused with `WEFT_INVALID` instead of being dereferenced.
//!
//! The registry counts only the references C was handed (`_new`, `_clone`, an op written
//! to `*op_out`); weft's own references (an op's to its primitive) keep an object alive
//! without making its handle valid. Limit: once an object is gone, its address may be
//! reused by a new one, and a stale handle equal to it then passes the check. Every
//! handle call takes one global mutex: this is a debugging aid, not a release mode.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::Status;

static LIVE: Mutex<BTreeMap<usize, u64>> = Mutex::new(BTreeMap::new());

fn with_registry<R>(f: impl FnOnce(&mut BTreeMap<usize, u64>) -> R) -> R {
    let mut live = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut live)
}

/// A new user reference to `address` (a fresh handle, or one more to a live object).
pub(crate) fn adopt(address: usize) {
    with_registry(|live| *live.entry(address).or_insert(0) += 1);
}

/// `Ok` if `address` is a handle C still holds.
pub(crate) fn check(address: usize) -> Result<(), Status> {
    with_registry(|live| live.contains_key(&address))
        .then_some(())
        .ok_or(Status::Invalid)
}

/// One more user reference to a live handle (`_clone`).
pub(crate) fn add_ref(address: usize) -> Result<(), Status> {
    with_registry(|live| match live.get_mut(&address) {
        Some(count) => {
            *count += 1;
            Ok(())
        }
        None => Err(Status::Invalid),
    })
}

/// One user reference fewer (`_free`); `Invalid` if the handle is not live.
pub(crate) fn release(address: usize) -> Result<(), Status> {
    with_registry(|live| match live.get_mut(&address) {
        Some(1) => {
            live.remove(&address);
            Ok(())
        }
        Some(count) => {
            *count -= 1;
            Ok(())
        }
        None => Err(Status::Invalid),
    })
}
