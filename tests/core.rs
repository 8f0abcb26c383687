#![allow(clippy::manual_dangling_ptr)] // small integers stand in for callers' args
//! Behaviour of the safe core: ordering, handoff, cancellation and stress with invariant
//! checks. (The C ABI has its own suite in tests/c.)

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use weft::{Deadline, Delivered, Fairness, Lock, Port, Semaphore, Started, Status};

/// Fails the test (instead of hanging CI) if `body` does not finish in time.
fn with_watchdog(seconds: u64, body: impl FnOnce()) {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let watchdog = thread::spawn(move || {
        for _ in 0..seconds * 10 {
            if flag.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        eprintln!("watchdog: test hung (lost wakeup?)");
        std::process::abort();
    });
    body();
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
}

fn wait_until(mut cond: impl FnMut() -> bool) {
    while !cond() {
        thread::sleep(Duration::from_micros(200));
    }
}

fn me() -> u64 {
    weft::owner::current_thread()
}

#[test]
fn lock_statuses() {
    let lock = Lock::new(Fairness::Fifo);
    assert_eq!(lock.release(me(), 1), Status::NotLocked);
    assert_eq!(lock.try_acquire(0, 1), Status::Invalid);
    assert_eq!(lock.try_acquire(me(), 2), Status::Invalid);
    assert_eq!(lock.try_acquire(me(), 1), Status::Ok);
    assert_eq!(lock.owner(), me());
    assert_eq!(lock.try_acquire(me(), 1), Status::Deadlock);
    assert_eq!(lock.acquire(me(), 1, Deadline::Never), Status::Deadlock);
    assert_eq!(lock.try_acquire(42, 1), Status::WouldBlock);
    assert_eq!(
        lock.acquire(42, 1, Deadline::after(Duration::from_millis(5))),
        Status::Timeout
    );
    assert_eq!(lock.release(42, 1), Status::NotOwner);
    assert_eq!(lock.release(me(), 1), Status::Ok);
    assert_eq!(lock.owner(), 0);
    assert_eq!(lock.waiting(), 0);
}

#[test]
fn reentrant_lock_counts() {
    let lock = Lock::new_reentrant(Fairness::Fifo);
    assert_eq!(lock.acquire(7, 2, Deadline::Never), Status::Ok);
    assert_eq!(lock.try_acquire(7, 3), Status::Ok);
    assert_eq!(lock.depth_of(7), 5);
    assert_eq!(lock.release(7, 6), Status::Overflow);
    assert_eq!(lock.depth_of(7), 5);
    assert_eq!(lock.release(8, 1), Status::NotOwner);
    assert_eq!(lock.release(7, 4), Status::Ok);
    assert!(lock.is_locked());
    assert_eq!(lock.release(7, 1), Status::Ok);
    assert!(!lock.is_locked());
}

#[test]
fn semaphore_bounds() {
    assert_eq!(Semaphore::new(3, Some(2)).err(), Some(Status::Invalid));
    let sem = Semaphore::new(1, Some(2)).unwrap();
    assert_eq!(sem.release(0), Status::Invalid);
    assert_eq!(sem.release(2), Status::Overflow);
    assert_eq!(sem.value(), 1);
    assert_eq!(sem.release(1), Status::Ok);
    assert_eq!(sem.value(), 2);
    assert_eq!(sem.try_acquire(), Status::Ok);
    assert_eq!(sem.try_acquire(), Status::Ok);
    assert_eq!(sem.try_acquire(), Status::WouldBlock);
}

/// Threads and async ops queue in one line and are served in arrival order, with no
/// barging by a third party after a handoff.
#[test]
fn mixed_faces_are_served_fifo() {
    with_watchdog(30, || {
        let lock = Arc::new(Lock::new(Fairness::Fifo));
        let port = Port::new().unwrap();
        assert_eq!(lock.acquire(1, 1, Deadline::Never), Status::Ok);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut threads = Vec::new();
        let mut ops = Vec::new();
        for i in 0..6u64 {
            let owner = 100 + i;
            if i % 2 == 0 {
                let (lock, order) = (lock.clone(), order.clone());
                threads.push(thread::spawn(move || {
                    assert_eq!(lock.acquire(owner, 1, Deadline::Never), Status::Ok);
                    order.lock().unwrap().push(owner);
                    assert_eq!(lock.release(owner, 1), Status::Ok);
                }));
            } else {
                match lock.acquire_async(owner, 1, Some(&port), None, owner as *mut c_void) {
                    Started::Pending(op) => ops.push(op),
                    other => panic!("expected pending, got {other:?}"),
                }
            }
            wait_until(|| lock.waiting() == i as usize + 1);
        }
        assert_eq!(lock.release(1, 1), Status::Ok);
        // Serve the loop side: each async grant is released by its owner in turn.
        let mut served = 0;
        while served < ops.len() {
            assert_eq!(port.wait(Deadline::Never), Status::Ok);
            let mut out = [Delivered {
                arg: std::ptr::null_mut(),
                status: Status::Internal,
            }; 1];
            if port.poll(&mut out) == 1 {
                assert_eq!(out[0].status, Status::Ok);
                let owner = out[0].arg as u64;
                assert_eq!(lock.owner(), owner);
                assert_eq!(lock.try_acquire(999, 1), Status::WouldBlock, "no barging");
                order.lock().unwrap().push(owner);
                assert_eq!(lock.release(owner, 1), Status::Ok);
                served += 1;
            }
        }
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(*order.lock().unwrap(), (100..106).collect::<Vec<_>>());
        assert!(!lock.is_locked());
    });
}

/// A timed-out or cancelled waiter is skipped; a grant that beat the cancel is owned.
#[test]
fn cancel_races_are_settled_once() {
    let sem = Arc::new(Semaphore::new(0, None).unwrap());
    let port = Port::new().unwrap();
    let Started::Pending(first) = sem.acquire_async(Some(&port), None, 1 as *mut c_void) else {
        panic!()
    };
    let Started::Pending(second) = sem.acquire_async(Some(&port), None, 2 as *mut c_void) else {
        panic!()
    };
    assert_eq!(first.cancel(), Status::Cancelled);
    assert_eq!(
        first.cancel(),
        Status::Answered,
        "only the first cancel answers"
    );
    assert_eq!(sem.release(1), Status::Ok);
    assert_eq!(
        second.cancel(),
        Status::Ok,
        "the grant won: the permit is ours"
    );
    assert_eq!(
        second.cancel(),
        Status::Answered,
        "one canceller owns the grant"
    );
    let mut out = [Delivered {
        arg: std::ptr::null_mut(),
        status: Status::Internal,
    }; 4];
    assert_eq!(port.poll(&mut out), 2);
    assert_eq!((out[0].arg as usize, out[0].status), (1, Status::Cancelled));
    assert_eq!((out[1].arg as usize, out[1].status), (2, Status::Ok));
    assert_eq!(sem.value(), 0);
    assert_eq!(sem.waiting(), 0);
}

/// Closing a port hands a grant queued in it back to the primitive.
#[test]
fn closed_port_gives_grants_back() {
    let lock = Arc::new(Lock::new(Fairness::Fifo));
    let port = Port::new().unwrap();
    assert_eq!(lock.acquire(1, 1, Deadline::Never), Status::Ok);
    let Started::Pending(op) = lock.acquire_async(2, 1, Some(&port), None, std::ptr::null_mut())
    else {
        panic!()
    };
    let Started::Pending(next) = lock.acquire_async(3, 1, Some(&port), None, std::ptr::null_mut())
    else {
        panic!()
    };
    assert_eq!(lock.release(1, 1), Status::Ok);
    assert_eq!(lock.owner(), 2);
    port.close();
    // Owner 2's grant could not be delivered: it went to owner 3, whose completion could
    // not be delivered either, so the lock ends free.
    assert_eq!(op.status(), Status::Cancelled);
    assert_eq!(next.status(), Status::Cancelled);
    assert!(!lock.is_locked());
}

/// Throughput mode with tiny random timeouts: mutual exclusion, and a waiter woken to
/// retry that times out never strands the rest of the line.
#[test]
fn stress_locks_with_timeouts() {
    for fairness in [Fairness::Fifo, Fairness::Throughput] {
        with_watchdog(60, || {
            let lock = Arc::new(Lock::new(fairness));
            let inside = Arc::new(AtomicUsize::new(0));
            let acquired = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = (0..4)
                .map(|t| {
                    let (lock, inside, acquired) = (lock.clone(), inside.clone(), acquired.clone());
                    thread::spawn(move || {
                        let owner = me();
                        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ t;
                        for _ in 0..20_000 {
                            seed ^= seed << 13;
                            seed ^= seed >> 7;
                            seed ^= seed << 17;
                            let deadline = match seed % 4 {
                                0 => Deadline::Never,
                                n => Deadline::after(Duration::from_nanos(n * 2_000)),
                            };
                            match lock.acquire(owner, 1, deadline) {
                                Status::Ok => {
                                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                                    acquired.fetch_add(1, Ordering::Relaxed);
                                    inside.fetch_sub(1, Ordering::SeqCst);
                                    assert_eq!(lock.release(owner, 1), Status::Ok);
                                }
                                Status::Timeout => {}
                                other => panic!("unexpected {other:?}"),
                            }
                        }
                    })
                })
                .collect();
            threads.into_iter().for_each(|t| t.join().unwrap());
            assert!(acquired.load(Ordering::Relaxed) > 0);
            assert!(!lock.is_locked(), "{fairness:?}");
            assert_eq!(lock.waiting(), 0);
        });
    }
}

/// Semaphore permits are conserved under blocking, timed and async waiters with random
/// cancels racing grants.
#[test]
fn stress_semaphore_conserves_permits() {
    with_watchdog(60, || {
        const PERMITS: u64 = 3;
        let sem = Arc::new(Semaphore::new(PERMITS, Some(PERMITS)).unwrap());
        let held = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads: Vec<_> = (0..3)
            .map(|t| {
                let (sem, held) = (sem.clone(), held.clone());
                thread::spawn(move || {
                    for i in 0..20_000u64 {
                        let deadline = if (i + t) % 3 == 0 {
                            Deadline::Never
                        } else {
                            Deadline::after(Duration::from_micros(i % 7))
                        };
                        if sem.acquire(deadline) == Status::Ok {
                            assert!(held.fetch_add(1, Ordering::SeqCst) < PERMITS as usize);
                            held.fetch_sub(1, Ordering::SeqCst);
                            assert_eq!(sem.release(1), Status::Ok);
                        }
                    }
                })
            })
            .collect();
        // An async side: start, randomly cancel, release whatever was granted.
        let (sem2, held2, stop2) = (sem.clone(), held.clone(), stop.clone());
        threads.push(thread::spawn(move || {
            let port = Port::new().unwrap();
            let mut i = 0u64;
            while !stop2.load(Ordering::Relaxed) {
                i += 1;
                match sem2.acquire_async(Some(&port), None, std::ptr::null_mut()) {
                    Started::Done(Status::Ok) => {
                        assert_eq!(sem2.release(1), Status::Ok);
                    }
                    Started::Pending(op) => {
                        if i % 2 == 0 {
                            thread::yield_now();
                        }
                        let status = op.cancel();
                        let mut out = [Delivered {
                            arg: std::ptr::null_mut(),
                            status: Status::Internal,
                        }; 2];
                        assert_eq!(port.wait(Deadline::Never), Status::Ok);
                        assert_eq!(port.poll(&mut out), 1, "exactly one completion");
                        assert_eq!(out[0].status, status);
                        if status == Status::Ok {
                            assert!(held2.fetch_add(1, Ordering::SeqCst) < PERMITS as usize);
                            held2.fetch_sub(1, Ordering::SeqCst);
                            assert_eq!(sem2.release(1), Status::Ok);
                        } else {
                            assert_eq!(status, Status::Cancelled);
                        }
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }));
        let async_side = threads.pop().unwrap();
        threads.into_iter().for_each(|t| t.join().unwrap());
        stop.store(true, Ordering::Relaxed);
        async_side.join().unwrap();
        assert_eq!(sem.value(), PERMITS);
        assert_eq!(sem.waiting(), 0);
    });
}

fn fd_readable(fd: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    unsafe { libc::poll(&mut pfd, 1, 0) == 1 }
}

/// The port's fd is readable exactly while completions are pending, a burst costs one
/// readiness, and a take that stops at `max` leaves it readable. Under the `portable`
/// feature the fd is a pipe, so the same test covers the fallback.
#[test]
fn port_fd_is_readable_exactly_while_pending() {
    let port = Port::new().unwrap();
    let fd = port.fd();
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: valid fd and out-pointer.
    assert_eq!(unsafe { libc::fstat(fd, &mut stat) }, 0);
    let is_pipe = stat.st_mode & libc::S_IFMT == libc::S_IFIFO;
    assert_eq!(is_pipe, cfg!(feature = "portable"));

    let sem = Arc::new(Semaphore::new(0, None).unwrap());
    assert!(!fd_readable(fd));
    let ops: Vec<_> = (0..5)
        .map(
            |i| match sem.acquire_async(Some(&port), None, i as *mut c_void) {
                Started::Pending(op) => op,
                other => panic!("{other:?}"),
            },
        )
        .collect();
    assert!(!fd_readable(fd), "nothing completed yet");
    assert_eq!(sem.release(5), Status::Ok);
    assert!(fd_readable(fd));
    let mut out = [Delivered {
        arg: std::ptr::null_mut(),
        status: Status::Internal,
    }; 2];
    assert_eq!(port.poll(&mut out), 2);
    assert!(fd_readable(fd), "3 still pending");
    assert_eq!(port.poll(&mut out), 2);
    assert!(fd_readable(fd), "1 still pending");
    assert_eq!(port.poll(&mut out), 1);
    assert!(!fd_readable(fd), "drained");
    assert_eq!(
        port.wait(Deadline::after(Duration::from_millis(1))),
        Status::Timeout
    );
    ops.iter()
        .for_each(|op| assert_eq!(op.status(), Status::Ok));
    assert_eq!(sem.release(1), Status::Ok);
    assert_eq!(sem.value(), 1);
}

#[test]
fn footprints_are_small() {
    let (waiter, op) = weft::wait::footprint();
    assert!(waiter <= 80, "thread waiter {waiter} bytes");
    assert!(op <= 160, "async op {op} bytes");
    assert!(std::mem::size_of::<Lock>() <= 128);
    assert!(std::mem::size_of::<Semaphore>() <= 64);
}

/// A notified waiter wakes holding the lock with its depth restored; notify counts are
/// exact and FIFO; a timed-out waiter holds the lock again.
#[test]
fn condition_moves_notified_waiters_into_the_lock_line() {
    with_watchdog(30, || {
        let lock = Arc::new(Lock::new_reentrant(Fairness::Fifo));
        let cond = Arc::new(weft::Condition::new(Some(lock.clone())));
        let order = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..3u64)
            .map(|i| {
                let (lock2, cond2, order) = (lock.clone(), cond.clone(), order.clone());
                let owner = 100 + i;
                let t = thread::spawn(move || {
                    let (lock, cond) = (lock2, cond2);
                    assert_eq!(lock.acquire(owner, 2, Deadline::Never), Status::Ok);
                    assert_eq!(cond.wait(owner, Deadline::Never), Status::Ok);
                    assert_eq!(lock.depth_of(owner), 2, "depth restored");
                    order.lock().unwrap().push(owner);
                    assert_eq!(lock.release(owner, 2), Status::Ok);
                });
                wait_until(|| cond.waiting() == i as usize + 1);
                t
            })
            .collect();
        assert_eq!(cond.wait(1, Deadline::Never), Status::NotOwner);
        assert_eq!(lock.acquire(1, 1, Deadline::Never), Status::Ok);
        assert_eq!(cond.notify(2), 2);
        assert_eq!(cond.waiting(), 1);
        assert_eq!(lock.waiting(), 2, "moved into the lock's line, not woken");
        assert_eq!(cond.notify_all(), 1);
        assert_eq!(lock.release(1, 1), Status::Ok);
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(*order.lock().unwrap(), vec![100, 101, 102]);

        assert_eq!(lock.acquire(5, 1, Deadline::Never), Status::Ok);
        assert_eq!(
            cond.wait(5, Deadline::after(Duration::from_millis(2))),
            Status::Timeout
        );
        assert_eq!(lock.depth_of(5), 1, "held again after a timeout");
        assert_eq!(cond.notify(1), 0);
        assert_eq!(lock.release(5, 1), Status::Ok);
        assert!(!lock.is_locked());
    });
}

/// A notified waiter that is cancelled passes the notification on.
#[test]
fn cancelled_notified_waiter_passes_it_on() {
    let lock = Arc::new(Lock::new(Fairness::Fifo));
    let cond = Arc::new(weft::Condition::new(Some(lock.clone())));
    let port = Port::new().unwrap();
    let mut ops = Vec::new();
    for owner in [10u64, 11] {
        assert_eq!(lock.acquire(owner, 1, Deadline::Never), Status::Ok);
        match cond.wait_async(owner, Some(&port), None, owner as *mut c_void) {
            Started::Pending(op) => ops.push(op),
            other => panic!("{other:?}"),
        }
        assert!(!lock.is_locked(), "released by the wait");
    }
    assert_eq!(lock.acquire(1, 1, Deadline::Never), Status::Ok);
    assert_eq!(cond.notify(1), 1); // 10 moves into the lock's line
    assert_eq!(ops[0].cancel(), Status::Cancelled); // ...and gives up: 11 is notified instead
    assert_eq!(cond.waiting(), 0);
    assert_eq!(lock.release(1, 1), Status::Ok);
    assert_eq!(lock.owner(), 11);
    let mut out = [Delivered {
        arg: std::ptr::null_mut(),
        status: Status::Internal,
    }; 4];
    assert_eq!(port.poll(&mut out), 2);
    assert_eq!((out[0].arg as u64, out[0].status), (10, Status::Cancelled));
    assert_eq!((out[1].arg as u64, out[1].status), (11, Status::Ok));
    assert_eq!(lock.release(11, 1), Status::Ok);
}
