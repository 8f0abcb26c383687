//! Every function of the header with NULL handles, NULL out-pointers and out-of-range
//! arguments: `WEFT_INVALID`, and (the header's convention) nothing written, nothing
//! changed.
use std::ffi::c_void;
use std::ptr::{self, null, null_mut};

mod common;
use common::*;

/// A recognisable value for out-parameters that must stay untouched.
const SENTINEL: u64 = 0x5EA7_5EA7;

fn dangling<T>() -> *mut T {
    ptr::dangling_mut()
}

/// Creating functions: a NULL out-pointer, and out-of-range arguments with the
/// out-pointer left as it was.
#[test]
fn constructors() {
    unsafe {
        expect!(
            weft_lock_new(WEFT_LOCK_FIFO as u32, null_mut()),
            WEFT_INVALID
        );
        expect!(
            weft_rlock_new(WEFT_LOCK_FIFO as u32, null_mut()),
            WEFT_INVALID
        );
        expect!(weft_sem_new(0, -1, null_mut()), WEFT_INVALID);
        expect!(weft_port_new(null_mut()), WEFT_INVALID);
        expect!(
            weft_barrier_new(1, WEFT_BARRIER_LATCH as u32, null_mut()),
            WEFT_INVALID
        );
        expect!(weft_cond_new(null_mut(), null_mut()), WEFT_INVALID);
        expect!(
            weft_cond_new_reentrant(null_mut(), null_mut()),
            WEFT_INVALID
        );
        expect!(weft_countdown_new(0, null_mut()), WEFT_INVALID);
        expect!(
            weft_event_new(WEFT_EVENT_ONE_TIME as u32, null_mut()),
            WEFT_INVALID
        );
        expect!(weft_flag_new(null_mut()), WEFT_INVALID);
        expect!(weft_guard_new(null_mut()), WEFT_INVALID);
        expect!(
            weft_limiter_new(1, WEFT_LIMITER_PLAIN as u32, null_mut()),
            WEFT_INVALID
        );

        let mut lock = dangling::<weft_lock>();
        expect!(weft_lock_new(2, &mut lock), WEFT_INVALID);
        expect!(weft_lock_new(u32::MAX, &mut lock), WEFT_INVALID);
        assert_eq!(lock, dangling());
        let mut rlock = dangling::<weft_rlock>();
        expect!(weft_rlock_new(2, &mut rlock), WEFT_INVALID);
        assert_eq!(rlock, dangling());
        let mut sem = dangling::<weft_sem>();
        expect!(weft_sem_new(-1, -1, &mut sem), WEFT_INVALID);
        expect!(weft_sem_new(3, 2, &mut sem), WEFT_INVALID);
        expect!(weft_sem_new(i64::MIN, 0, &mut sem), WEFT_INVALID);
        assert_eq!(sem, dangling());
        let mut barrier = dangling::<weft_barrier>();
        expect!(
            weft_barrier_new(-1, WEFT_BARRIER_CYCLIC as u32, &mut barrier),
            WEFT_INVALID
        );
        expect!(weft_barrier_new(2, 3, &mut barrier), WEFT_INVALID);
        assert_eq!(barrier, dangling());
        let mut cond = dangling::<weft_cond>();
        expect!(weft_cond_new_reentrant(null_mut(), &mut cond), WEFT_INVALID);
        assert_eq!(cond, dangling());
        let mut countdown = dangling::<weft_countdown>();
        expect!(weft_countdown_new(-1, &mut countdown), WEFT_INVALID);
        assert_eq!(countdown, dangling());
        let mut event = dangling::<weft_event>();
        expect!(weft_event_new(2, &mut event), WEFT_INVALID);
        assert_eq!(event, dangling());
        let mut limiter = dangling::<weft_limiter>();
        expect!(
            weft_limiter_new(-1, WEFT_LIMITER_PLAIN as u32, &mut limiter),
            WEFT_INVALID
        );
        expect!(weft_limiter_new(1, 2, &mut limiter), WEFT_INVALID);
        assert_eq!(limiter, dangling());
        expect!(weft_thread_owner(null_mut()), WEFT_INVALID);
        expect!(weft_owner_new(null_mut()), WEFT_INVALID);
    }
}

/// Every function taking a handle, called with a NULL handle (and otherwise valid
/// arguments): `WEFT_INVALID`, out-parameters untouched, no callback.
#[test]
fn null_handles() {
    let seen = Record::new();
    let port = new_port();
    let cb: weft_callback = Some(record);
    let arg = seen.arg();
    let mut u = SENTINEL;
    let mut z = SENTINEL as usize;
    let mut b = true;
    let mut op = dangling::<weft_op>();
    let mut fd = 77;
    let mut status: weft_status = 77;
    let mut value: *mut c_void = dangling();
    let mut completions = [weft_completion {
        arg: dangling(),
        status: 77,
    }; 2];
    unsafe {
        // weft_lock
        expect!(weft_lock_clone(null_mut()), WEFT_INVALID);
        expect!(weft_lock_free(null_mut()), WEFT_INVALID);
        expect!(weft_lock_acquire(null_mut(), 0), WEFT_INVALID);
        expect!(weft_lock_acquire(null_mut(), WEFT_FOREVER), WEFT_INVALID);
        expect!(weft_lock_try_acquire(null_mut()), WEFT_INVALID);
        expect!(
            weft_lock_acquire_as(null_mut(), 1, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(
            weft_lock_acquire_async(null_mut(), 1, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_lock_release(null_mut()), WEFT_INVALID);
        expect!(weft_lock_release_as(null_mut(), 1), WEFT_INVALID);
        expect!(weft_lock_owner(null(), &mut u), WEFT_INVALID);
        expect!(weft_lock_waiting(null(), &mut z), WEFT_INVALID);
        // weft_rlock
        expect!(weft_rlock_clone(null_mut()), WEFT_INVALID);
        expect!(weft_rlock_free(null_mut()), WEFT_INVALID);
        expect!(
            weft_rlock_acquire(null_mut(), 1, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(weft_rlock_try_acquire(null_mut(), 1), WEFT_INVALID);
        expect!(
            weft_rlock_acquire_as(null_mut(), 1, 1, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(
            weft_rlock_acquire_async(null_mut(), 1, 1, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_rlock_release(null_mut(), 1), WEFT_INVALID);
        expect!(weft_rlock_release_as(null_mut(), 1, 1), WEFT_INVALID);
        expect!(weft_rlock_owner(null(), &mut u), WEFT_INVALID);
        expect!(weft_rlock_count(null(), 1, &mut u), WEFT_INVALID);
        expect!(weft_rlock_waiting(null(), &mut z), WEFT_INVALID);
        // weft_sem
        expect!(weft_sem_clone(null_mut()), WEFT_INVALID);
        expect!(weft_sem_free(null_mut()), WEFT_INVALID);
        expect!(weft_sem_acquire(null_mut(), WEFT_FOREVER), WEFT_INVALID);
        expect!(weft_sem_try_acquire(null_mut()), WEFT_INVALID);
        expect!(
            weft_sem_acquire_async(null_mut(), port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_sem_release(null_mut(), 1), WEFT_INVALID);
        expect!(weft_sem_value(null(), &mut u), WEFT_INVALID);
        expect!(weft_sem_waiting(null(), &mut z), WEFT_INVALID);
        // weft_op
        expect!(weft_op_cancel(null_mut()), WEFT_INVALID);
        expect!(weft_op_status(null(), &mut status), WEFT_INVALID);
        expect!(weft_op_wait(null(), 0), WEFT_INVALID);
        expect!(weft_op_value(null(), &mut u), WEFT_INVALID);
        expect!(weft_op_free(null_mut()), WEFT_INVALID);
        // weft_port
        expect!(weft_port_clone(null_mut()), WEFT_INVALID);
        expect!(weft_port_free(null_mut()), WEFT_INVALID);
        expect!(weft_port_fd(null(), &mut fd), WEFT_INVALID);
        expect!(weft_port_pending(null(), &mut z), WEFT_INVALID);
        expect!(
            weft_port_poll(null(), completions.as_mut_ptr(), 2, &mut z),
            WEFT_INVALID
        );
        expect!(weft_port_run(null(), 2, &mut z), WEFT_INVALID);
        expect!(weft_port_wait(null(), 0), WEFT_INVALID);
        expect!(weft_port_wait(null(), WEFT_FOREVER), WEFT_INVALID);
        expect!(weft_port_set_notify(null(), None, null_mut()), WEFT_INVALID);
        // weft_barrier
        expect!(weft_barrier_clone(null_mut()), WEFT_INVALID);
        expect!(weft_barrier_free(null_mut()), WEFT_INVALID);
        expect!(
            weft_barrier_wait(null_mut(), WEFT_FOREVER, &mut u),
            WEFT_INVALID
        );
        expect!(
            weft_barrier_wait_async(null_mut(), port, cb, arg, &mut op, &mut u),
            WEFT_INVALID
        );
        expect!(weft_barrier_abort(null_mut()), WEFT_INVALID);
        expect!(weft_barrier_reset(null_mut()), WEFT_INVALID);
        expect!(weft_barrier_is_broken(null(), &mut b), WEFT_INVALID);
        expect!(weft_barrier_waiting(null(), &mut z), WEFT_INVALID);
        // weft_cond
        expect!(weft_cond_clone(null_mut()), WEFT_INVALID);
        expect!(weft_cond_free(null_mut()), WEFT_INVALID);
        expect!(weft_cond_wait_as(null_mut(), 1, WEFT_FOREVER), WEFT_INVALID);
        expect!(weft_cond_wait(null_mut(), WEFT_FOREVER), WEFT_INVALID);
        expect!(
            weft_cond_wait_async(null_mut(), 1, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_cond_notify(null_mut(), 1, &mut z), WEFT_INVALID);
        expect!(weft_cond_notify_all(null_mut(), &mut z), WEFT_INVALID);
        expect!(weft_cond_waiting(null(), &mut z), WEFT_INVALID);
        // weft_countdown
        expect!(weft_countdown_clone(null_mut()), WEFT_INVALID);
        expect!(weft_countdown_free(null_mut()), WEFT_INVALID);
        expect!(weft_countdown_up(null_mut(), 1), WEFT_INVALID);
        expect!(weft_countdown_down(null_mut()), WEFT_INVALID);
        expect!(weft_countdown_clear(null_mut()), WEFT_INVALID);
        expect!(weft_countdown_value(null(), &mut u), WEFT_INVALID);
        expect!(weft_countdown_wait(null_mut(), WEFT_FOREVER), WEFT_INVALID);
        expect!(
            weft_countdown_wait_async(null_mut(), port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_countdown_waiting(null(), &mut z), WEFT_INVALID);
        // weft_event
        expect!(weft_event_clone(null_mut()), WEFT_INVALID);
        expect!(weft_event_free(null_mut()), WEFT_INVALID);
        expect!(weft_event_set(null_mut(), &mut z), WEFT_INVALID);
        expect!(weft_event_clear(null_mut()), WEFT_INVALID);
        expect!(weft_event_is_set(null(), &mut b), WEFT_INVALID);
        expect!(weft_event_wait(null_mut(), WEFT_FOREVER), WEFT_INVALID);
        expect!(
            weft_event_wait_async(null_mut(), port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_event_waiting(null(), &mut z), WEFT_INVALID);
        // weft_flag
        expect!(weft_flag_clone(null_mut()), WEFT_INVALID);
        expect!(weft_flag_free(null_mut()), WEFT_INVALID);
        expect!(weft_flag_set(null_mut(), arg, &mut b), WEFT_INVALID);
        expect!(weft_flag_get(null(), &mut b, &mut value), WEFT_INVALID);
        expect!(weft_flag_clear(null_mut(), &mut b), WEFT_INVALID);
        // weft_guard
        expect!(weft_guard_clone(null_mut()), WEFT_INVALID);
        expect!(weft_guard_free(null_mut()), WEFT_INVALID);
        expect!(weft_guard_enter(null_mut()), WEFT_INVALID);
        expect!(weft_guard_exit(null_mut()), WEFT_INVALID);
        expect!(weft_guard_in_use(null(), &mut b), WEFT_INVALID);
        // weft_limiter
        expect!(weft_limiter_clone(null_mut()), WEFT_INVALID);
        expect!(weft_limiter_free(null_mut()), WEFT_INVALID);
        expect!(
            weft_limiter_acquire_as(null_mut(), 1, 1, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(
            weft_limiter_acquire(null_mut(), 1, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(
            weft_limiter_acquire_async(null_mut(), 1, 1, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_limiter_release_as(null_mut(), 1, 1), WEFT_INVALID);
        expect!(weft_limiter_release(null_mut(), 1), WEFT_INVALID);
        expect!(weft_limiter_set_total(null_mut(), 1), WEFT_INVALID);
        expect!(
            weft_limiter_counts(null(), &mut u, &mut u, &mut z),
            WEFT_INVALID
        );
        expect!(weft_limiter_held(null(), 1, &mut u), WEFT_INVALID);
    }
    assert_eq!(
        (u, z, b, op, fd, status),
        (SENTINEL, SENTINEL as usize, true, dangling(), 77, 77)
    );
    assert_eq!(value, dangling());
    assert!(
        completions
            .iter()
            .all(|c| c.arg == dangling() && c.status == 77)
    );
    assert_eq!(seen.calls(), 0);
    assert_eq!(pending(port), 0);
    unsafe { ok!(weft_port_free(port)) };
}

/// Live handles with NULL (required) out-pointers: `WEFT_INVALID`.
#[test]
fn null_out_pointers() {
    unsafe {
        let mut lock = null_mut();
        ok!(weft_lock_new(WEFT_LOCK_FIFO as u32, &mut lock));
        let mut rlock = null_mut();
        ok!(weft_rlock_new(WEFT_LOCK_FIFO as u32, &mut rlock));
        let mut sem = null_mut();
        ok!(weft_sem_new(1, -1, &mut sem));
        let mut barrier = null_mut();
        ok!(weft_barrier_new(
            2,
            WEFT_BARRIER_CYCLIC as u32,
            &mut barrier
        ));
        let mut cond = null_mut();
        ok!(weft_cond_new(lock, &mut cond));
        let mut countdown = null_mut();
        ok!(weft_countdown_new(1, &mut countdown));
        let mut event = null_mut();
        ok!(weft_event_new(WEFT_EVENT_REUSABLE as u32, &mut event));
        let mut flag = null_mut();
        ok!(weft_flag_new(&mut flag));
        let mut guard = null_mut();
        ok!(weft_guard_new(&mut guard));
        let mut limiter = null_mut();
        ok!(weft_limiter_new(1, WEFT_LIMITER_PLAIN as u32, &mut limiter));
        let port = new_port();
        let (mut u, mut z, mut b) = (SENTINEL, SENTINEL as usize, true);
        let mut value: *mut c_void = dangling();

        expect!(weft_lock_owner(lock, null_mut()), WEFT_INVALID);
        expect!(weft_lock_waiting(lock, null_mut()), WEFT_INVALID);
        expect!(weft_rlock_owner(rlock, null_mut()), WEFT_INVALID);
        expect!(weft_rlock_count(rlock, 1, null_mut()), WEFT_INVALID);
        expect!(weft_rlock_waiting(rlock, null_mut()), WEFT_INVALID);
        expect!(weft_sem_value(sem, null_mut()), WEFT_INVALID);
        expect!(weft_sem_waiting(sem, null_mut()), WEFT_INVALID);
        expect!(weft_port_fd(port, null_mut()), WEFT_INVALID);
        expect!(weft_port_pending(port, null_mut()), WEFT_INVALID);
        expect!(
            weft_port_poll(port, null_mut(), 0, null_mut()),
            WEFT_INVALID
        );
        expect!(weft_barrier_is_broken(barrier, null_mut()), WEFT_INVALID);
        expect!(weft_barrier_waiting(barrier, null_mut()), WEFT_INVALID);
        expect!(weft_cond_waiting(cond, null_mut()), WEFT_INVALID);
        expect!(weft_countdown_value(countdown, null_mut()), WEFT_INVALID);
        expect!(weft_countdown_waiting(countdown, null_mut()), WEFT_INVALID);
        expect!(weft_event_is_set(event, null_mut()), WEFT_INVALID);
        expect!(weft_event_waiting(event, null_mut()), WEFT_INVALID);
        expect!(weft_guard_in_use(guard, null_mut()), WEFT_INVALID);
        expect!(weft_limiter_held(limiter, 1, null_mut()), WEFT_INVALID);
        // All three of weft_limiter_counts' out-pointers are required; none is written.
        expect!(
            weft_limiter_counts(limiter, null_mut(), &mut u, &mut z),
            WEFT_INVALID
        );
        expect!(
            weft_limiter_counts(limiter, &mut u, null_mut(), &mut z),
            WEFT_INVALID
        );
        expect!(
            weft_limiter_counts(limiter, &mut u, &mut u, null_mut()),
            WEFT_INVALID
        );
        // weft_flag_set: nothing stored when won_out is NULL.
        expect!(weft_flag_set(flag, dangling(), null_mut()), WEFT_INVALID);
        expect!(weft_flag_get(flag, null_mut(), &mut value), WEFT_INVALID);
        expect!(weft_flag_get(flag, &mut b, null_mut()), WEFT_INVALID);
        assert_eq!(
            (u, z, b, value),
            (SENTINEL, SENTINEL as usize, true, dangling())
        );
        ok!(weft_flag_get(flag, &mut b, &mut value));
        assert!(!b, "a rejected weft_flag_set stored its value");
        assert_eq!(
            value,
            dangling(),
            "value_out written although the flag is empty"
        );

        // The NULL out-pointer calls changed nothing: everything is still usable.
        ok!(weft_lock_try_acquire(lock));
        ok!(weft_lock_release(lock));

        ok!(weft_cond_free(cond));
        ok!(weft_lock_free(lock));
        ok!(weft_rlock_free(rlock));
        ok!(weft_sem_free(sem));
        ok!(weft_barrier_free(barrier));
        ok!(weft_countdown_free(countdown));
        ok!(weft_event_free(event));
        ok!(weft_flag_free(flag));
        ok!(weft_guard_free(guard));
        ok!(weft_limiter_free(limiter));
        ok!(weft_port_free(port));
    }
}

/// Optional out-pointers (`index_out`, `woken_out`, `ran_out`, `was_set_out`, `op_out`)
/// may be NULL.
#[test]
fn optional_out_pointers() {
    unsafe {
        let mut barrier = null_mut();
        ok!(weft_barrier_new(
            1,
            WEFT_BARRIER_CYCLIC as u32,
            &mut barrier
        ));
        ok!(weft_barrier_wait(barrier, WEFT_FOREVER, null_mut()));
        let port = new_port();
        ok!(weft_barrier_wait_async(
            barrier,
            port,
            None,
            null_mut(),
            null_mut(),
            null_mut()
        ));
        let mut cond = null_mut();
        ok!(weft_cond_new(null_mut(), &mut cond));
        ok!(weft_cond_notify(cond, 1, null_mut()));
        ok!(weft_cond_notify_all(cond, null_mut()));
        let mut event = null_mut();
        ok!(weft_event_new(WEFT_EVENT_REUSABLE as u32, &mut event));
        ok!(weft_event_set(event, null_mut()));
        let mut flag = null_mut();
        ok!(weft_flag_new(&mut flag));
        ok!(weft_flag_clear(flag, null_mut()));
        ok!(weft_port_run(port, 4, null_mut()));
        // A pending op with op_out NULL still completes, exactly once.
        let mut sem = null_mut();
        ok!(weft_sem_new(0, -1, &mut sem));
        let seen = Record::new();
        expect!(
            weft_sem_acquire_async(sem, null_mut(), Some(record), seen.arg(), null_mut()),
            WEFT_PENDING
        );
        ok!(weft_sem_release(sem, 1));
        seen.called_once_with(WEFT_OK);
        // weft_port_poll with max 0 may take NULL records.
        let mut n = usize::MAX;
        ok!(weft_port_poll(port, null_mut(), 0, &mut n));
        assert_eq!(n, 0);

        ok!(weft_sem_free(sem));
        ok!(weft_flag_free(flag));
        ok!(weft_event_free(event));
        ok!(weft_cond_free(cond));
        ok!(weft_barrier_free(barrier));
        ok!(weft_port_free(port));
    }
}

/// Out-of-range arguments on live handles: `WEFT_INVALID`, nothing changed.
#[test]
fn out_of_range_arguments() {
    let seen = Record::new();
    let cb: weft_callback = Some(record);
    let arg = seen.arg();
    let mut op = dangling::<weft_op>();
    unsafe {
        let port = new_port();
        // weft_lock: owner 0, and async without a port or a callback.
        let mut lock = null_mut();
        ok!(weft_lock_new(WEFT_LOCK_FIFO as u32, &mut lock));
        expect!(weft_lock_acquire_as(lock, 0, WEFT_FOREVER), WEFT_INVALID);
        expect!(weft_lock_acquire_as(lock, 0, 0), WEFT_INVALID);
        expect!(
            weft_lock_acquire_async(lock, 0, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_lock_acquire_async(lock, 1, null_mut(), None, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_lock_release_as(lock, 0), WEFT_INVALID);
        let mut owner = SENTINEL;
        ok!(weft_lock_owner(lock, &mut owner));
        assert_eq!(owner, 0, "an invalid call locked the lock");

        // weft_rlock: count 0, owner 0.
        let mut rlock = null_mut();
        ok!(weft_rlock_new(WEFT_LOCK_FIFO as u32, &mut rlock));
        expect!(weft_rlock_acquire(rlock, 0, WEFT_FOREVER), WEFT_INVALID);
        expect!(weft_rlock_try_acquire(rlock, 0), WEFT_INVALID);
        expect!(
            weft_rlock_acquire_as(rlock, 0, 1, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(
            weft_rlock_acquire_as(rlock, 5, 0, WEFT_FOREVER),
            WEFT_INVALID
        );
        expect!(
            weft_rlock_acquire_async(rlock, 5, 0, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_rlock_acquire_async(rlock, 0, 1, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_rlock_acquire_async(rlock, 5, 1, null_mut(), None, arg, &mut op),
            WEFT_INVALID
        );
        ok!(weft_rlock_acquire(rlock, 1, WEFT_FOREVER));
        expect!(weft_rlock_release(rlock, 0), WEFT_INVALID);
        let mut depth = SENTINEL;
        ok!(weft_rlock_count(rlock, thread_owner(), &mut depth));
        assert_eq!(depth, 1);
        ok!(weft_rlock_release(rlock, 1));

        // weft_sem: n 0 or past INT64_MAX; async without a route.
        let mut sem = null_mut();
        ok!(weft_sem_new(0, -1, &mut sem));
        expect!(weft_sem_release(sem, 0), WEFT_INVALID);
        expect!(weft_sem_release(sem, i64::MAX as u64 + 1), WEFT_INVALID);
        expect!(weft_sem_release(sem, u64::MAX), WEFT_INVALID);
        expect!(
            weft_sem_acquire_async(sem, null_mut(), None, arg, &mut op),
            WEFT_INVALID
        );
        let mut value = SENTINEL;
        ok!(weft_sem_value(sem, &mut value));
        assert_eq!(value, 0);

        // weft_port_poll: NULL records with max > 0.
        let mut n = SENTINEL as usize;
        expect!(weft_port_poll(port, null_mut(), 1, &mut n), WEFT_INVALID);
        assert_eq!(n, SENTINEL as usize);

        // weft_cond: owner 0.
        let mut cond = null_mut();
        ok!(weft_cond_new(lock, &mut cond));
        expect!(weft_cond_wait_as(cond, 0, 0), WEFT_INVALID);
        expect!(
            weft_cond_wait_async(cond, 0, port, cb, arg, &mut op),
            WEFT_INVALID
        );

        // weft_countdown: up by 0.
        let mut countdown = null_mut();
        ok!(weft_countdown_new(1, &mut countdown));
        expect!(weft_countdown_up(countdown, 0), WEFT_INVALID);
        expect!(
            weft_countdown_wait_async(countdown, null_mut(), None, arg, &mut op),
            WEFT_INVALID
        );

        // weft_event: clearing a one-time event; async without a route.
        let mut event = null_mut();
        ok!(weft_event_new(WEFT_EVENT_ONE_TIME as u32, &mut event));
        expect!(weft_event_clear(event), WEFT_INVALID);
        expect!(
            weft_event_wait_async(event, null_mut(), None, arg, &mut op),
            WEFT_INVALID
        );

        // weft_barrier: resetting a latch or a cyclic barrier.
        for kind in [WEFT_BARRIER_LATCH, WEFT_BARRIER_CYCLIC] {
            let mut barrier = null_mut();
            ok!(weft_barrier_new(2, kind as u32, &mut barrier));
            expect!(weft_barrier_reset(barrier), WEFT_INVALID);
            expect!(
                weft_barrier_wait_async(barrier, null_mut(), None, arg, &mut op, null_mut()),
                WEFT_INVALID
            );
            let mut broken = true;
            ok!(weft_barrier_is_broken(barrier, &mut broken));
            assert!(!broken);
            ok!(weft_barrier_free(barrier));
        }

        // weft_limiter: owner 0, count 0, count 2 on a plain limiter, negative totals.
        let mut limiter = null_mut();
        ok!(weft_limiter_new(2, WEFT_LIMITER_PLAIN as u32, &mut limiter));
        expect!(weft_limiter_acquire_as(limiter, 0, 1, 0), WEFT_INVALID);
        expect!(weft_limiter_acquire_as(limiter, 5, 0, 0), WEFT_INVALID);
        expect!(weft_limiter_acquire_as(limiter, 5, 2, 0), WEFT_INVALID);
        expect!(weft_limiter_acquire(limiter, 0, 0), WEFT_INVALID);
        expect!(
            weft_limiter_acquire_async(limiter, 0, 1, port, cb, arg, &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_limiter_acquire_async(limiter, 5, 1, null_mut(), None, arg, &mut op),
            WEFT_INVALID
        );
        expect!(weft_limiter_set_total(limiter, -1), WEFT_INVALID);
        expect!(weft_limiter_set_total(limiter, i64::MIN), WEFT_INVALID);
        let (mut total, mut borrowed, mut waiting) = (0, 0, 0);
        ok!(weft_limiter_counts(
            limiter,
            &mut total,
            &mut borrowed,
            &mut waiting
        ));
        assert_eq!((total, borrowed, waiting), (2, 0, 0));

        assert_eq!(op, dangling(), "op_out written by a rejected call");
        assert_eq!(seen.calls(), 0);
        assert_eq!(pending(port), 0);
        for free in [
            weft_limiter_free(limiter),
            weft_event_free(event),
            weft_countdown_free(countdown),
            weft_cond_free(cond),
            weft_sem_free(sem),
            weft_rlock_free(rlock),
            weft_lock_free(lock),
            weft_port_free(port),
        ] {
            ok!(free);
        }
    }
}
