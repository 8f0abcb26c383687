//! weft beside its peers, in one process. `cargo run --release -p weft-bench`
//! (`WEFT_BENCH_QUICK=1`: a few seconds, for CI; `WEFT_BENCH_ONLY=<substring>`: some
//! groups). weft is called through its C ABI: the `extern "C"` exports, reached through
//! function pointers hidden from the optimizer, as a C caller reaches them through the PLT.

mod alloc_count;
mod harness;
mod pingpong;
mod queue_groups;
mod sync_groups;

use std::ffi::c_void;
use std::hint::black_box;
use std::ptr;
use std::sync::Arc;
use std::time::Instant;

use harness::{Config, group, pin, row, timed};
use weft::ffi::lock::*;
use weft::ffi::op::*;
use weft::ffi::port::*;
use weft::ffi::rlock::*;
use weft::ffi::semaphore::*;

#[global_allocator]
static ALLOC: alloc_count::Counting = alloc_count::Counting;

/// Hides a function pointer from the optimizer, so each call is a real indirect call.
macro_rules! ffi {
    ($f:path : $t:ty) => {
        black_box($f as $t)
    };
}

fn wanted(name: &str) -> bool {
    std::env::var("WEFT_BENCH_ONLY").map_or(true, |only| name.contains(&only))
}

fn new_lock(flags: u32) -> *mut weft_lock {
    let mut lock = ptr::null_mut();
    assert_eq!(weft_lock_new(flags, &mut lock), 0);
    lock
}

fn new_sem(initial: i64) -> *mut weft_sem {
    let mut sem = ptr::null_mut();
    assert_eq!(weft_sem_new(initial, -1, &mut sem), 0);
    sem
}

unsafe extern "C" fn noop_callback(_arg: *mut c_void, _status: i32) {}

fn uncontended(cfg: &Config) {
    pin(0);
    let acquire = ffi!(weft_lock_acquire: extern "C" fn(*mut weft_lock, i64) -> i32);
    let try_acquire = ffi!(weft_lock_try_acquire: extern "C" fn(*mut weft_lock) -> i32);
    let release = ffi!(weft_lock_release: extern "C" fn(*mut weft_lock) -> i32);
    let rl_acquire = ffi!(weft_rlock_acquire: extern "C" fn(*mut weft_rlock, u64, i64) -> i32);
    let rl_release = ffi!(weft_rlock_release: extern "C" fn(*mut weft_rlock, u64) -> i32);
    let sem_acquire = ffi!(weft_sem_acquire: extern "C" fn(*mut weft_sem, i64) -> i32);
    let sem_release = ffi!(weft_sem_release: extern "C" fn(*mut weft_sem, u64) -> i32);
    let fifo = new_lock(WEFT_LOCK_FIFO);
    let fast = new_lock(WEFT_LOCK_THROUGHPUT);
    let mut rl = ptr::null_mut();
    assert_eq!(weft_rlock_new(WEFT_LOCK_FIFO, &mut rl), 0);
    let sem = new_sem(1);
    let mut pthread_mutex = libc::PTHREAD_MUTEX_INITIALIZER;
    let pm: *mut libc::pthread_mutex_t = &mut pthread_mutex;
    let pl = parking_lot::Mutex::new(0u64);
    let std_mutex = std::sync::Mutex::new(0u64);
    group(
        "Uncontended lock+unlock, one thread (C ABI for weft)",
        cfg,
        1.0,
        vec![
            row("pthread_mutex lock+unlock", |n| {
                timed(n, || unsafe {
                    libc::pthread_mutex_lock(black_box(pm));
                    libc::pthread_mutex_unlock(black_box(pm));
                })
            }),
            row("parking_lot::Mutex", |n| {
                timed(n, || *black_box(&pl).lock() += 1)
            }),
            row("std::sync::Mutex", |n| {
                timed(n, || *black_box(&std_mutex).lock().unwrap() += 1)
            }),
            row("weft_lock_acquire(FOREVER)+release (FIFO)", |n| {
                timed(n, || {
                    acquire(black_box(fifo), -1);
                    release(black_box(fifo));
                })
            })
            .target(0, 1.0),
            row("  same, vs parking_lot", |n| {
                timed(n, || {
                    acquire(black_box(fifo), -1);
                    release(black_box(fifo));
                })
            })
            .target(1, 1.1),
            row("weft_lock_try_acquire+release", |n| {
                timed(n, || {
                    try_acquire(black_box(fifo));
                    release(black_box(fifo));
                })
            }),
            row("weft_lock (throughput mode)", |n| {
                timed(n, || {
                    acquire(black_box(fast), -1);
                    release(black_box(fast));
                })
            }),
            row("weft_rlock acquire(1)+release(1)", |n| {
                timed(n, || {
                    rl_acquire(black_box(rl), 1, -1);
                    rl_release(black_box(rl), 1);
                })
            }),
            row("weft_sem acquire+release(1)", |n| {
                timed(n, || {
                    sem_acquire(black_box(sem), -1);
                    sem_release(black_box(sem), 1);
                })
            }),
        ],
    );
}

fn async_fast_path(cfg: &Config) {
    pin(0);
    type LockAsync = extern "C" fn(
        *mut weft_lock,
        u64,
        *mut weft_port,
        weft_callback,
        *mut c_void,
        *mut *mut weft_op,
    ) -> i32;
    type SemAsync = extern "C" fn(
        *mut weft_sem,
        *mut weft_port,
        weft_callback,
        *mut c_void,
        *mut *mut weft_op,
    ) -> i32;
    let lock_async = ffi!(weft_lock_acquire_async: LockAsync);
    let release_as = ffi!(weft_lock_release_as: extern "C" fn(*mut weft_lock, u64) -> i32);
    let sem_async = ffi!(weft_sem_acquire_async: SemAsync);
    let sem_release = ffi!(weft_sem_release: extern "C" fn(*mut weft_sem, u64) -> i32);
    let lock = new_lock(WEFT_LOCK_FIFO);
    let sem = new_sem(1);
    let mut port = ptr::null_mut();
    assert_eq!(weft_port_new(&mut port), 0);
    let tokio_mutex = tokio::sync::Mutex::new(0u64);
    let tokio_sem = tokio::sync::Semaphore::new(1);
    group(
        "Async fast path (granted at once)",
        cfg,
        1.0,
        vec![
            row("tokio::sync::Mutex::try_lock+drop", |n| {
                timed(n, || {
                    drop(black_box(black_box(&tokio_mutex).try_lock().unwrap()))
                })
            }),
            row("weft_lock_acquire_async (WEFT_OK) + release_as", |n| {
                timed(n, || {
                    let mut op = ptr::null_mut();
                    let st = lock_async(
                        black_box(lock),
                        7,
                        port,
                        Some(noop_callback),
                        ptr::null_mut(),
                        &mut op,
                    );
                    debug_assert_eq!(st, 0);
                    release_as(black_box(lock), 7);
                })
            })
            .target(0, 1.0),
            row("tokio::sync::Semaphore::try_acquire+drop", |n| {
                timed(n, || {
                    drop(black_box(black_box(&tokio_sem).try_acquire().unwrap()))
                })
            }),
            row("weft_sem_acquire_async (WEFT_OK) + release", |n| {
                timed(n, || {
                    let mut op = ptr::null_mut();
                    sem_async(
                        black_box(sem),
                        port,
                        Some(noop_callback),
                        ptr::null_mut(),
                        &mut op,
                    );
                    sem_release(black_box(sem), 1);
                })
            })
            .target(2, 1.0),
        ],
    );
}

fn contended(cfg: &Config) {
    let two = |name: &str, make: Box<dyn Fn() -> Box<dyn Fn() + Send + Sync>>| {
        let make = std::rc::Rc::new(make);
        row(name, move |n| {
            let body: Arc<dyn Fn() + Send + Sync> = Arc::from(make());
            let start = Instant::now();
            let threads: Vec<_> = (0..2)
                .map(|cpu| {
                    let body = body.clone();
                    std::thread::spawn(move || {
                        pin(cpu);
                        for _ in 0..n.div_ceil(2) {
                            body();
                        }
                    })
                })
                .collect();
            threads.into_iter().for_each(|t| t.join().unwrap());
            start.elapsed()
        })
    };
    struct Shared<T>(T);
    unsafe impl<T> Send for Shared<T> {}
    unsafe impl<T> Sync for Shared<T> {}
    let weft_lock_body = |flags: u32| -> Box<dyn Fn() + Send + Sync> {
        let lock = Shared(new_lock(flags));
        // A plain counter guarded by the lock, like the peers' `*guard += 1`.
        let counter = Shared(std::cell::UnsafeCell::new(0u64));
        let acquire = ffi!(weft_lock_acquire: extern "C" fn(*mut weft_lock, i64) -> i32);
        let release = ffi!(weft_lock_release: extern "C" fn(*mut weft_lock) -> i32);
        Box::new(move || {
            let (lock, counter) = (&lock, &counter);
            acquire(lock.0, -1);
            // SAFETY: only the lock's owner touches the counter.
            unsafe { *counter.0.get() += 1 };
            release(lock.0);
        })
    };
    group(
        "Contended lock, 2 threads pinned to CPU0/CPU1, tiny critical section (ns per op, aggregate)",
        cfg,
        1.0,
        vec![
            two(
                "parking_lot::Mutex",
                Box::new(|| {
                    let m = parking_lot::Mutex::new(0u64);
                    Box::new(move || *m.lock() += 1)
                }),
            ),
            two(
                "parking_lot::Mutex + unlock_fair",
                Box::new(|| {
                    let m = parking_lot::Mutex::new(0u64);
                    Box::new(move || {
                        let mut g = m.lock();
                        *g += 1;
                        parking_lot::MutexGuard::unlock_fair(g);
                    })
                }),
            ),
            two(
                "pthread_mutex (default)",
                Box::new(|| {
                    let m = Shared(Box::into_raw(Box::new(libc::PTHREAD_MUTEX_INITIALIZER)));
                    Box::new(move || unsafe {
                        let m = &m;
                        libc::pthread_mutex_lock(m.0);
                        libc::pthread_mutex_unlock(m.0);
                    })
                }),
            ),
            two(
                "weft_lock throughput mode",
                Box::new(move || weft_lock_body(WEFT_LOCK_THROUGHPUT)),
            )
            .target(0, 1.2),
            two(
                "weft_lock FIFO mode (strict handoff)",
                Box::new(move || weft_lock_body(WEFT_LOCK_FIFO)),
            ),
        ],
    );
}

/// Handoff and cancel cost with L waiters queued: one op = one release handing a permit to
/// the head (its callback runs) or one cancel of a waiter in the middle, plus one new
/// waiter joining at the back so the line keeps its length.
fn line_length(cfg: &Config) {
    let mut rows = Vec::new();
    let lengths = [10usize, 100, 1_000, 10_000];
    for &len in &lengths {
        let sem = new_sem(0);
        let mut ops: std::collections::VecDeque<*mut weft_op> = (0..len)
            .map(|_| {
                let mut op = ptr::null_mut();
                assert_eq!(
                    weft_sem_acquire_async(
                        sem,
                        ptr::null_mut(),
                        Some(noop_callback),
                        ptr::null_mut(),
                        &mut op
                    ),
                    1
                );
                op
            })
            .collect();
        rows.push(row(
            &format!("release → handoff, {len} queued"),
            move |n| {
                timed(n, || {
                    weft_sem_release(sem, 1);
                    weft_op_free(ops.pop_front().unwrap());
                    let mut op = ptr::null_mut();
                    weft_sem_acquire_async(
                        sem,
                        ptr::null_mut(),
                        Some(noop_callback),
                        ptr::null_mut(),
                        &mut op,
                    );
                    ops.push_back(op);
                })
            },
        ));
    }
    for &len in &lengths {
        let sem = new_sem(0);
        let mut ops: Vec<*mut weft_op> = (0..len)
            .map(|_| {
                let mut op = ptr::null_mut();
                assert_eq!(
                    weft_sem_acquire_async(
                        sem,
                        ptr::null_mut(),
                        Some(noop_callback),
                        ptr::null_mut(),
                        &mut op
                    ),
                    1
                );
                op
            })
            .collect();
        let mut i = 0usize;
        rows.push(row(
            &format!("cancel in the middle, {len} queued"),
            move |n| {
                timed(n, || {
                    let at = len / 2 + (i % (len / 4).max(1));
                    i = i.wrapping_add(7919);
                    weft_op_cancel(ops[at]);
                    weft_op_free(ops[at]);
                    let mut op = ptr::null_mut();
                    weft_sem_acquire_async(
                        sem,
                        ptr::null_mut(),
                        Some(noop_callback),
                        ptr::null_mut(),
                        &mut op,
                    );
                    ops[at] = op;
                })
            },
        ));
    }
    let results = group(
        "Handoff and cancel cost vs line length (async waiters, callback form)",
        cfg,
        1.0,
        rows,
    );
    let m = &results.medians;
    println!(
        "\nflatness: handoff 10 000 / 10 = {:.2}×, cancel 10 000 / 10 = {:.2}× (target: flat, ≈1×)",
        m[3] / m[0],
        m[7] / m[4]
    );
}

fn sizes_and_allocations() {
    println!("\n### Sizes and allocations\n");
    let (waiter, op) = weft::wait::footprint();
    println!("| object | bytes |\n|---|---:|");
    println!(
        "| weft_lock / weft_rlock (`weft::Lock`) | {} + 16 (Arc header) |",
        std::mem::size_of::<weft::Lock>()
    );
    println!(
        "| weft_sem (`weft::Semaphore`) | {} + 16 |",
        std::mem::size_of::<weft::Semaphore>()
    );
    println!(
        "| weft_port (`weft::Port`) | {} + 16, plus its queue and one eventfd |",
        std::mem::size_of::<weft::Port>()
    );
    println!("| thread waiter (on the waiting thread's stack) | {waiter} |");
    println!("| async op (one allocation, only when queued) | {op} |");

    let lock = new_lock(WEFT_LOCK_FIFO);
    let sem = new_sem(1);
    let mut port = ptr::null_mut();
    assert_eq!(weft_port_new(&mut port), 0);
    let before = alloc_count::allocations();
    for _ in 0..10_000 {
        weft_lock_acquire(lock, -1);
        weft_lock_release(lock);
        weft_lock_try_acquire(lock);
        weft_lock_release(lock);
        weft_lock_acquire(lock, 5_000_000);
        weft_lock_release(lock);
        weft_sem_acquire(sem, -1);
        weft_sem_release(sem, 1);
        let mut op = ptr::null_mut();
        weft_lock_acquire_async(lock, 9, port, None, ptr::null_mut(), &mut op);
        weft_lock_release_as(lock, 9);
        weft_sem_acquire_async(sem, port, None, ptr::null_mut(), &mut op);
        weft_sem_release(sem, 1);
    }
    let allocations = alloc_count::allocations() - before;
    println!(
        "\nallocations during 10 000 rounds of uncontended lock/try/timed lock, semaphore and async fast paths: {allocations} (target 0: {})",
        if allocations == 0 { "MET" } else { "NOT MET" }
    );
}

fn main() {
    // glibc skips the atomics in pthread_mutex until a process has created a thread.
    std::thread::spawn(|| {}).join().unwrap();
    let cfg = Config::from_env();
    println!(
        "# weft-bench ({} reps of {:?} per competitor; {} CPUs)",
        cfg.reps,
        cfg.rep,
        harness::num_cpus()
    );
    let started = Instant::now();
    if wanted("uncontended") {
        uncontended(&cfg);
    }
    if wanted("async") {
        async_fast_path(&cfg);
    }
    if wanted("wake") {
        pingpong::wake_latency(&cfg, 1);
        pingpong::wake_latency(&cfg, 0);
    }
    if wanted("contended") {
        contended(&cfg);
    }
    if wanted("sync-primitives") {
        sync_groups::run(&cfg);
    }
    if wanted("queues") {
        queue_groups::run(&cfg);
    }
    if wanted("line") {
        line_length(&cfg);
    }
    if wanted("sizes") {
        sizes_and_allocations();
    }
    println!("\n(total {:.1} s)", started.elapsed().as_secs_f64());
}
