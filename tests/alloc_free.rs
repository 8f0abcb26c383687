//! The fast paths touch no allocator: a counting global allocator, and every call below
//! (through the C ABI, as C callers make it) must allocate nothing, 1 000 times in a row.
//! The async starts are the ones granted at once (`WEFT_OK`: no op, no callback); the
//! others are the uncontended lock pair, the try faces and the bounded queue's items.
//! A failure names the call and how many allocations it made.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ffi::c_void;
use std::ptr::null_mut;

use weft::ffi::{
    barrier::*, countdown::*, event::*, limiter::*, lock::*, op::weft_op, port::*, queue::*,
    rlock::*, semaphore::*,
};

struct Counting;

thread_local! {
    /// Allocations made by this thread (tests run on several threads at once).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; counting touches only a const thread-local.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const OK: i32 = 0;

/// Runs `round` once to warm up, then 1 000 times counting; asserts none allocated.
fn assert_no_allocation(what: &str, mut round: impl FnMut()) {
    round();
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..1000 {
        round();
    }
    let made = ALLOCATIONS.with(Cell::get) - before;
    assert_eq!(made, 0, "{what}: {made} allocations in 1 000 rounds");
}

unsafe extern "C" fn never_called(_arg: *mut c_void, _status: i32) {
    panic!("a start granted at once runs no callback");
}

fn new_port() -> *mut weft_port {
    let mut port = null_mut();
    assert_eq!(weft_port_new(&mut port), OK);
    port
}

/// An async start granted at once: `WEFT_OK`, `*op_out` set to NULL.
fn granted_at_once(status: i32, op: *mut weft_op) {
    assert_eq!(status, OK, "granted at once");
    assert!(op.is_null(), "no op for a start granted at once");
}

#[test]
fn lock_paths_allocate_nothing() {
    let port = new_port();
    let mut lock = null_mut();
    assert_eq!(weft_lock_new(0, &mut lock), OK);
    assert_no_allocation("uncontended weft_lock_acquire + release", || {
        assert_eq!(weft_lock_acquire(lock, -1), OK);
        assert_eq!(weft_lock_release(lock), OK);
    });
    assert_no_allocation("weft_lock_try_acquire + release", || {
        assert_eq!(weft_lock_try_acquire(lock), OK);
        assert_eq!(weft_lock_release(lock), OK);
    });
    assert_no_allocation("weft_lock_acquire_async granted at once (port)", || {
        let mut op = null_mut();
        let st = weft_lock_acquire_async(lock, 7, port, None, null_mut(), &mut op);
        granted_at_once(st, op);
        assert_eq!(weft_lock_release_as(lock, 7), OK);
    });
    assert_no_allocation("weft_lock_acquire_async granted at once (callback)", || {
        let mut op = null_mut();
        let st =
            weft_lock_acquire_async(lock, 7, null_mut(), Some(never_called), null_mut(), &mut op);
        granted_at_once(st, op);
        assert_eq!(weft_lock_release_as(lock, 7), OK);
    });
    let mut rlock = null_mut();
    assert_eq!(weft_rlock_new(0, &mut rlock), OK);
    assert_no_allocation("weft_rlock_acquire_async granted at once", || {
        let mut op = null_mut();
        let st = weft_rlock_acquire_async(rlock, 7, 2, port, None, null_mut(), &mut op);
        granted_at_once(st, op);
        assert_eq!(weft_rlock_release_as(rlock, 7, 2), OK);
    });
    assert_eq!(weft_rlock_free(rlock), OK);
    assert_eq!(weft_lock_free(lock), OK);
    assert_eq!(weft_port_free(port), OK);
}

#[test]
fn counting_paths_allocate_nothing() {
    let port = new_port();
    let mut sem = null_mut();
    assert_eq!(weft_sem_new(1, -1, &mut sem), OK);
    assert_no_allocation("weft_sem_acquire_async granted at once", || {
        let mut op = null_mut();
        granted_at_once(
            weft_sem_acquire_async(sem, port, None, null_mut(), &mut op),
            op,
        );
        assert_eq!(weft_sem_release(sem, 1), OK);
    });
    let mut limiter = null_mut();
    assert_eq!(weft_limiter_new(1, 0, &mut limiter), OK);
    assert_no_allocation("weft_limiter_acquire_async granted at once", || {
        let mut op = null_mut();
        let st = weft_limiter_acquire_async(limiter, 7, 1, port, None, null_mut(), &mut op);
        granted_at_once(st, op);
        assert_eq!(weft_limiter_release_as(limiter, 7, 1), OK);
    });
    let mut event = null_mut();
    assert_eq!(weft_event_new(0, &mut event), OK);
    assert_eq!(weft_event_set(event, null_mut()), OK);
    assert_no_allocation("weft_event_wait_async on a set event", || {
        let mut op = null_mut();
        granted_at_once(
            weft_event_wait_async(event, port, None, null_mut(), &mut op),
            op,
        );
    });
    let mut countdown = null_mut();
    assert_eq!(weft_countdown_new(0, &mut countdown), OK);
    assert_no_allocation("weft_countdown_wait_async at zero", || {
        let mut op = null_mut();
        granted_at_once(
            weft_countdown_wait_async(countdown, port, None, null_mut(), &mut op),
            op,
        );
    });
    let mut barrier = null_mut();
    assert_eq!(weft_barrier_new(1, 1, &mut barrier), OK); // cyclic, one party
    assert_no_allocation(
        "weft_barrier_wait_async completing a one-party phase",
        || {
            let (mut op, mut index) = (null_mut(), u64::MAX);
            let st = weft_barrier_wait_async(barrier, port, None, null_mut(), &mut op, &mut index);
            granted_at_once(st, op);
            assert_eq!(index, 0);
        },
    );
    assert_eq!(weft_barrier_free(barrier), OK);
    assert_eq!(weft_countdown_free(countdown), OK);
    assert_eq!(weft_event_free(event), OK);
    assert_eq!(weft_limiter_free(limiter), OK);
    assert_eq!(weft_sem_free(sem), OK);
    assert_eq!(weft_port_free(port), OK);
}

#[test]
fn bounded_queue_paths_allocate_nothing() {
    let port = new_port();
    let mut queue = null_mut();
    assert_eq!(weft_queue_new(0, 64, None, null_mut(), &mut queue), OK); // FIFO, bounded
    let item = 0x1000 as *mut c_void;
    assert_no_allocation("weft_queue_try_put + try_get", || {
        let mut got = null_mut();
        assert_eq!(weft_queue_try_put(queue, item, 0), OK);
        assert_eq!(weft_queue_try_get(queue, &mut got), OK);
        assert_eq!(got, item);
    });
    assert_no_allocation("weft_queue_put_async + get_async granted at once", || {
        let (mut op, mut got) = (null_mut(), null_mut());
        granted_at_once(
            weft_queue_put_async(queue, item, 0, port, None, null_mut(), &mut op),
            op,
        );
        let st = weft_queue_get_async(queue, &mut got, port, None, null_mut(), &mut op);
        granted_at_once(st, op);
        assert_eq!(got, item);
        assert_eq!(weft_queue_task_done(queue), OK);
        assert_eq!(weft_queue_task_done(queue), OK);
    });
    assert_no_allocation("weft_queue_join_async with no task left", || {
        let mut op = null_mut();
        granted_at_once(
            weft_queue_join_async(queue, port, None, null_mut(), &mut op),
            op,
        );
    });
    assert_eq!(weft_queue_free(queue), OK);
    assert_eq!(weft_port_free(port), OK);
}
