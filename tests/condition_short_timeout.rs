//! Found by tests/model_condition.rs (rarely: only when a short wait was preempted): a
//! condition wait whose deadline passes after the wait started but before the waiter is
//! in line returns `Timeout` without having released the lock, then takes the lock again
//! on top: a reentrant lock's depth doubles (its owner's releases never free it), and a
//! plain lock's re-acquire answers `Deadlock` (a debug assertion). A 1 ns timeout makes
//! the window certain. Fixed on main by 185dbcf (these pass there).

use std::sync::Arc;

use weft::{Condition, Deadline, Fairness, Lock, Status};

#[test]
fn a_wait_that_times_out_at_once_keeps_the_depth() {
    let lock = Arc::new(Lock::new_reentrant(Fairness::Fifo));
    let cond = Condition::new(Some(lock.clone()));
    assert_eq!(lock.acquire(7, 1, Deadline::Never), Status::Ok);
    assert_eq!(cond.wait(7, Deadline::after_ns(1)), Status::Timeout);
    assert_eq!(
        lock.depth_of(7),
        1,
        "the wait must hand back exactly the depth it took"
    );
}

#[test]
fn a_wait_that_times_out_at_once_on_a_plain_lock() {
    let lock = Arc::new(Lock::new(Fairness::Fifo));
    let cond = Condition::new(Some(lock.clone()));
    assert_eq!(lock.acquire(7, 1, Deadline::Never), Status::Ok);
    assert_eq!(cond.wait(7, Deadline::after_ns(1)), Status::Timeout);
    assert_eq!(lock.owner(), 7);
    assert_eq!(lock.release(7, 1), Status::Ok);
    assert!(!lock.is_locked());
}
