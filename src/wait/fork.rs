//! What a `fork()` child inherits. A port's fd (an eventfd or a pipe) is shared with the
//! parent after a fork: a child that read it would take the parent's wake-ups, and
//! completions of the parent's ops never reach the child's copy. So a port remembers the
//! process generation it was made in, and a port inherited through a fork is closed for
//! the child (`Port::is_inherited`). The generation is a counter that a `pthread_atfork`
//! child handler bumps: one relaxed load to check, no `getpid()` call.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

static GENERATION: AtomicU64 = AtomicU64::new(0);

extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// This process's generation (0 until the first fork after a port was made). Registers
/// the fork handler on first use.
pub(crate) fn generation() -> u64 {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registers a handler that only bumps an atomic (async-signal-safe).
        #[cfg(unix)]
        unsafe {
            libc::pthread_atfork(None, None, Some(in_child));
        }
    });
    GENERATION.load(Ordering::Relaxed)
}
