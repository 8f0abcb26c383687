//! Round trips through the header's barriers, conditions, countdowns, events, flags,
//! guards and limiters, each with its blocking, async (port and callback) and query
//! faces.
use std::ffi::c_void;
use std::ptr::{dangling_mut, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

mod common;
use common::*;

// --- barriers

fn barrier_waiting(barrier: *mut weft_barrier) -> usize {
    let mut n = usize::MAX;
    unsafe { ok!(weft_barrier_waiting(barrier, &mut n)) };
    n
}

fn is_broken(barrier: *mut weft_barrier) -> bool {
    let mut broken = false;
    unsafe { ok!(weft_barrier_is_broken(barrier, &mut broken)) };
    broken
}

#[test]
fn barrier_round_trip() {
    let port = new_port();
    unsafe {
        let mut barrier = null_mut();
        ok!(weft_barrier_new(
            3,
            WEFT_BARRIER_RESETTABLE as u32,
            &mut barrier
        ));
        for _phase in 0..2 {
            // Arrival 0: async through the port; 1: a blocking thread; 2: this thread.
            let seen = Record::new();
            let mut op = null_mut();
            let mut index = u64::MAX;
            expect!(
                weft_barrier_wait_async(
                    barrier,
                    port,
                    Some(record),
                    seen.arg(),
                    &mut op,
                    &mut index
                ),
                WEFT_PENDING
            );
            assert_eq!(index, u64::MAX, "index_out written for a pending arrival");
            let shared = Shared(barrier);
            let other = thread::spawn(move || {
                let mut index = u64::MAX;
                ok!(weft_barrier_wait(shared.get(), WEFT_FOREVER, &mut index));
                index
            });
            eventually("the thread's arrival", || barrier_waiting(barrier) == 2);
            ok!(weft_barrier_wait(barrier, WEFT_FOREVER, &mut index));
            assert_eq!(index, 2);
            assert_eq!(other.join().unwrap(), 1);
            assert_eq!(barrier_waiting(barrier), 0);
            let mut ran = 0;
            ok!(weft_port_run(port, 8, &mut ran));
            assert_eq!(ran, 1);
            seen.called_once_with(WEFT_OK);
            let mut value = u64::MAX;
            ok!(weft_op_value(op, &mut value));
            assert_eq!(value, 0, "the async arrival's index");
            ok!(weft_op_free(op));
        }

        // An async arrival that completes the phase: WEFT_OK at once, its index, no op.
        let mut index = u64::MAX;
        let mut op = null_mut();
        expect!(
            weft_barrier_wait_async(barrier, port, None, tag(1), &mut op, &mut index),
            WEFT_PENDING
        );
        let first = op;
        expect!(
            weft_barrier_wait_async(barrier, port, None, tag(2), &mut op, &mut index),
            WEFT_PENDING
        );
        let second = op;
        op = dangling_mut();
        ok!(weft_barrier_wait_async(
            barrier,
            port,
            None,
            tag(3),
            &mut op,
            &mut index
        ));
        assert!(op.is_null());
        assert_eq!(index, 2);
        assert_eq!(pull(port), vec![(tag(1), WEFT_OK), (tag(2), WEFT_OK)]);
        for (op, expected) in [(first, 0), (second, 1)] {
            let mut value = u64::MAX;
            ok!(weft_op_value(op, &mut value));
            assert_eq!(value, expected);
            ok!(weft_op_free(op));
        }

        // A timeout breaks the barrier for everyone; a reset repairs it.
        let seen = Record::new();
        expect!(
            weft_barrier_wait_async(
                barrier,
                null_mut(),
                Some(record),
                seen.arg(),
                null_mut(),
                null_mut()
            ),
            WEFT_PENDING
        );
        expect!(
            weft_barrier_wait(barrier, WEFT_MS, null_mut()),
            WEFT_TIMEOUT
        );
        seen.called_once_with(WEFT_BROKEN);
        assert!(is_broken(barrier));
        expect!(
            weft_barrier_wait(barrier, WEFT_FOREVER, null_mut()),
            WEFT_BROKEN
        );
        expect!(
            weft_barrier_wait_async(barrier, port, None, null_mut(), null_mut(), null_mut()),
            WEFT_BROKEN
        );
        ok!(weft_barrier_reset(barrier));
        assert!(!is_broken(barrier));

        // Abort: the waiter gets WEFT_BROKEN through the port.
        let mut op = null_mut();
        expect!(
            weft_barrier_wait_async(barrier, port, None, tag(9), &mut op, null_mut()),
            WEFT_PENDING
        );
        ok!(weft_barrier_abort(barrier));
        assert!(is_broken(barrier));
        assert_eq!(pull(port), vec![(tag(9), WEFT_BROKEN)]);
        assert_eq!(name(op_status(op)), "WEFT_BROKEN");
        ok!(weft_op_free(op));
        ok!(weft_barrier_clone(barrier));
        ok!(weft_barrier_free(barrier));
        ok!(weft_barrier_free(barrier));

        // A latch stays open once passed; a cyclic barrier's cancelled arrival breaks it.
        let mut latch = null_mut();
        ok!(weft_barrier_new(1, WEFT_BARRIER_LATCH as u32, &mut latch));
        ok!(weft_barrier_wait(latch, 0, null_mut()));
        ok!(weft_barrier_wait(latch, 0, null_mut()));
        ok!(weft_barrier_free(latch));
        let mut cyclic = null_mut();
        ok!(weft_barrier_new(2, WEFT_BARRIER_CYCLIC as u32, &mut cyclic));
        expect!(
            weft_barrier_wait_async(cyclic, port, None, null_mut(), &mut op, null_mut()),
            WEFT_PENDING
        );
        expect!(weft_op_cancel(op), WEFT_CANCELLED);
        assert!(is_broken(cyclic));
        assert_eq!(pull(port), vec![(null_mut(), WEFT_CANCELLED)]);
        ok!(weft_op_free(op));
        expect!(weft_barrier_reset(cyclic), WEFT_INVALID);
        ok!(weft_barrier_free(cyclic));
        ok!(weft_port_free(port));
    }
}

// --- conditions

fn cond_waiting(cond: *mut weft_cond) -> usize {
    let mut n = usize::MAX;
    unsafe { ok!(weft_cond_waiting(cond, &mut n)) };
    n
}

fn lock_owner(lock: *mut weft_lock) -> u64 {
    let mut owner = u64::MAX;
    unsafe { ok!(weft_lock_owner(lock, &mut owner)) };
    owner
}

#[test]
fn condition_round_trip() {
    let port = new_port();
    unsafe {
        let mut lock = null_mut();
        ok!(weft_lock_new(WEFT_LOCK_FIFO as u32, &mut lock));
        let mut cond = null_mut();
        ok!(weft_cond_new(lock, &mut cond));
        // The condition holds its own reference to the lock.
        ok!(weft_lock_clone(lock));
        ok!(weft_lock_free(lock));

        // Not holding the lock.
        expect!(weft_cond_wait(cond, 0), WEFT_NOT_OWNER);
        let owner = new_owner();
        expect!(
            weft_cond_wait_async(cond, owner, port, None, null_mut(), null_mut()),
            WEFT_NOT_OWNER
        );
        // A zero timeout: WEFT_TIMEOUT at once, holding the lock again.
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        expect!(weft_cond_wait(cond, 0), WEFT_TIMEOUT);
        expect!(weft_cond_wait(cond, WEFT_MS), WEFT_TIMEOUT);
        assert_eq!(lock_owner(lock), thread_owner());
        ok!(weft_lock_release(lock));

        // A blocking waiter on another thread, woken by notify_all.
        let shared = Shared(cond);
        let lock_shared = Shared(lock);
        let waiter = thread::spawn(move || {
            let me = thread_owner();
            ok!(weft_lock_acquire(lock_shared.get(), WEFT_FOREVER));
            ok!(weft_cond_wait(shared.get(), WEFT_FOREVER));
            assert_eq!(lock_owner(lock_shared.get()), me, "woke without the lock");
            ok!(weft_lock_release(lock_shared.get()));
        });
        eventually("the thread's wait", || cond_waiting(cond) == 1);
        // An async waiter, as a task holding the lock.
        ok!(weft_lock_acquire_as(lock, owner, WEFT_FOREVER));
        let seen = Record::new();
        let mut op = null_mut();
        expect!(
            weft_cond_wait_async(cond, owner, port, Some(record), seen.arg(), &mut op),
            WEFT_PENDING
        );
        assert_eq!(lock_owner(lock), 0, "the async wait released the lock");
        assert_eq!(cond_waiting(cond), 2);

        // Take the lock, notify both: they move into the lock's line.
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        let mut woken = usize::MAX;
        ok!(weft_cond_notify_all(cond, &mut woken));
        assert_eq!(woken, 2);
        assert_eq!(cond_waiting(cond), 0);
        let mut in_line = 0;
        ok!(weft_lock_waiting(lock, &mut in_line));
        assert_eq!(in_line, 2);
        assert_eq!(
            name(op_status(op)),
            "WEFT_PENDING",
            "granted before holding the lock"
        );
        ok!(weft_lock_release(lock));
        waiter.join().unwrap();
        // The thread released: the async waiter holds the lock now.
        assert_eq!(lock_owner(lock), owner);
        ok!(weft_port_run(port, 8, null_mut()));
        seen.called_once_with(WEFT_OK);
        ok!(weft_op_free(op));
        ok!(weft_lock_release_as(lock, owner));

        // notify(n): one of two; a cancelled async waiter ends without the lock.
        ok!(weft_lock_acquire_as(lock, owner, WEFT_FOREVER));
        expect!(
            weft_cond_wait_async(cond, owner, port, None, tag(1), &mut op),
            WEFT_PENDING
        );
        let first = op;
        let other = new_owner();
        ok!(weft_lock_acquire_as(lock, other, WEFT_FOREVER));
        expect!(
            weft_cond_wait_async(cond, other, port, None, tag(2), &mut op),
            WEFT_PENDING
        );
        let second = op;
        ok!(weft_cond_notify(cond, 1, &mut woken));
        assert_eq!(woken, 1);
        assert_eq!(pull(port), vec![(tag(1), WEFT_OK)]);
        assert_eq!(lock_owner(lock), owner);
        expect!(weft_op_cancel(second), WEFT_CANCELLED);
        assert_eq!(pull(port), vec![(tag(2), WEFT_CANCELLED)]);
        assert_eq!(lock_owner(lock), owner, "a cancelled wait took the lock");
        ok!(weft_lock_release_as(lock, owner));
        ok!(weft_cond_notify(cond, 5, &mut woken));
        assert_eq!(woken, 0);
        ok!(weft_op_free(first));
        ok!(weft_op_free(second));

        ok!(weft_cond_clone(cond));
        ok!(weft_cond_free(cond));
        ok!(weft_lock_free(lock));
        ok!(weft_cond_free(cond)); // and the lock goes with it

        // Lockless: a wait only waits for a notify.
        ok!(weft_cond_new(null_mut(), &mut cond));
        expect!(weft_cond_wait_as(cond, owner, WEFT_MS), WEFT_TIMEOUT);
        let shared = Shared(cond);
        let waiter = thread::spawn(move || weft_cond_wait_as(shared.get(), 42, WEFT_FOREVER));
        eventually("the lockless wait", || cond_waiting(cond) == 1);
        ok!(weft_cond_notify(cond, 1, null_mut()));
        ok!(waiter.join().unwrap());
        ok!(weft_cond_free(cond));

        // Bound to a reentrant lock: the depth is restored on wake.
        let mut rlock = null_mut();
        ok!(weft_rlock_new(WEFT_LOCK_FIFO as u32, &mut rlock));
        ok!(weft_cond_new_reentrant(rlock, &mut cond));
        ok!(weft_rlock_acquire_as(rlock, owner, 3, WEFT_FOREVER));
        expect!(
            weft_cond_wait_async(cond, owner, port, None, null_mut(), &mut op),
            WEFT_PENDING
        );
        let mut held = u64::MAX;
        ok!(weft_rlock_count(rlock, owner, &mut held));
        assert_eq!(held, 0);
        ok!(weft_cond_notify_all(cond, null_mut()));
        assert_eq!(pull(port), vec![(null_mut(), WEFT_OK)]);
        ok!(weft_rlock_count(rlock, owner, &mut held));
        assert_eq!(held, 3);
        ok!(weft_rlock_release_as(rlock, owner, 3));
        ok!(weft_op_free(op));
        ok!(weft_cond_free(cond));
        ok!(weft_rlock_free(rlock));
        ok!(weft_port_free(port));
    }
}

// --- countdowns

fn countdown_value(countdown: *mut weft_countdown) -> u64 {
    let mut v = u64::MAX;
    unsafe { ok!(weft_countdown_value(countdown, &mut v)) };
    v
}

fn countdown_waiting(countdown: *mut weft_countdown) -> usize {
    let mut n = usize::MAX;
    unsafe { ok!(weft_countdown_waiting(countdown, &mut n)) };
    n
}

#[test]
fn countdown_round_trip() {
    let port = new_port();
    unsafe {
        let mut cd = null_mut();
        ok!(weft_countdown_new(2, &mut cd));
        assert_eq!(countdown_value(cd), 2);
        expect!(weft_countdown_wait(cd, 0), WEFT_WOULD_BLOCK);
        expect!(weft_countdown_wait(cd, WEFT_MS), WEFT_TIMEOUT);
        let (r1, r2) = (Record::new(), Record::new());
        let mut op = null_mut();
        expect!(
            weft_countdown_wait_async(cd, port, Some(record), r1.arg(), &mut op),
            WEFT_PENDING
        );
        expect!(
            weft_countdown_wait_async(cd, null_mut(), Some(record), r2.arg(), null_mut()),
            WEFT_PENDING
        );
        let shared = Shared(cd);
        let waiter = thread::spawn(move || weft_countdown_wait(shared.get(), WEFT_FOREVER));
        eventually("the thread's wait", || countdown_waiting(cd) == 3);
        ok!(weft_countdown_down(cd));
        ok!(weft_countdown_up(cd, 2));
        assert_eq!(countdown_value(cd), 3);
        for _ in 0..3 {
            assert_eq!(r2.calls(), 0);
            ok!(weft_countdown_down(cd));
        }
        r2.called_once_with(WEFT_OK);
        ok!(waiter.join().unwrap());
        assert_eq!(pull(port), vec![(r1.arg(), WEFT_OK)]);
        assert_eq!(r1.calls(), 0);
        ok!(weft_op_free(op));
        assert_eq!(countdown_waiting(cd), 0);
        expect!(weft_countdown_down(cd), WEFT_OVERFLOW);
        assert_eq!(countdown_value(cd), 0);
        ok!(weft_countdown_wait(cd, 0));
        op = dangling_mut();
        ok!(weft_countdown_wait_async(
            cd,
            port,
            None,
            null_mut(),
            &mut op
        ));
        assert!(op.is_null());

        // Bounds: INT64_MAX at most.
        ok!(weft_countdown_up(cd, i64::MAX as u64));
        expect!(weft_countdown_up(cd, 1), WEFT_OVERFLOW);
        assert_eq!(countdown_value(cd), i64::MAX as u64);
        // clear: straight to zero, waking everyone.
        expect!(
            weft_countdown_wait_async(cd, port, None, tag(5), &mut op),
            WEFT_PENDING
        );
        ok!(weft_countdown_clear(cd));
        assert_eq!(countdown_value(cd), 0);
        assert_eq!(pull(port), vec![(tag(5), WEFT_OK)]);
        ok!(weft_op_free(op));
        ok!(weft_countdown_clone(cd));
        ok!(weft_countdown_free(cd));
        ok!(weft_countdown_free(cd));
        ok!(weft_countdown_new(i64::MAX, &mut cd));
        ok!(weft_countdown_free(cd));
        ok!(weft_port_free(port));
    }
}

// --- events

fn event_is_set(event: *mut weft_event) -> bool {
    let mut set = false;
    unsafe { ok!(weft_event_is_set(event, &mut set)) };
    set
}

fn event_waiting(event: *mut weft_event) -> usize {
    let mut n = usize::MAX;
    unsafe { ok!(weft_event_waiting(event, &mut n)) };
    n
}

#[test]
fn event_round_trip() {
    let port = new_port();
    unsafe {
        for flags in [WEFT_EVENT_ONE_TIME, WEFT_EVENT_REUSABLE] {
            let mut event = null_mut();
            ok!(weft_event_new(flags as u32, &mut event));
            assert!(!event_is_set(event));
            expect!(weft_event_wait(event, 0), WEFT_WOULD_BLOCK);
            expect!(weft_event_wait(event, WEFT_MS), WEFT_TIMEOUT);
            let (r1, r2) = (Record::new(), Record::new());
            let mut op = null_mut();
            expect!(
                weft_event_wait_async(event, port, Some(record), r1.arg(), &mut op),
                WEFT_PENDING
            );
            expect!(
                weft_event_wait_async(event, null_mut(), Some(record), r2.arg(), null_mut()),
                WEFT_PENDING
            );
            let shared = Shared(event);
            let waiter = thread::spawn(move || weft_event_wait(shared.get(), WEFT_FOREVER));
            eventually("the thread's wait", || event_waiting(event) == 3);
            let mut woken = usize::MAX;
            ok!(weft_event_set(event, &mut woken));
            assert_eq!(woken, 3);
            r2.called_once_with(WEFT_OK);
            assert_eq!(r2.thread(), Some(thread::current().id()));
            ok!(waiter.join().unwrap());
            assert_eq!(pull(port), vec![(r1.arg(), WEFT_OK)]);
            ok!(weft_op_free(op));
            assert!(event_is_set(event));
            ok!(weft_event_set(event, &mut woken));
            assert_eq!(woken, 0, "setting a set event wakes nobody");
            ok!(weft_event_wait(event, 0));
            ok!(weft_event_wait(event, WEFT_FOREVER));
            op = dangling_mut();
            ok!(weft_event_wait_async(
                event,
                port,
                None,
                null_mut(),
                &mut op
            ));
            assert!(op.is_null());
            if flags == WEFT_EVENT_ONE_TIME {
                expect!(weft_event_clear(event), WEFT_INVALID);
                assert!(event_is_set(event));
            } else {
                ok!(weft_event_clear(event));
                assert!(!event_is_set(event));
                expect!(weft_event_wait(event, 0), WEFT_WOULD_BLOCK);
                // A cancelled waiter is not woken by a later set.
                expect!(
                    weft_event_wait_async(event, port, None, tag(3), &mut op),
                    WEFT_PENDING
                );
                expect!(weft_op_cancel(op), WEFT_CANCELLED);
                ok!(weft_event_set(event, &mut woken));
                assert_eq!(woken, 0);
                assert_eq!(pull(port), vec![(tag(3), WEFT_CANCELLED)]);
                ok!(weft_op_free(op));
            }
            ok!(weft_event_clone(event));
            ok!(weft_event_free(event));
            ok!(weft_event_free(event));
        }
        ok!(weft_port_free(port));
    }
}

// --- flags and guards

fn flag_get(flag: *mut weft_flag) -> Option<*mut c_void> {
    let mut set = false;
    let mut value: *mut c_void = dangling_mut();
    unsafe { ok!(weft_flag_get(flag, &mut set, &mut value)) };
    if !set {
        assert_eq!(value, dangling_mut(), "value_out written for an empty flag");
    }
    set.then_some(value)
}

#[test]
fn flag_round_trip() {
    unsafe {
        let mut flag = null_mut();
        ok!(weft_flag_new(&mut flag));
        assert_eq!(flag_get(flag), None);
        let mut won = false;
        ok!(weft_flag_set(flag, tag(1), &mut won));
        assert!(won);
        ok!(weft_flag_set(flag, tag(2), &mut won));
        assert!(!won);
        assert_eq!(flag_get(flag), Some(tag(1)));
        let mut was = false;
        ok!(weft_flag_clear(flag, &mut was));
        assert!(was);
        ok!(weft_flag_clear(flag, &mut was));
        assert!(!was);
        // NULL is a value like any other.
        ok!(weft_flag_set(flag, null_mut(), &mut won));
        assert!(won);
        assert_eq!(flag_get(flag), Some(null_mut()));
        ok!(weft_flag_clear(flag, null_mut()));

        // Racing setters: exactly one wins, and its value is stored.
        let winners = AtomicUsize::new(0);
        let shared = Shared(flag);
        let winner = AtomicUsize::new(0);
        thread::scope(|s| {
            for i in 1..=8usize {
                let (winners, winner) = (&winners, &winner);
                s.spawn(move || {
                    let mut won = false;
                    ok!(weft_flag_set(shared.get(), tag(i), &mut won));
                    if won {
                        winners.fetch_add(1, Ordering::SeqCst);
                        winner.store(i, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(winners.load(Ordering::SeqCst), 1);
        assert_eq!(flag_get(flag), Some(tag(winner.load(Ordering::SeqCst))));
        ok!(weft_flag_clone(flag));
        ok!(weft_flag_free(flag));
        ok!(weft_flag_free(flag));
    }
}

#[test]
fn guard_round_trip() {
    unsafe {
        let mut guard = null_mut();
        ok!(weft_guard_new(&mut guard));
        let mut in_use = true;
        ok!(weft_guard_in_use(guard, &mut in_use));
        assert!(!in_use);
        expect!(weft_guard_exit(guard), WEFT_NOT_LOCKED);
        ok!(weft_guard_enter(guard));
        expect!(weft_guard_enter(guard), WEFT_BUSY);
        ok!(weft_guard_in_use(guard, &mut in_use));
        assert!(in_use);
        // No owner: another thread may end the use.
        let shared = Shared(guard);
        ok!(thread::spawn(move || weft_guard_exit(shared.get()))
            .join()
            .unwrap());
        ok!(weft_guard_in_use(guard, &mut in_use));
        assert!(!in_use);
        ok!(weft_guard_enter(guard));
        ok!(weft_guard_exit(guard));
        ok!(weft_guard_clone(guard));
        ok!(weft_guard_free(guard));
        ok!(weft_guard_free(guard));
    }
}

// --- limiters

fn counts(limiter: *mut weft_limiter) -> (u64, u64, usize) {
    let (mut total, mut borrowed, mut waiting) = (u64::MAX, u64::MAX, usize::MAX);
    unsafe {
        ok!(weft_limiter_counts(
            limiter,
            &mut total,
            &mut borrowed,
            &mut waiting
        ))
    };
    (total, borrowed, waiting)
}

fn held(limiter: *mut weft_limiter, owner: u64) -> u64 {
    let mut n = u64::MAX;
    unsafe { ok!(weft_limiter_held(limiter, owner, &mut n)) };
    n
}

#[test]
fn limiter_round_trip() {
    let port = new_port();
    let me = thread_owner();
    unsafe {
        let mut lim = null_mut();
        ok!(weft_limiter_new(2, WEFT_LIMITER_PLAIN as u32, &mut lim));
        assert_eq!(counts(lim), (2, 0, 0));
        let (a, b) = (new_owner(), new_owner());
        ok!(weft_limiter_acquire_as(lim, a, 1, 0));
        expect!(weft_limiter_acquire_as(lim, a, 1, 0), WEFT_DEADLOCK);
        ok!(weft_limiter_acquire(lim, 1, WEFT_FOREVER));
        assert_eq!(held(lim, me), 1);
        assert_eq!(held(lim, a), 1);
        assert_eq!(held(lim, b), 0);
        expect!(weft_limiter_acquire_as(lim, b, 1, 0), WEFT_WOULD_BLOCK);
        expect!(weft_limiter_acquire_as(lim, b, 1, WEFT_MS), WEFT_TIMEOUT);
        assert_eq!(counts(lim), (2, 2, 0));

        // b waits through the port; a thread waits blocking; a callback waiter.
        let (rb, rc) = (Record::new(), Record::new());
        let mut op = null_mut();
        expect!(
            weft_limiter_acquire_async(lim, b, 1, port, Some(record), rb.arg(), &mut op),
            WEFT_PENDING
        );
        let shared = Shared(lim);
        let blocked = thread::spawn(move || {
            ok!(weft_limiter_acquire(shared.get(), 1, WEFT_FOREVER));
            ok!(weft_limiter_release(shared.get(), 1));
        });
        eventually("the thread in line", || counts(lim).2 == 2);
        let c = new_owner();
        let mut op_c = null_mut();
        expect!(
            weft_limiter_acquire_async(lim, c, 1, null_mut(), Some(record), rc.arg(), &mut op_c),
            WEFT_PENDING
        );
        assert_eq!(counts(lim), (2, 2, 3));
        expect!(weft_limiter_release_as(lim, b, 1), WEFT_NOT_OWNER);
        ok!(weft_limiter_release_as(lim, a, 1));
        assert_eq!(pull(port), vec![(rb.arg(), WEFT_OK)]);
        assert_eq!(held(lim, b), 1);
        ok!(weft_op_free(op));
        // Growing the total hands a token to the next waiter (the thread) at once.
        ok!(weft_limiter_set_total(lim, 3));
        blocked.join().unwrap(); // it released: the token went on to c
        rc.called_once_with(WEFT_OK);
        assert_eq!(held(lim, c), 1);
        ok!(weft_op_free(op_c));
        // Shrinking lets borrowers finish.
        ok!(weft_limiter_set_total(lim, 1));
        assert_eq!(counts(lim), (1, 3, 0));
        ok!(weft_limiter_release(lim, 1));
        ok!(weft_limiter_release_as(lim, b, 1));
        ok!(weft_limiter_release_as(lim, c, 1));
        assert_eq!(counts(lim), (1, 0, 0));
        op = dangling_mut();
        ok!(weft_limiter_acquire_async(
            lim,
            a,
            1,
            port,
            None,
            null_mut(),
            &mut op
        ));
        assert!(op.is_null());
        ok!(weft_limiter_release_as(lim, a, 1));
        ok!(weft_limiter_clone(lim));
        ok!(weft_limiter_free(lim));
        ok!(weft_limiter_free(lim));

        // Reentrant: counts add up and must all be released.
        ok!(weft_limiter_new(1, WEFT_LIMITER_REENTRANT as u32, &mut lim));
        ok!(weft_limiter_acquire_as(lim, a, 2, 0));
        ok!(weft_limiter_acquire_as(lim, a, 3, WEFT_FOREVER));
        assert_eq!(held(lim, a), 5);
        assert_eq!(counts(lim), (1, 1, 0));
        expect!(weft_limiter_release_as(lim, a, 6), WEFT_OVERFLOW);
        assert_eq!(held(lim, a), 5);
        ok!(weft_limiter_release_as(lim, a, 4));
        expect!(weft_limiter_acquire_as(lim, b, 1, 0), WEFT_WOULD_BLOCK);
        ok!(weft_limiter_release_as(lim, a, 1));
        assert_eq!(counts(lim), (1, 0, 0));
        ok!(weft_limiter_free(lim));

        // Total 0: nobody passes until it grows; a cancelled waiter is skipped.
        ok!(weft_limiter_new(0, WEFT_LIMITER_PLAIN as u32, &mut lim));
        expect!(
            weft_limiter_acquire_async(lim, a, 1, port, None, tag(1), &mut op),
            WEFT_PENDING
        );
        let first = op;
        expect!(
            weft_limiter_acquire_async(lim, b, 1, port, None, tag(2), &mut op),
            WEFT_PENDING
        );
        expect!(weft_op_cancel(first), WEFT_CANCELLED);
        ok!(weft_limiter_set_total(lim, 1));
        assert_eq!(
            pull(port),
            vec![(tag(1), WEFT_CANCELLED), (tag(2), WEFT_OK)]
        );
        assert_eq!(held(lim, b), 1);
        ok!(weft_limiter_release_as(lim, b, 1));
        ok!(weft_op_free(first));
        ok!(weft_op_free(op));
        ok!(weft_limiter_free(lim));
        ok!(weft_port_free(port));
    }
}

/// Timing: a blocking wait with a timeout returns no earlier than asked.
#[test]
fn timeouts_are_nanoseconds() {
    unsafe {
        let mut event = null_mut();
        ok!(weft_event_new(WEFT_EVENT_ONE_TIME as u32, &mut event));
        let start = std::time::Instant::now();
        expect!(weft_event_wait(event, 20 * WEFT_MS), WEFT_TIMEOUT);
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(20), "{waited:?}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
        ok!(weft_event_free(event));
    }
}
