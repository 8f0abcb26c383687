//! The `handle-check` build (CMake's Debug builds): a handle used after its last `_free`
//! is refused with `WEFT_INVALID`, never dereferenced. Run with
//! `cargo test -p weft --features handle-check --test handle_check` (ctest's
//! `handle_check`). Without the feature this file is empty.
#![cfg(feature = "handle-check")]

use std::ptr::null_mut;

use weft::ffi::{lock::*, op::*, port::*, queue::*, semaphore::*, status::*};

#[test]
fn a_freed_handle_is_refused() {
    let mut lock = null_mut();
    assert_eq!(weft_lock_new(0, &mut lock), WEFT_OK);
    assert_eq!(weft_lock_clone(lock), WEFT_OK);
    assert_eq!(weft_lock_free(lock), WEFT_OK);
    // one reference left: still usable
    assert_eq!(weft_lock_acquire(lock, 0), WEFT_OK);
    assert_eq!(weft_lock_release(lock), WEFT_OK);
    assert_eq!(weft_lock_free(lock), WEFT_OK);
    // after the last free: every call is refused, including a second free and a clone
    assert_eq!(weft_lock_acquire(lock, 0), WEFT_INVALID);
    assert_eq!(weft_lock_try_acquire(lock), WEFT_INVALID);
    assert_eq!(weft_lock_release(lock), WEFT_INVALID);
    let mut owner = 7;
    assert_eq!(weft_lock_owner(lock, &mut owner), WEFT_INVALID);
    assert_eq!(owner, 7, "out-parameter untouched");
    assert_eq!(weft_lock_clone(lock), WEFT_INVALID);
    assert_eq!(weft_lock_free(lock), WEFT_INVALID);
}

#[test]
fn an_op_and_a_port_after_their_free() {
    let mut port = null_mut();
    assert_eq!(weft_port_new(&mut port), WEFT_OK);
    let mut sem = null_mut();
    assert_eq!(weft_sem_new(0, -1, &mut sem), WEFT_OK);
    let mut op = null_mut();
    assert_eq!(
        weft_sem_acquire_async(sem, port, None, null_mut(), &mut op),
        WEFT_PENDING
    );
    assert_eq!(weft_op_free(op), WEFT_OK);
    assert_eq!(weft_op_cancel(op), WEFT_INVALID, "the op handle is gone");
    let mut status = 0;
    assert_eq!(weft_op_status(op, &mut status), WEFT_INVALID);
    // the op itself is still pending (the semaphore's line holds it): a release grants it
    assert_eq!(weft_sem_release(sem, 1), WEFT_OK);
    let mut n = 0;
    assert_eq!(weft_port_pending(port, &mut n), WEFT_OK);
    assert_eq!(n, 1);
    assert_eq!(weft_port_free(port), WEFT_OK);
    assert_eq!(weft_port_pending(port, &mut n), WEFT_INVALID);
    let mut sem2 = null_mut();
    assert_eq!(weft_sem_new(0, -1, &mut sem2), WEFT_OK);
    assert_eq!(
        weft_sem_acquire_async(sem2, port, None, null_mut(), &mut op),
        WEFT_INVALID,
        "a freed port cannot take new ops"
    );
    assert_eq!(weft_sem_free(sem2), WEFT_OK);
    assert_eq!(weft_sem_free(sem), WEFT_OK);
}

#[test]
fn a_queue_after_its_free() {
    let mut queue = null_mut();
    assert_eq!(weft_queue_new(0, 4, None, null_mut(), &mut queue), WEFT_OK);
    assert_eq!(weft_queue_try_put(queue, 1 as *mut _, 0), WEFT_OK);
    assert_eq!(weft_queue_free(queue), WEFT_OK);
    let mut item = null_mut();
    assert_eq!(weft_queue_try_get(queue, &mut item), WEFT_INVALID);
    assert!(item.is_null(), "out-parameter untouched");
    assert_eq!(weft_queue_try_put(queue, 1 as *mut _, 0), WEFT_INVALID);
}
