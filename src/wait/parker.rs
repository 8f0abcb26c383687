//! Putting a waiting thread to sleep on its waiter's state word, and waking it.
//!
//! On Linux the state word itself is the futex: the waker needs only its address, which stays
//! valid to pass to `FUTEX_WAKE` even after the waiter has returned (the kernel answers
//! `EFAULT` or wakes nobody; every sleeper re-checks its word, so a stray wake is harmless).
//! Elsewhere, and under loom, the waiter carries a `Thread` handle that the waker clones.

use super::deadline::Deadline;
use crate::sync::AtomicU32;
#[cfg(not(all(target_os = "linux", not(loom), not(feature = "portable"))))]
use crate::sync::Ordering;

#[cfg(all(target_os = "linux", not(loom), not(feature = "portable")))]
mod imp {
    use super::*;

    /// Where the thread sleeps: on its waiter's state word (null: the state word's address
    /// is the wake handle), or on a word it shares with every thread waiter of one
    /// primitive, which that primitive's granter wakes all at once ([`broadcast`]).
    pub(crate) struct Parker {
        shared: *const AtomicU32,
    }

    // SAFETY: the shared word belongs to the primitive the thread is waiting on, which
    // outlives the wait; it is only read and passed to the futex syscall.
    unsafe impl Send for Parker {}
    unsafe impl Sync for Parker {}

    /// The address of a sleeping waiter's futex word.
    pub(crate) struct Unparker(*const AtomicU32);

    // SAFETY: the pointer is only passed to the futex syscall, never dereferenced.
    unsafe impl Send for Unparker {}

    impl Parker {
        pub(crate) fn new() -> Self {
            Parker {
                shared: std::ptr::null(),
            }
        }

        /// A parker that sleeps on `word`, shared by the primitive's thread waiters.
        pub(crate) fn sharing(word: &AtomicU32) -> Self {
            Parker { shared: word }
        }

        /// The shared word, if this parker sleeps on one.
        pub(crate) fn shared(&self) -> Option<&AtomicU32> {
            // SAFETY: see the `Sync` impl: the primitive outlives the wait.
            unsafe { self.shared.as_ref() }
        }

        pub(crate) fn unparker(&self, word: &AtomicU32) -> Unparker {
            Unparker(word)
        }

        /// Sleeps while `*word == expected`, until woken, interrupted or `deadline`.
        pub(crate) fn sleep(&self, word: &AtomicU32, expected: u32, deadline: Deadline) {
            sleep_on(word, expected, deadline);
        }
    }

    /// Sleeps while `*word == expected`, until woken, interrupted or `deadline` (started).
    pub(crate) fn sleep_on(word: &AtomicU32, expected: u32, deadline: Deadline) {
        let ts;
        let ts_ptr = match deadline {
            Deadline::Never => std::ptr::null(),
            Deadline::Within(_) => unreachable!("waits start their deadline first"),
            Deadline::At(at) => {
                ts = Deadline::as_timespec(at);
                &ts as *const libc::timespec
            }
        };
        // SAFETY: `word` is a live u32; FUTEX_WAIT_BITSET takes an absolute
        // CLOCK_MONOTONIC timeout (no FUTEX_CLOCK_REALTIME flag).
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word as *const AtomicU32,
                libc::FUTEX_WAIT_BITSET | libc::FUTEX_PRIVATE_FLAG,
                expected,
                ts_ptr,
                std::ptr::null::<u32>(),
                libc::FUTEX_BITSET_MATCH_ANY,
            );
        }
    }

    /// Wakes every thread sleeping on `word` (a stale address wakes nobody).
    pub(crate) fn wake_all(word: &AtomicU32) {
        // SAFETY: FUTEX_WAKE only uses the address as a key.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word as *const AtomicU32,
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                i32::MAX,
            );
        }
    }

    impl Unparker {
        pub(crate) fn unpark(self) {
            // SAFETY: FUTEX_WAKE only uses the address as a key; a stale one is harmless.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.0,
                    libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                    1,
                );
            }
        }
    }

    /// Wakes every thread sleeping on a shared word, with one syscall, after their
    /// waiters were decided: bumps the word first, so a thread that read it before the
    /// decision and has not slept yet does not sleep (its futex wait sees a new value).
    pub(crate) fn broadcast(word: &AtomicU32) {
        word.fetch_add(1, crate::sync::Ordering::SeqCst);
        // SAFETY: `word` is a live u32; FUTEX_WAKE only uses its address as a key.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word as *const AtomicU32,
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                i32::MAX,
            );
        }
    }
}

#[cfg(not(all(target_os = "linux", not(loom), not(feature = "portable"))))]
mod imp {
    use super::*;
    #[cfg(loom)]
    use loom::thread::{self, Thread};
    #[cfg(not(loom))]
    use std::thread::{self, Thread};

    /// The sleeping thread's handle, cloned by the waker before it completes the waiter.
    pub(crate) struct Parker(Thread);

    pub(crate) struct Unparker(Thread);

    impl Parker {
        pub(crate) fn new() -> Self {
            Parker(thread::current())
        }

        /// Here a shared word would not help: each waiter is unparked by its own handle.
        pub(crate) fn sharing(_word: &AtomicU32) -> Self {
            Self::new()
        }

        pub(crate) fn shared(&self) -> Option<&AtomicU32> {
            None
        }

        pub(crate) fn unparker(&self, _word: &AtomicU32) -> Unparker {
            Unparker(self.0.clone())
        }

        pub(crate) fn sleep(&self, word: &AtomicU32, expected: u32, deadline: Deadline) {
            if word.load(Ordering::Acquire) != expected {
                return;
            }
            match deadline.remaining() {
                None => thread::park(),
                #[cfg(not(loom))]
                Some(left) => thread::park_timeout(left),
                #[cfg(loom)]
                Some(_) => unreachable!("loom models use no deadlines"),
            }
        }
    }

    impl Unparker {
        pub(crate) fn unpark(self) {
            self.0.unpark();
        }
    }

    /// Nothing sleeps on a shared word here (see `Parker::sharing`).
    pub(crate) fn broadcast(_word: &AtomicU32) {}

    /// Without a futex, a thread watching a word checks it again after a short sleep.
    pub(crate) fn sleep_on(word: &AtomicU32, expected: u32, deadline: Deadline) {
        if word.load(Ordering::Acquire) != expected {
            return;
        }
        #[cfg(not(loom))]
        {
            let slice = std::time::Duration::from_micros(100);
            std::thread::sleep(deadline.remaining().map_or(slice, |left| left.min(slice)));
        }
        #[cfg(loom)]
        {
            let _ = deadline;
            thread::yield_now();
        }
    }

    /// Nothing sleeps on a word here: `sleep_on` polls.
    pub(crate) fn wake_all(_word: &AtomicU32) {}
}

pub(crate) use imp::{Parker, Unparker, broadcast, sleep_on, wake_all};

/// Spins briefly before a thread sleeps: a waker on another CPU usually arrives within a
/// few hundred nanoseconds, while a sleep and wake costs tens of microseconds on a VM. The
/// budget is short and ends in `yield`s, so a waker on the same CPU gets to run; on a
/// machine with one CPU there is nobody to wait for, so it does not spin at all.
pub(crate) fn spin_until(mut done: impl FnMut() -> bool) -> bool {
    if cfg!(loom) || !several_cpus() {
        return done();
    }
    let backoff = crossbeam_utils::Backoff::new();
    while !backoff.is_completed() {
        if done() {
            return true;
        }
        backoff.snooze();
    }
    done()
}

fn several_cpus() -> bool {
    static SEVERAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SEVERAL.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1))
}
