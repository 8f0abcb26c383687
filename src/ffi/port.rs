//! `weft_port`: an event loop's completion queue with a pollable fd.

use std::ffi::c_void;
use std::sync::Arc;

use super::boundary::guard;
use super::handle::{self, Handle, check_out, write_new, write_out};
use super::status::weft_status;
use super::time::blocking;
use crate::wait::Delivered;
use crate::{Notify, Port, Status};

/// A completion port: one per event loop (or per thread that waits for completions).
/// Async operations started with this port complete into its queue; its fd is readable
/// exactly while completions are pending. Reference counted; when the last reference is
/// freed the port closes (see `weft_port_free`).
///
/// After `fork()`, a port made before the fork is closed for the child (its fd is shared
/// with the parent): its calls answer `WEFT_CLOSED`, ops cannot start on it, and
/// completions meant for it are handed back as for a closed port; `weft_port_free` works.
/// The child makes its own ports. Primitives are plain memory and work in the child as
/// they were at the fork, so a child may use those that no thread held and nobody waited
/// on at that moment (a holder or waiter that was a thread of the parent does not exist
/// in the child).
pub struct weft_port {
    _private: [u8; 0],
}

/// The port as handles see it: dropping the last user reference closes the port, while
/// the ops that still point at it keep the queue itself alive.
pub(crate) struct PortHandle(Arc<Port>);

impl Drop for PortHandle {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl Handle for weft_port {
    type Target = PortHandle;
}

/// One completion as the pull form returns it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct weft_completion {
    /// The `arg` the operation was started with.
    pub arg: *mut c_void,
    /// How it ended: `WEFT_OK` (granted), `WEFT_CANCELLED`, ...
    pub status: weft_status,
}

/// The port as this process may use it: a port made before a `fork()` is closed for the
/// child (its fd is shared with the parent).
fn usable<'a>(port: *const weft_port) -> Result<&'a PortHandle, Status> {
    let handle = handle::borrow(port)?;
    if handle.0.is_inherited() {
        return Err(Status::Closed);
    }
    Ok(handle)
}

/// The port an op should complete into (`None` for NULL: complete by callback).
pub(crate) fn port_for_op<'a>(port: *const weft_port) -> Result<Option<&'a Arc<Port>>, Status> {
    if port.is_null() {
        return Ok(None);
    }
    Ok(Some(&usable(port)?.0))
}

/// Creates a port with its own eventfd (or a pipe where eventfd is missing) and writes it
/// to `*port_out`. Returns `WEFT_OK`, `WEFT_INVALID` (NULL out-pointer) or `WEFT_SYSTEM`
/// (no fd could be created; see `errno`). `*port_out` is written only on success.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_new(port_out: *mut *mut weft_port) -> weft_status {
    guard(|| {
        check_out(port_out)?;
        let port = Port::new().map_err(|_| Status::System)?;
        write_new(PortHandle(port), port_out)
    })
}

/// Adds a reference to `port`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_clone(port: *mut weft_port) -> weft_status {
    guard(|| handle::clone(port))
}

/// Drops a reference. The last one closes the port: completions still queued, and those
/// of ops that complete later, are not delivered to it; instead a grant is given back
/// (passed on to the next waiter, so nothing stays locked) and the op's callback, if it
/// has one, is called with `WEFT_CANCELLED` on the thread doing the freeing or
/// completing. Cancel your ops first if you want them to end before this call returns.
/// Once the last reference is freed no notify hook call is running or will start.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_free(port: *mut weft_port) -> weft_status {
    guard(|| handle::free(port))
}

/// Writes the port's fd to `*fd_out`. Watch it for readability, level-triggered (it stays
/// readable while completions are pending); never read, write or close it yourself.
/// Valid until the port's last reference is freed. While a notify hook is set
/// (`weft_port_set_notify`) it is never readable. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_fd(port: *const weft_port, fd_out: *mut i32) -> weft_status {
    guard(|| {
        check_out(fd_out)?;
        let port = usable(port)?;
        write_out(fd_out, port.0.fd())
    })
}

/// A loop's own wake-up, for `weft_port_set_notify`: `notify(ctx)`.
pub type weft_port_notify_fn = Option<unsafe extern "C" fn(ctx: *mut c_void)>;

/// Makes `notify(ctx)` the port's wake-up in place of its fd: for a loop that has a
/// cross-thread wake-up of its own (libuv's `uv_async_send`, GLib's
/// `g_main_context_wakeup`), which then need not watch the fd at all.
///
/// Contract of the hook: it is called when a completion arrives in the port's empty
/// queue (at least once per change from empty to non-empty, after the completion can be
/// taken), on whatever thread completed the op (a releaser, a canceller, a timer), with
/// no weft lock held. It must be cheap, thread-safe and must not block; it should only
/// wake the loop, which then calls `weft_port_run` or `weft_port_poll`. It must not set
/// this port's hook or free the port. A wake-up may be spurious (the loop already took the
/// completion). A run that stops early at its `max` leaves completions queued and calls
/// no hook: the loop must come back by itself (check `weft_port_pending`).
///
/// While a hook is set the fd is never readable (completions do not raise it) and
/// `weft_port_wait` with a nonzero timeout returns `WEFT_INVALID`. `notify` NULL removes
/// the hook (`ctx` is ignored) and the fd works again. It may be set, replaced or removed
/// at any time, with ops pending: a hook set while completions are queued is called once,
/// inside this call; removing it while completions are queued makes the fd readable.
/// When this call returns, no call of the previous hook is running or will start, so its
/// `ctx` may be freed; likewise once the port's last reference is freed. Never call it
/// from inside a hook (it would wait for itself). Returns `WEFT_OK`, or `WEFT_INVALID`
/// for a NULL port. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_set_notify(
    port: *const weft_port,
    notify: weft_port_notify_fn,
    ctx: *mut c_void,
) -> weft_status {
    guard(|| {
        let port = usable(port)?;
        port.0.set_notify(notify.map(|call| Notify { call, ctx }));
        Ok(Status::Ok)
    })
}

/// Writes the number of pending completions to `*count_out`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_pending(port: *const weft_port, count_out: *mut usize) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        let port = usable(port)?;
        write_out(count_out, port.0.pending())
    })
}

/// Pull form: moves up to `max` pending completions into `out[0..*count_out]` as
/// `(arg, status)` records, in completion order, without calling any callback. Writes 0
/// to `*count_out` when none is pending. `WEFT_INVALID` for NULL `port` or `count_out`,
/// or NULL `out` with `max > 0`. Thread-safe; usually called by the loop's thread when
/// the fd is readable.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_poll(
    port: *const weft_port,
    out: *mut weft_completion,
    max: usize,
    count_out: *mut usize,
) -> weft_status {
    guard(|| {
        check_out(count_out)?;
        let port = usable(port)?;
        if max > 0 && out.is_null() {
            return Err(Status::Invalid);
        }
        let mut taken = 0;
        let mut chunk = [Delivered {
            arg: std::ptr::null_mut(),
            status: Status::Ok,
        }; 32];
        while taken < max {
            let want = (max - taken).min(chunk.len());
            let n = port.0.poll(&mut chunk[..want]);
            for (i, delivered) in chunk[..n].iter().enumerate() {
                // SAFETY: `out` has room for `max` records, and `taken + i < max`.
                unsafe {
                    out.add(taken + i).write(weft_completion {
                        arg: delivered.arg,
                        status: delivered.status.code(),
                    })
                };
            }
            taken += n;
            if n < want {
                break;
            }
        }
        write_out(count_out, taken)
    })
}

/// Run form: calls the callbacks of up to `max` pending completions, on this thread, in
/// completion order (a completion whose op has no callback is just consumed). Writes how
/// many were taken to `*ran_out` if it is not NULL. Callbacks run with no weft lock held
/// and may call weft, including this port. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_run(
    port: *const weft_port,
    max: usize,
    ran_out: *mut usize,
) -> weft_status {
    guard(|| {
        // Its own reference: a callback may free the port's last handle meanwhile.
        let port = Arc::clone(&usable(port)?.0);
        let ran = port.run(max);
        if !ran_out.is_null() {
            write_out(ran_out, ran)?;
        }
        Ok(Status::Ok)
    })
}

/// Blocks the calling thread until a completion is pending (`WEFT_OK`) or `timeout_ns`
/// passes (`WEFT_TIMEOUT`; 0 checks once and returns `WEFT_WOULD_BLOCK` if none is
/// pending, negative waits forever). Takes nothing: follow with `weft_port_poll` or
/// `weft_port_run`. For a thread dedicated to a port. While a notify hook is set
/// (`weft_port_set_notify`) only the check works: a nonzero timeout with nothing pending
/// returns `WEFT_INVALID`. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn weft_port_wait(port: *const weft_port, timeout_ns: i64) -> weft_status {
    guard(|| {
        let port = usable(port)?;
        Ok(blocking(
            timeout_ns,
            || {
                if port.0.pending() > 0 {
                    Status::Ok
                } else {
                    Status::WouldBlock
                }
            },
            |deadline| port.0.wait(deadline),
        ))
    })
}
