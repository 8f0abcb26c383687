//! Model checks of the primitives the other loom files leave out: events, countdowns,
//! limiters, flags and guards, each with its grant racing a cancel (or two users racing
//! each other). Run by `RUSTFLAGS="--cfg loom" cargo test --release --test loom_primitives`
//! (ctest's `loom_primitives`), preemption bound 2 (`LOOM_MAX_PREEMPTIONS`), 2-3 threads.
#![cfg(loom)]

use std::ffi::c_void;
use std::sync::Arc;

use loom::thread;
use weft::{Countdown, Deadline, Event, Flag, Guard, Limiter, Port, Status};

mod loom_support;
use loom_support::{model, no_arg, pending, poll_all};

/// `set` decides every waiter at once: a blocking thread waiter returns `Ok`, and an async
/// waiter's cancel racing the set either wins (`Cancelled` delivered) or answers `Ok`
/// (the set won); one completion either way.
#[test]
fn event_set_races_a_thread_waiter_and_a_cancel() {
    model("event_set_races_a_thread_waiter_and_a_cancel", || {
        let event = Arc::new(Event::new());
        let port = Port::new().unwrap();
        let op = pending(event.wait_async(Some(&port), None, no_arg()));
        let waiter = {
            let event = event.clone();
            thread::spawn(move || assert_eq!(event.wait(Deadline::Never), Status::Ok))
        };
        let setter = {
            let event = event.clone();
            thread::spawn(move || event.set())
        };
        let answer = op.cancel();
        setter.join().unwrap();
        waiter.join().unwrap();
        let delivered = poll_all(&port);
        assert_eq!(delivered.len(), 1, "one completion");
        assert_eq!(delivered[0].status, answer);
        assert!(matches!(answer, Status::Ok | Status::Cancelled));
        assert_eq!(event.waiting(), 0);
    });
}

/// The countdown reaching zero races a waiter's cancel: the waiter completes once, with
/// the status its cancel was told, and nobody is left waiting.
#[test]
fn countdown_reaching_zero_races_a_cancel() {
    model("countdown_reaching_zero_races_a_cancel", || {
        let countdown = Arc::new(Countdown::new(1).unwrap());
        let port = Port::new().unwrap();
        let op = pending(countdown.wait_async(Some(&port), None, no_arg()));
        let downer = {
            let countdown = countdown.clone();
            thread::spawn(move || assert_eq!(countdown.down(), Status::Ok))
        };
        let answer = op.cancel();
        downer.join().unwrap();
        let delivered = poll_all(&port);
        assert_eq!(delivered.len(), 1);
        assert_eq!(delivered[0].status, answer);
        assert_eq!(countdown.value(), 0);
        assert_eq!(countdown.waiting(), 0);
    });
}

/// A token released by its borrower races the next owner's cancel: the token goes to
/// the waiter (its cancel answers `Ok`) or stays free (`Cancelled`); never lost, never
/// given twice.
#[test]
fn limiter_release_races_a_cancel() {
    model("limiter_release_races_a_cancel", || {
        let limiter = Arc::new(Limiter::new(1, false).unwrap());
        let port = Port::new().unwrap();
        assert_eq!(limiter.try_acquire(1, 1), Status::Ok);
        let op = pending(limiter.acquire_async(2, 1, Some(&port), None, no_arg()));
        let releaser = {
            let limiter = limiter.clone();
            thread::spawn(move || assert_eq!(limiter.release(1, 1), Status::Ok))
        };
        let answer = op.cancel();
        releaser.join().unwrap();
        assert_eq!(poll_all(&port).len(), 1);
        match answer {
            Status::Ok => {
                assert_eq!(limiter.held_by(2), 1);
                assert_eq!(limiter.counts(), (1, 1, 0));
            }
            Status::Cancelled => assert_eq!(limiter.counts(), (1, 0, 0), "the token stayed free"),
            other => panic!("unexpected {other:?}"),
        }
    });
}

/// One owner with two acquires in line (the leak the property tests found): whatever the
/// order of the release and the first acquire's cancel, the plain limiter ends with one
/// token borrowed by owner 2 and its books balanced; the second acquire is granted (the
/// first was cancelled) or refused `Deadlock` (the first holds the token).
#[test]
fn limiter_same_owner_twice_races_a_cancel() {
    model("limiter_same_owner_twice_races_a_cancel", || {
        let limiter = Arc::new(Limiter::new(1, false).unwrap());
        let port = Port::new().unwrap();
        assert_eq!(limiter.try_acquire(1, 1), Status::Ok);
        let first = pending(limiter.acquire_async(2, 1, Some(&port), None, 1 as *mut c_void));
        let _second = pending(limiter.acquire_async(2, 1, Some(&port), None, 2 as *mut c_void));
        let releaser = {
            let limiter = limiter.clone();
            thread::spawn(move || assert_eq!(limiter.release(1, 1), Status::Ok))
        };
        let answer = first.cancel();
        releaser.join().unwrap();
        let delivered = poll_all(&port);
        assert_eq!(delivered.len(), 2, "both acquires completed");
        let second = delivered
            .iter()
            .find(|d| d.arg as usize == 2)
            .unwrap()
            .status;
        match answer {
            Status::Ok => assert_eq!(second, Status::Deadlock),
            Status::Cancelled => assert_eq!(second, Status::Ok),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(limiter.held_by(2), 1);
        assert_eq!(limiter.counts(), (1, 1, 0), "one token, one borrower");
        assert_eq!(limiter.release(2, 1), Status::Ok);
        assert_eq!(limiter.counts(), (1, 0, 0));
    });
}

/// Two writers race for a flag and two users for a guard: exactly one of each wins.
#[test]
fn flag_and_guard_have_one_winner() {
    model("flag_and_guard_have_one_winner", || {
        let flag = Arc::new(Flag::new());
        let guard = Arc::new(Guard::new());
        let other = {
            let (flag, guard) = (flag.clone(), guard.clone());
            thread::spawn(move || (flag.set(2 as *mut c_void), guard.enter()))
        };
        let (mine_set, mine_entered) = (flag.set(1 as *mut c_void), guard.enter());
        let (other_set, other_entered) = other.join().unwrap();
        assert!(mine_set != other_set, "one flag writer wins");
        let winner = if mine_set { 1 } else { 2 };
        assert_eq!(flag.get(), Some(winner as *mut c_void));
        let entered = [mine_entered, other_entered];
        assert_eq!(entered.iter().filter(|s| **s == Status::Ok).count(), 1);
        assert_eq!(entered.iter().filter(|s| **s == Status::Busy).count(), 1);
        assert!(guard.in_use());
        assert_eq!(guard.exit(), Status::Ok);
    });
}
