//! Issue 3's groups: condition notify → wake beside `pthread_cond`, event set → N waiters
//! woken beside a futex broadcast, barrier round trip beside `pthread_barrier`.

use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Instant;

use weft::ffi::barrier::*;
use weft::ffi::condition::*;
use weft::ffi::event::*;
use weft::ffi::lock::*;

use crate::harness::{Config, group, pin, row};

struct Shared<T>(T);
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

impl<T: Copy> Shared<T> {
    /// Read through a method, so closures capture the whole wrapper (which is `Sync`).
    fn get(&self) -> T {
        self.0
    }
}

/// Two threads take turns through a condition: per one-way hop.
fn cond_pingpong(cfg: &Config) {
    group(
        "Condition notify → wake, 2 threads taking turns (per hop)",
        cfg,
        2.0,
        vec![
            row("pthread_mutex + pthread_cond", |n| {
                let m = Shared(Box::into_raw(Box::new(libc::PTHREAD_MUTEX_INITIALIZER)));
                let c = Shared(Box::into_raw(Box::new(libc::PTHREAD_COND_INITIALIZER)));
                let turn = Arc::new(AtomicU32::new(0));
                let run = |me: u32,
                           m: &Shared<*mut libc::pthread_mutex_t>,
                           c: &Shared<*mut libc::pthread_cond_t>,
                           turn: &AtomicU32| unsafe {
                    for _ in 0..n {
                        libc::pthread_mutex_lock(m.get());
                        while turn.load(Ordering::Relaxed) != me {
                            libc::pthread_cond_wait(c.get(), m.get());
                        }
                        turn.store(1 - me, Ordering::Relaxed);
                        libc::pthread_cond_signal(c.get());
                        libc::pthread_mutex_unlock(m.get());
                    }
                };
                let start = Instant::now();
                std::thread::scope(|s| {
                    s.spawn(|| {
                        pin(1);
                        run(1, &m, &c, &turn)
                    });
                    pin(0);
                    run(0, &m, &c, &turn);
                });
                start.elapsed()
            }),
            row("weft_lock + weft_cond", |n| {
                let mut lock = ptr::null_mut();
                weft_lock_new(WEFT_LOCK_FIFO, &mut lock);
                let mut cond = ptr::null_mut();
                weft_cond_new(lock, &mut cond);
                let (lock, cond) = (Shared(lock), Shared(cond));
                let turn = AtomicU32::new(0);
                let run = |me: u32| {
                    for _ in 0..n {
                        weft_lock_acquire(lock.get(), -1);
                        while turn.load(Ordering::Relaxed) != me {
                            weft_cond_wait(cond.get(), -1);
                        }
                        turn.store(1 - me, Ordering::Relaxed);
                        weft_cond_notify(cond.get(), 1, ptr::null_mut());
                        weft_lock_release(lock.get());
                    }
                };
                let start = Instant::now();
                std::thread::scope(|s| {
                    s.spawn(|| {
                        pin(1);
                        run(1)
                    });
                    pin(0);
                    run(0);
                });
                let took = start.elapsed();
                weft_cond_free(cond.get());
                weft_lock_free(lock.get());
                took
            })
            .target(0, 1.1),
        ],
    );
}

/// One set wakes 4 waiting threads; a round ends when all 4 are back.
fn event_broadcast(cfg: &Config) {
    const WAITERS: usize = 4;
    group(
        "Event set → 4 waiters woken (per round)",
        cfg,
        1.0,
        vec![
            row("futex broadcast (FUTEX_WAKE all)", |n| {
                let word = AtomicU32::new(0);
                let back = AtomicUsize::new(0);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..WAITERS {
                        s.spawn(|| {
                            for round in 1..=n as u32 {
                                while word.load(Ordering::Acquire) < round {
                                    unsafe {
                                        libc::syscall(
                                            libc::SYS_futex,
                                            &word as *const AtomicU32,
                                            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                                            round - 1,
                                            ptr::null::<libc::timespec>(),
                                        );
                                    }
                                }
                                back.fetch_add(1, Ordering::AcqRel);
                            }
                        });
                    }
                    for round in 1..=n as u32 {
                        while back.load(Ordering::Acquire) < (round as usize - 1) * WAITERS {
                            std::thread::yield_now();
                        }
                        word.store(round, Ordering::Release);
                        unsafe {
                            libc::syscall(
                                libc::SYS_futex,
                                &word as *const AtomicU32,
                                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                                i32::MAX,
                            );
                        }
                    }
                });
                start.elapsed()
            }),
            row("weft_event (one per round), weft_event_wait", |n| {
                let events: Vec<Shared<*mut weft_event>> = (0..n)
                    .map(|_| {
                        let mut e = ptr::null_mut();
                        weft_event_new(WEFT_EVENT_ONE_TIME, &mut e);
                        Shared(e)
                    })
                    .collect();
                let back = AtomicUsize::new(0);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..WAITERS {
                        s.spawn(|| {
                            for e in &events {
                                weft_event_wait(e.get(), -1);
                                back.fetch_add(1, Ordering::AcqRel);
                            }
                        });
                    }
                    for (round, e) in events.iter().enumerate() {
                        while back.load(Ordering::Acquire) < round * WAITERS {
                            std::thread::yield_now();
                        }
                        weft_event_set(e.get(), ptr::null_mut());
                    }
                });
                let took = start.elapsed();
                events.iter().for_each(|e| {
                    weft_event_free(e.get());
                });
                took
            })
            .target(0, 1.1),
        ],
    );
}

/// Two threads meet at a barrier, round after round.
fn barrier_round_trip(cfg: &Config) {
    group(
        "Barrier round trip, 2 parties (per round)",
        cfg,
        1.0,
        vec![
            row("pthread_barrier_wait", |n| {
                let b = Shared(Box::into_raw(Box::new(unsafe {
                    std::mem::zeroed::<libc::pthread_barrier_t>()
                })));
                unsafe { libc::pthread_barrier_init(b.get(), ptr::null(), 2) };
                let start = Instant::now();
                std::thread::scope(|s| {
                    s.spawn(|| {
                        pin(1);
                        for _ in 0..n {
                            unsafe { libc::pthread_barrier_wait(b.get()) };
                        }
                    });
                    pin(0);
                    for _ in 0..n {
                        unsafe { libc::pthread_barrier_wait(b.get()) };
                    }
                });
                let took = start.elapsed();
                unsafe { libc::pthread_barrier_destroy(b.get()) };
                took
            }),
            row("weft_barrier_wait (cyclic)", |n| {
                let mut b = ptr::null_mut();
                weft_barrier_new(2, WEFT_BARRIER_CYCLIC, &mut b);
                let b = Shared(b);
                let start = Instant::now();
                std::thread::scope(|s| {
                    s.spawn(|| {
                        pin(1);
                        for _ in 0..n {
                            weft_barrier_wait(b.get(), -1, ptr::null_mut());
                        }
                    });
                    pin(0);
                    for _ in 0..n {
                        weft_barrier_wait(b.get(), -1, ptr::null_mut());
                    }
                });
                let took = start.elapsed();
                weft_barrier_free(b.get());
                took
            })
            .target(0, 1.1),
        ],
    );
}

pub fn run(cfg: &Config) {
    cond_pingpong(cfg);
    event_broadcast(cfg);
    barrier_round_trip(cfg);
}
