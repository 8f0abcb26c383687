//! The readiness flag behind a port's pollable fd: an eventfd, or a non-blocking pipe
//! where eventfd is missing. Under loom, a plain flag the model can observe.

#[cfg(not(loom))]
mod imp {
    use std::io;
    use std::os::fd::RawFd;

    use crate::wait::Deadline;

    pub(crate) struct Signal {
        read_fd: RawFd,
        /// Same as `read_fd` for an eventfd.
        write_fd: RawFd,
    }

    impl Signal {
        pub(crate) fn new() -> io::Result<Signal> {
            #[cfg(all(target_os = "linux", not(feature = "portable")))]
            {
                // SAFETY: plain syscall with valid flags.
                let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
                if fd >= 0 {
                    return Ok(Signal {
                        read_fd: fd,
                        write_fd: fd,
                    });
                }
            }
            Self::new_pipe()
        }

        /// The pipe form, for systems without eventfd (and for tests of the fallback).
        /// Both ends are created close-on-exec and non-blocking in one call (`pipe2`), so
        /// a fork+exec on another thread cannot inherit them in between. macOS has no
        /// `pipe2`: there the flags follow the `pipe`, and that window remains.
        pub(crate) fn new_pipe() -> io::Result<Signal> {
            let mut fds = [0; 2];
            #[cfg(not(target_vendor = "apple"))]
            // SAFETY: `fds` has room for the two descriptors; the flags are valid.
            let created =
                unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) };
            #[cfg(target_vendor = "apple")]
            // SAFETY: `fds` has room for the two descriptors.
            let created = unsafe { libc::pipe(fds.as_mut_ptr()) };
            if created != 0 {
                return Err(io::Error::last_os_error());
            }
            #[cfg(target_vendor = "apple")]
            for fd in fds {
                // SAFETY: `fd` was just created by pipe().
                unsafe {
                    libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
                    libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                }
            }
            Ok(Signal {
                read_fd: fds[0],
                write_fd: fds[1],
            })
        }

        pub(crate) fn fd(&self) -> RawFd {
            self.read_fd
        }

        /// Makes the fd readable. Called only when it is not (so a pipe never fills).
        pub(crate) fn raise(&self) {
            let one: u64 = 1;
            let len = if self.read_fd == self.write_fd { 8 } else { 1 };
            loop {
                // SAFETY: writes `len` bytes of `one` to our own descriptor.
                let n = unsafe { libc::write(self.write_fd, (&one as *const u64).cast(), len) };
                if n >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    return;
                }
            }
        }

        /// Makes the fd unreadable.
        pub(crate) fn clear(&self) {
            let mut buf = [0u8; 64];
            loop {
                // SAFETY: reads into our own buffer from our own non-blocking descriptor.
                let n = unsafe { libc::read(self.read_fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 && self.read_fd != self.write_fd {
                    continue; // a pipe may hold more than one byte
                }
                if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
        }

        /// Waits until the fd is readable or the deadline passes; returns readiness.
        pub(crate) fn wait_readable(&self, deadline: Deadline) -> bool {
            loop {
                let mut pfd = libc::pollfd {
                    fd: self.read_fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                let timeout_ms = match deadline.remaining() {
                    None => -1,
                    // Round up so we never wake early and report a false timeout.
                    Some(left) => left.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32,
                };
                // SAFETY: one valid pollfd.
                let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
                if n > 0 {
                    return true;
                }
                if n < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    return false;
                }
                if deadline.has_passed() {
                    return false;
                }
            }
        }
    }

    impl Drop for Signal {
        fn drop(&mut self) {
            // SAFETY: we own these descriptors.
            unsafe {
                libc::close(self.read_fd);
                if self.write_fd != self.read_fd {
                    libc::close(self.write_fd);
                }
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::Signal;

        /// Both ends of the pipe fallback are non-blocking and close-on-exec from the start.
        #[test]
        fn pipe_ends_are_nonblocking_and_close_on_exec() {
            let signal = Signal::new_pipe().unwrap();
            let ends = [signal.fd(), signal.write_fd];
            assert_ne!(ends[0], ends[1]);
            for fd in ends {
                // SAFETY: fcntl queries on descriptors `signal` owns.
                let (status, fd_flags) = unsafe {
                    (
                        libc::fcntl(fd, libc::F_GETFL),
                        libc::fcntl(fd, libc::F_GETFD),
                    )
                };
                assert!(status & libc::O_NONBLOCK != 0, "fd {fd} blocks");
                assert!(
                    fd_flags & libc::FD_CLOEXEC != 0,
                    "fd {fd} is inherited by exec"
                );
            }
        }
    }
}

#[cfg(loom)]
mod imp {
    use crate::sync::{AtomicBool, Ordering};
    use crate::wait::Deadline;

    /// Stands in for the fd: `readable` is what poll(2) would report.
    pub(crate) struct Signal {
        readable: AtomicBool,
    }

    impl Signal {
        pub(crate) fn new() -> std::io::Result<Signal> {
            Ok(Signal {
                readable: AtomicBool::new(false),
            })
        }

        pub(crate) fn fd(&self) -> i32 {
            -1
        }

        pub(crate) fn raise(&self) {
            self.readable.store(true, Ordering::SeqCst);
        }

        pub(crate) fn clear(&self) {
            self.readable.store(false, Ordering::SeqCst);
        }

        pub(crate) fn wait_readable(&self, _deadline: Deadline) -> bool {
            self.readable.load(Ordering::SeqCst)
        }
    }
}

pub(crate) use imp::Signal;
