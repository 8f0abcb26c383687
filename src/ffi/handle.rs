//! Opaque, reference-counted handles. A handle pointer is `Arc::into_raw` of the object;
//! `_clone` adds a reference, `_free` drops one. Raw pointers become references only
//! here, after a NULL check.

use std::mem::ManuallyDrop;
use std::sync::Arc;

use crate::Status;

#[cfg(feature = "handle-check")]
use super::handle_check;

/// In `handle-check` builds: refuses a handle C does not hold (see `handle_check`).
#[inline(always)]
fn check_live<H>(_handle: *const H) -> Result<(), Status> {
    #[cfg(feature = "handle-check")]
    handle_check::check(_handle as usize)?;
    Ok(())
}

/// An opaque C type standing for an `Arc<Target>`.
pub(crate) trait Handle {
    type Target;
}

/// Borrows the object behind a handle for the duration of a call.
#[inline(always)]
pub(crate) fn borrow<'a, H: Handle>(handle: *const H) -> Result<&'a H::Target, Status> {
    check_live(handle)?;
    // SAFETY: a non-NULL handle is, by the API contract, a live reference from `into_raw`.
    unsafe { handle.cast::<H::Target>().as_ref() }.ok_or(Status::Invalid)
}

/// Borrows the `Arc` behind a handle (to clone it into an async op) without consuming
/// the caller's reference.
pub(crate) fn borrow_arc<H: Handle>(
    handle: *const H,
) -> Result<ManuallyDrop<Arc<H::Target>>, Status> {
    if handle.is_null() {
        return Err(Status::Invalid);
    }
    check_live(handle)?;
    // SAFETY: as in `borrow`; ManuallyDrop keeps the caller's reference count intact.
    Ok(ManuallyDrop::new(unsafe {
        Arc::from_raw(handle.cast::<H::Target>())
    }))
}

/// Turns a new object into a handle owning one reference.
pub(crate) fn into_raw<H: Handle>(object: Arc<H::Target>) -> *mut H {
    let handle = Arc::into_raw(object).cast::<H>().cast_mut();
    #[cfg(feature = "handle-check")]
    handle_check::adopt(handle as usize);
    handle
}

/// Adds a reference.
pub(crate) fn clone<H: Handle>(handle: *const H) -> Result<Status, Status> {
    if handle.is_null() {
        return Err(Status::Invalid);
    }
    #[cfg(feature = "handle-check")]
    handle_check::add_ref(handle as usize)?;
    // SAFETY: a live handle came from `Arc::into_raw`.
    unsafe { Arc::increment_strong_count(handle.cast::<H::Target>()) };
    Ok(Status::Ok)
}

/// Drops a reference; the object goes with the last one.
pub(crate) fn free<H: Handle>(handle: *const H) -> Result<Status, Status> {
    if handle.is_null() {
        return Err(Status::Invalid);
    }
    #[cfg(feature = "handle-check")]
    handle_check::release(handle as usize)?;
    // SAFETY: a live handle came from `Arc::into_raw`; the caller gives its reference up.
    drop(unsafe { Arc::from_raw(handle.cast::<H::Target>()) });
    Ok(Status::Ok)
}

/// Checks that an out-parameter is not NULL.
pub(crate) fn check_out<T>(out: *mut T) -> Result<(), Status> {
    if out.is_null() {
        Err(Status::Invalid)
    } else {
        Ok(())
    }
}

/// Writes an out-parameter (checked with [`check_out`] before anything else happened).
pub(crate) fn write_out<T>(out: *mut T, value: T) -> Result<Status, Status> {
    check_out(out)?;
    // SAFETY: non-NULL, and the caller promised it points to writable memory for a `T`.
    unsafe { out.write(value) };
    Ok(Status::Ok)
}

/// Writes a handle owning one reference to a new object to `*out`.
pub(crate) fn write_new<H: Handle>(object: H::Target, out: *mut *mut H) -> Result<Status, Status> {
    check_out(out)?;
    write_out(out, into_raw(Arc::new(object)))
}

/// Writes an optional out-parameter (NULL means "not wanted").
pub(crate) fn write_optional<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL, and the caller promised it points to writable memory.
        unsafe { out.write(value) };
    }
}
