//! Wake-up latency: a ping-pong between the main thread (CPU0) and a partner thread
//! (CPU1, or CPU0 too), reported per one-way hop (round trip / 2).

use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use weft::ffi::op::*;
use weft::ffi::port::*;
use weft::ffi::semaphore::*;

use crate::harness::{Config, group, pin, row};

fn futex_wait(word: &AtomicU32, expected: u32) {
    // SAFETY: a valid u32 address; the kernel compares before sleeping.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word as *const AtomicU32,
            libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
            expected,
            ptr::null::<libc::timespec>(),
        );
    }
}

fn futex_wake(word: &AtomicU32) {
    // SAFETY: a valid u32 address.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word as *const AtomicU32,
            libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
            1,
        );
    }
}

struct Ptr<T>(*mut T);
unsafe impl<T> Send for Ptr<T> {}
unsafe impl<T> Sync for Ptr<T> {}

fn new_sem() -> *mut weft_sem {
    let mut sem = ptr::null_mut();
    assert_eq!(weft_sem_new(0, -1, &mut sem), 0);
    sem
}

pub fn wake_latency(cfg: &Config, partner_cpu: usize) {
    let where_ = if partner_cpu == 0 {
        "both threads on CPU0"
    } else {
        "CPU0 ↔ CPU1"
    };
    let results = group(
        &format!("Wake-up latency per one-way hop, {where_}"),
        cfg,
        2.0,
        vec![
            row("bare futex wake+wait (floor)", move |n| {
                pin(0);
                let turn = Arc::new(AtomicU32::new(0));
                let partner = {
                    let turn = turn.clone();
                    std::thread::spawn(move || {
                        pin(partner_cpu);
                        for _ in 0..n {
                            while turn.load(Ordering::Acquire) == 0 {
                                futex_wait(&turn, 0);
                            }
                            turn.store(0, Ordering::Release);
                            futex_wake(&turn);
                        }
                    })
                };
                let start = Instant::now();
                for _ in 0..n {
                    turn.store(1, Ordering::Release);
                    futex_wake(&turn);
                    while turn.load(Ordering::Acquire) == 1 {
                        futex_wait(&turn, 1);
                    }
                }
                let took = start.elapsed();
                partner.join().unwrap();
                took
            }),
            row(
                "bare eventfd: write → poll(2)+read, futex back (fd floor)",
                move |n| {
                    pin(0);
                    // SAFETY: plain syscall.
                    let efd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
                    assert!(efd >= 0);
                    let back = Arc::new(AtomicU32::new(0));
                    let partner = {
                        let back = back.clone();
                        std::thread::spawn(move || {
                            pin(partner_cpu);
                            let mut value = 0u64;
                            for _ in 0..n {
                                let mut pfd = libc::pollfd {
                                    fd: efd,
                                    events: libc::POLLIN,
                                    revents: 0,
                                };
                                // SAFETY: valid pollfd and buffer.
                                unsafe {
                                    while libc::poll(&mut pfd, 1, -1) != 1 {}
                                    libc::read(efd, (&mut value as *mut u64).cast(), 8);
                                }
                                back.store(1, Ordering::Release);
                                futex_wake(&back);
                            }
                        })
                    };
                    let one = 1u64;
                    let start = Instant::now();
                    for _ in 0..n {
                        // SAFETY: writes 8 bytes to our eventfd.
                        unsafe { libc::write(efd, (&one as *const u64).cast(), 8) };
                        while back.load(Ordering::Acquire) == 0 {
                            futex_wait(&back, 0);
                        }
                        back.store(0, Ordering::Relaxed);
                    }
                    let took = start.elapsed();
                    partner.join().unwrap();
                    // SAFETY: our own fd.
                    unsafe { libc::close(efd) };
                    took
                },
            ),
            row(
                "weft_sem thread ↔ thread (blocking acquire / release)",
                move |n| {
                    pin(0);
                    let (ping, pong) = (Ptr(new_sem()), Ptr(new_sem()));
                    let partner = {
                        let (ping, pong) = (Ptr(ping.0), Ptr(pong.0));
                        std::thread::spawn(move || {
                            pin(partner_cpu);
                            let (ping, pong) = (&ping, &pong);
                            for _ in 0..n {
                                assert_eq!(weft_sem_acquire(ping.0, -1), 0);
                                weft_sem_release(pong.0, 1);
                            }
                        })
                    };
                    let start = Instant::now();
                    for _ in 0..n {
                        weft_sem_release(ping.0, 1);
                        assert_eq!(weft_sem_acquire(pong.0, -1), 0);
                    }
                    let took = start.elapsed();
                    partner.join().unwrap();
                    weft_sem_free(ping.0);
                    weft_sem_free(pong.0);
                    took
                },
            )
            .target(0, 1.1),
            row(
                "weft thread → port (loop in poll(2)) → thread",
                move |n| {
                    pin(0);
                    let (ping, pong) = (Ptr(new_sem()), Ptr(new_sem()));
                    let partner = {
                        let (ping, pong) = (Ptr(ping.0), Ptr(pong.0));
                        std::thread::spawn(move || {
                            pin(partner_cpu);
                            let (ping, pong) = (&ping, &pong);
                            let mut port = ptr::null_mut();
                            assert_eq!(weft_port_new(&mut port), 0);
                            let mut fd = -1;
                            weft_port_fd(port, &mut fd);
                            let mut records = [weft_completion {
                                arg: ptr::null_mut(),
                                status: -1,
                            }; 4];
                            for _ in 0..n {
                                let mut op = ptr::null_mut();
                                let st = weft_sem_acquire_async(
                                    ping.0,
                                    port,
                                    None,
                                    ptr::null_mut(),
                                    &mut op,
                                );
                                if st == 1 {
                                    let mut pfd = libc::pollfd {
                                        fd,
                                        events: libc::POLLIN,
                                        revents: 0,
                                    };
                                    // SAFETY: one valid pollfd.
                                    while unsafe { libc::poll(&mut pfd, 1, -1) } != 1 {}
                                    let mut got = 0;
                                    weft_port_poll(port, records.as_mut_ptr(), 4, &mut got);
                                    assert_eq!(got, 1);
                                    weft_op_free(op);
                                }
                                weft_sem_release(pong.0, 1);
                            }
                            weft_port_free(port);
                        })
                    };
                    let start = Instant::now();
                    for _ in 0..n {
                        weft_sem_release(ping.0, 1);
                        assert_eq!(weft_sem_acquire(pong.0, -1), 0);
                    }
                    let took = start.elapsed();
                    partner.join().unwrap();
                    weft_sem_free(ping.0);
                    weft_sem_free(pong.0);
                    took
                },
            )
            .target(0, 1.1),
        ],
    );
    let m = &results.medians;
    println!(
        "\nweft thread → port vs the bare eventfd mechanism it is built on: {:.2}×",
        m[3] / m[1]
    );
}
