//! Owner identity for ownable locks: a nonzero `u64`. Blocking calls use the calling
//! thread's token; async callers (loop tasks, goroutines) pass their own.

/// The calling thread's owner token: nonzero, and never repeated within the process (a
/// thread that exits takes its token with it: a lock it left held is never "owned" by a
/// later thread, as it would be with `pthread_self()`, whose values are reused). Thread
/// tokens have bit 62 set and bit 63 clear, so they never equal a [`new_token`].
///
/// The fast path is one thread-local read (this sits on the uncontended lock path, twice
/// per lock/unlock pair); a thread's first call takes its token from a process counter.
#[inline(always)]
pub fn current_thread() -> u64 {
    let token = thread_slot::read();
    if token != 0 {
        return token;
    }
    first_token()
}

#[cold]
#[inline(never)]
fn first_token() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let token = (1 << 62) | NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    thread_slot::write(token);
    token
}

/// The per-thread slot behind [`current_thread`].
///
/// On x86-64 Linux it is an initial-exec TLS variable read with two loads (its offset
/// from the GOT, then `%fs:offset`). Rust's `thread_local!` in a shared library would use
/// the general-dynamic model, a call to `__tls_get_addr` on every read; initial-exec
/// instead takes 8 bytes of the static TLS block, which glibc reserves room for even in
/// libraries loaded later with `dlopen` (as Python's ctypes does).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod thread_slot {
    std::arch::global_asm!(
        ".section .tbss,\"awT\",@nobits",
        ".p2align 3",
        // Global but hidden: reads inlined into other codegen units (or crates) must
        // link to it, yet it is not exported from the shared library.
        ".globl weft_owner_token_slot",
        ".hidden weft_owner_token_slot",
        "weft_owner_token_slot:",
        ".zero 8",
        ".text",
    );

    #[inline(always)]
    pub(super) fn read() -> u64 {
        let token: u64;
        // SAFETY: reads this thread's own 8-byte TLS slot defined above.
        unsafe {
            std::arch::asm!(
                "mov {t}, qword ptr [rip + weft_owner_token_slot@GOTTPOFF]",
                "mov {t}, qword ptr fs:[{t}]",
                t = out(reg) token,
                options(nostack, readonly, preserves_flags, pure)
            );
        }
        token
    }

    pub(super) fn write(token: u64) {
        // SAFETY: writes this thread's own 8-byte TLS slot defined above.
        unsafe {
            std::arch::asm!(
                "mov {o}, qword ptr [rip + weft_owner_token_slot@GOTTPOFF]",
                "mov qword ptr fs:[{o}], {t}",
                o = out(reg) _,
                t = in(reg) token,
                options(nostack, preserves_flags)
            );
        }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
mod thread_slot {
    use std::cell::Cell;

    thread_local! {
        static TOKEN: Cell<u64> = const { Cell::new(0) };
    }

    #[inline(always)]
    pub(super) fn read() -> u64 {
        TOKEN.with(Cell::get)
    }

    pub(super) fn write(token: u64) {
        TOKEN.with(|slot| slot.set(token));
    }
}

/// A fresh owner token for a task, goroutine or any owner that is not a thread: unique
/// in the process, and never equal to a thread's token (these have the top bit set;
/// thread tokens have it clear).
pub fn new_token() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    (1 << 63) | NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The request of a waiter that wants to *own* something (a lock's levels, a limiter's
/// token): who, how many levels, and whether it asks for a direct handoff even from a
/// throughput-mode lock. Locks, conditions (whose waiters move into a lock's line) and
/// limiters build and read their waiters' requests through this, never through the raw
/// words.
pub(crate) trait OwnerRequest {
    fn for_owner(owner: u64, count: u64, handoff: bool) -> Self;
    /// The owner token the grant goes to.
    fn owner(&self) -> u64;
    /// How many levels (a reentrant lock's depth, a limiter's count).
    fn count(&self) -> u64;
    /// Grant directly rather than wake to retry, even in throughput mode.
    fn wants_handoff(&self) -> bool;
}

impl OwnerRequest for crate::wait::Request {
    fn for_owner(owner: u64, count: u64, handoff: bool) -> Self {
        crate::wait::Request {
            words: [owner, count],
            flag: handoff,
        }
    }
    fn owner(&self) -> u64 {
        self.words[0]
    }
    fn count(&self) -> u64 {
        self.words[1]
    }
    fn wants_handoff(&self) -> bool {
        self.flag
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn token_is_stable_per_thread_and_never_reused() {
        let here = super::current_thread();
        assert_ne!(here, 0);
        assert_eq!(
            super::current_thread(),
            here,
            "the same thread, the same token"
        );
        assert_eq!(here >> 62, 1, "bit 62 set, bit 63 clear");
        // Threads that exit one after another may reuse stacks and thread descriptors
        // (pthread_self values); their tokens must still all differ.
        let mut seen = HashSet::from([here]);
        for _ in 0..200 {
            let there = std::thread::spawn(super::current_thread).join().unwrap();
            assert!(seen.insert(there), "token {there:#x} repeated");
        }
        assert_ne!(super::new_token() >> 63, 0);
    }
}
