//! Owner identity for ownable locks: a nonzero `u64`. Blocking calls use the calling
//! thread's token; async callers (loop tasks, goroutines) pass their own.

/// The calling thread's owner token (its `pthread_self()`), never 0.
#[inline]
pub fn current_thread() -> u64 {
    // SAFETY: pthread_self has no preconditions.
    let id = unsafe { libc::pthread_self() } as u64;
    debug_assert_ne!(id, 0);
    id
}
