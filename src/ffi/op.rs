//! `weft_op`: a pending async operation, and the shared start of every `*_async` call.

use std::ffi::c_void;
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::boundary::guard;
use super::handle::{self, Handle, check_out};
use super::port::{self, weft_port};
use super::status::weft_status;
use crate::wait::op::OpInner;
use crate::wait::{Callback, Port, Started, publish};
use crate::{Deadline, Op, Status};

/// A pending async operation (an acquire that returned `WEFT_PENDING`). Reference
/// counted: the `*_async` call hands you one reference, released by `weft_op_free`.
pub struct weft_op {
    _private: [u8; 0],
}

impl Handle for weft_op {
    type Target = OpInner;
}

/// Called once when an async operation completes: `callback(arg, status)`. It runs on the
/// thread that completed the op (the releaser, a canceller) when the op has no port, or
/// inside `weft_port_run` on the loop's thread. No weft lock is held: it may call weft.
/// It may run before the starting `*_async` call has returned, but never before that call
/// has written `*op_out`: a callback can reach its op (say for `weft_op_item`) through an
/// `op_out` that lives in its `arg`. `*op_out` is written with a release store, so another
/// thread may watch it while the start runs and cancel the op as soon as it appears: read
/// it with an acquire load (C11 `atomic_load_explicit(..., memory_order_acquire)` on an
/// `_Atomic(weft_op *)`, or `__atomic_load_n(op_out, __ATOMIC_ACQUIRE)`).
pub type weft_callback = Option<unsafe extern "C" fn(arg: *mut c_void, status: weft_status)>;

/// The shared body of every `*_async` export: borrows the handle, validates the
/// completion route, starts the wait with `start`, and writes `*op_out`: the op for
/// `WEFT_PENDING` (written *before* the op can complete, so that its callback may read
/// it), NULL for `WEFT_OK` (nothing to cancel), untouched on errors.
pub(crate) fn start_async<H: Handle>(
    handle: *const H,
    port: *const weft_port,
    callback: weft_callback,
    op_out: *mut *mut weft_op,
    start: impl FnOnce(&Arc<H::Target>, Option<&Arc<Port>>, Option<Callback>) -> Started,
) -> Result<Status, Status> {
    let object = handle::borrow_arc(handle)?;
    let port = port::port_for_op(port)?;
    if port.is_none() && callback.is_none() {
        return Err(Status::Invalid); // nobody would ever learn of the completion
    }
    let publish = publish::Hook {
        call: write_op_out,
        word: op_out as usize,
    };
    match publish::publishing(publish, || start(&object, port, callback)) {
        Started::Done(status) => {
            if status == Status::Ok && !op_out.is_null() {
                // SAFETY: non-NULL out-pointer supplied by the caller.
                unsafe { op_out.write(std::ptr::null_mut()) };
            }
            Ok(status)
        }
        // `*op_out` already holds the caller's reference (see `publish`): this one goes.
        Started::Pending(Op(_op)) => Ok(Status::Pending),
    }
}

/// The publish hook of `start_async`: writes the caller's reference to the op to the
/// caller's `op_out` (passed as a word), on this thread, while the start call runs.
/// A release store: another thread watching `*op_out` (to cancel the op at once) reads
/// it with an acquire load, and then sees the op fully made.
fn write_op_out(op_out: usize, op: &Arc<OpInner>) {
    let op_out = op_out as *mut *mut weft_op;
    if !op_out.is_null() {
        // SAFETY: non-NULL out-pointer supplied by the caller of the running start call,
        // aligned for a pointer (as any `weft_op *` object is), and valid for the start
        // call; the written reference is the caller's.
        let slot = unsafe { AtomicPtr::from_ptr(op_out) };
        slot.store(handle::into_raw(op.clone()), Ordering::Release);
    }
}

fn with_op<T>(op: *const weft_op, f: impl FnOnce(&Op) -> T) -> Result<T, Status> {
    let arc = handle::borrow_arc(op)?;
    let op = std::mem::ManuallyDrop::new(Op(std::mem::ManuallyDrop::into_inner(arc)));
    Ok(f(&op))
}

/// Cancels a pending operation, racing safely with its grant. Returns the status the op
/// ends with: `WEFT_CANCELLED` if this call won (the op's completion, carrying
/// `WEFT_CANCELLED`, still follows through its port or callback, exactly once), or the
/// status that had already won, e.g. `WEFT_OK`: the grant happened first and what was
/// granted is yours. Only the first call on an op answers so: every later call (a timer
/// and the user both cancelling, from any threads) returns `WEFT_ANSWERED` and does
/// nothing, so exactly one canceller cleans up or owns the grant. `WEFT_INVALID` for NULL.
/// Thread-safe: any thread may cancel; without a port the callback runs on the cancelling
/// thread, inside this call.
#[unsafe(no_mangle)]
pub extern "C" fn weft_op_cancel(op: *mut weft_op) -> weft_status {
    guard(|| with_op(op, Op::cancel))
}

/// Blocks the calling thread until the op completes or `timeout_ns` passes (negative:
/// forever; 0: no wait), and returns its status: `WEFT_PENDING` if the timeout passed
/// first, else the status it completed with. It cancels nothing and takes nothing: the
/// completion is still delivered to the op's port (take it with `weft_port_poll` or
/// `weft_port_run` as usual, so the port's fd stays right) or to its callback. For a
/// thread that started an op on a port it does not run, e.g. to wait a short while
/// cheaply (a futex wait on the op) before watching the port's fd. A signal does not
/// end the wait early: use short timeouts where signals must be seen. `WEFT_INVALID` for
/// NULL. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_op_wait(op: *const weft_op, timeout_ns: i64) -> weft_status {
    guard(|| {
        let deadline = Deadline::after_ns(timeout_ns);
        with_op(op, |op| op.wait(deadline))
    })
}

/// Writes the op's status to `*status_out`: `WEFT_PENDING` while it waits, then its final
/// status. `WEFT_INVALID` for NULL arguments. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_op_status(op: *const weft_op, status_out: *mut weft_status) -> weft_status {
    guard(|| {
        check_out(status_out)?;
        let status = with_op(op, Op::status)?;
        handle::write_out(status_out, status.code())
    })
}

/// Writes the value that came with the op's grant to `*value_out`: for a barrier
/// arrival, its index; 0 for an op that did not complete `WEFT_OK`. Other primitives'
/// grants carry no value (what this returns for them is unspecified).
/// Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_op_value(op: *const weft_op, value_out: *mut u64) -> weft_status {
    guard(|| {
        check_out(value_out)?;
        let value = with_op(op, Op::value)?;
        handle::write_out(value_out, value)
    })
}

/// Writes the item a `weft_queue_get_async` op got to `*item_out`: `WEFT_OK` once the
/// op completed `WEFT_OK` (the item is then the caller's), `WEFT_PENDING` while it waits,
/// or the status it ended with (`*item_out` untouched). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_op_item(op: *const weft_op, item_out: *mut *mut c_void) -> weft_status {
    guard(|| {
        check_out(item_out)?;
        let (status, value) = with_op(op, |op| (op.status(), op.value()))?;
        if status == Status::Ok {
            handle::write_out(item_out, value as usize as *mut c_void)?;
        }
        Ok(status)
    })
}

/// Drops the caller's reference to an op. This does not cancel it: a pending op still
/// completes, exactly once (cancel first to abandon it). `WEFT_INVALID` for NULL.
/// Thread-safe; the handle must not be used afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn weft_op_free(op: *mut weft_op) -> weft_status {
    guard(|| handle::free(op))
}
