//! Loom models of a port: a completion being posted while the port is freed (closed) and
//! the op is cancelled, all at once. Run like tests/loom.rs:
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release --test loom_port_races`.
#![cfg(loom)]

mod loom_support;

use std::ffi::c_void;
use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use loom_support::{model, no_arg, pending, poll_all};
use weft::{Port, Semaphore, Status};

/// A release grants a pending async acquire (posting its completion to the port) while
/// another thread closes the port and the owner cancels the op. Exactly one outcome:
/// `cancel` says `Ok` and the permit is the caller's (the port did not take it back), or
/// `cancel` says `Cancelled` and the permit is free again (the cancel won, or the closed
/// port gave the grant back). Nothing is left in the port, and its fd is quiet.
#[test]
fn port_post_races_close_and_cancel() {
    model("port_post_races_close_and_cancel", || {
        let sem = Arc::new(Semaphore::new(0, None).unwrap());
        let port = Port::new().unwrap();
        let op = pending(sem.acquire_async(Some(&port), None, no_arg()));
        let releaser = {
            let sem = sem.clone();
            thread::spawn(move || assert_eq!(sem.release(1), Status::Ok))
        };
        let closer = {
            let port = port.clone();
            thread::spawn(move || port.close())
        };
        let cancelled = op.cancel();
        releaser.join().unwrap();
        closer.join().unwrap();
        match cancelled {
            Status::Ok => {
                assert_eq!(op.status(), Status::Ok);
                assert_eq!(sem.value(), 0, "the caller owns the permit");
            }
            Status::Cancelled => {
                assert_eq!(op.status(), Status::Cancelled);
                assert_eq!(sem.value(), 1, "a cancelled grant was not passed on");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(poll_all(&port).is_empty(), "a closed port holds nothing");
        assert!(!port.fd_readable());
        assert_eq!(sem.waiting(), 0);
    });
}

unsafe extern "C" fn count_calls(arg: *mut c_void, status: i32) {
    // SAFETY: the model passes a pointer to a live loom AtomicUsize.
    let calls = unsafe { &*(arg as *const AtomicUsize) };
    calls.fetch_add(
        if status == Status::Ok.code() { 1 } else { 100 },
        Ordering::SeqCst,
    );
}

/// The same three-way race with a callback on the op: the callback runs exactly once
/// (on whichever thread delivered or gave back the completion), hearing `Ok` exactly when
/// the caller owns the permit.
#[test]
fn port_post_races_close_and_cancel_callback() {
    model("port_post_races_close_and_cancel_callback", || {
        let sem = Arc::new(Semaphore::new(0, None).unwrap());
        let port = Port::new().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let arg = Arc::as_ptr(&calls) as *mut c_void;
        let op = pending(sem.acquire_async(Some(&port), Some(count_calls), arg));
        let releaser = {
            let sem = sem.clone();
            thread::spawn(move || assert_eq!(sem.release(1), Status::Ok))
        };
        let closer = {
            let port = port.clone();
            thread::spawn(move || port.close())
        };
        let cancelled = op.cancel();
        releaser.join().unwrap();
        closer.join().unwrap();
        // A completion still queued in the port is impossible (closed); run it anyway.
        assert_eq!(port.run(8), 0);
        let calls = calls.load(Ordering::SeqCst);
        match cancelled {
            Status::Ok => {
                assert_eq!(calls, 1, "the owner's callback heard Ok once");
                assert_eq!(sem.value(), 0);
            }
            _ => {
                assert_eq!(calls, 100, "the callback heard Cancelled once");
                assert_eq!(sem.value(), 1);
            }
        }
    });
}

/// Two ops on one port, their grants posted by two releases while the port closes: each
/// completion is either taken by a poll before the close (then its permit is the
/// poller's) or given back; permits balance either way.
#[test]
fn port_two_posts_race_close() {
    model("port_two_posts_race_close", || {
        let sem = Arc::new(Semaphore::new(0, None).unwrap());
        let port = Port::new().unwrap();
        let ops: Vec<_> = (0..2)
            .map(|_| pending(sem.acquire_async(Some(&port), None, no_arg())))
            .collect();
        let releaser = {
            let sem = sem.clone();
            thread::spawn(move || assert_eq!(sem.release(2), Status::Ok))
        };
        let taken = poll_all(&port);
        port.close();
        releaser.join().unwrap();
        assert!(taken.iter().all(|d| d.status == Status::Ok));
        let owned = ops.iter().filter(|op| op.status() == Status::Ok).count();
        assert_eq!(owned, taken.len(), "only polled grants are owned");
        assert_eq!(sem.value() as usize, 2 - owned, "permits balance");
        assert!(!port.fd_readable());
    });
}
