//! `weft_queue_*` and `weft_op_item` through the header: every function with valid, NULL
//! and out-of-range arguments (nothing written on failure), and round trips of every face,
//! the destructor and batches.
use std::ffi::c_void;
use std::ptr::{self, null, null_mut};
use std::sync::Mutex;

mod common;
use common::*;

fn item(n: usize) -> *mut c_void {
    n as *mut c_void
}

fn new_queue(kind: u32, capacity: i64) -> *mut weft_queue {
    let mut q = null_mut();
    // SAFETY: valid out-pointer.
    unsafe { ok!(weft_queue_new(kind, capacity, None, null_mut(), &mut q)) };
    assert!(!q.is_null());
    q
}

/// The destructor's record: every item it was given.
struct Discarded(Mutex<Vec<usize>>);

unsafe extern "C" fn discard(ctx: *mut c_void, item: *mut c_void) {
    // SAFETY: the tests pass a live `Discarded` as ctx.
    let seen = unsafe { &*ctx.cast::<Discarded>() };
    seen.0.lock().unwrap().push(item as usize);
}

#[test]
fn bad_arguments_change_nothing() {
    unsafe {
        let sentinel = item(0x5EA7);
        let mut q = ptr::dangling_mut::<weft_queue>();
        expect!(
            weft_queue_new(3, -1, None, null_mut(), &mut q),
            WEFT_INVALID
        );
        expect!(
            weft_queue_new(WEFT_QUEUE_FIFO as u32, 0, None, null_mut(), &mut q),
            WEFT_INVALID
        );
        assert_eq!(q, ptr::dangling_mut());
        expect!(
            weft_queue_new(WEFT_QUEUE_FIFO as u32, 1, None, null_mut(), null_mut()),
            WEFT_INVALID
        );

        // NULL handles.
        let mut out = sentinel;
        let mut n = 77usize;
        let mut cap = 77i64;
        let mut flag = true;
        let mut count = 77u64;
        let mut op = ptr::dangling_mut::<weft_op>();
        expect!(weft_queue_clone(null_mut()), WEFT_INVALID);
        expect!(weft_queue_free(null_mut()), WEFT_INVALID);
        expect!(weft_queue_put(null_mut(), item(1), 0, 0), WEFT_INVALID);
        expect!(weft_queue_try_put(null_mut(), item(1), 0), WEFT_INVALID);
        expect!(weft_queue_get(null_mut(), &mut out, 0), WEFT_INVALID);
        expect!(weft_queue_try_get(null_mut(), &mut out), WEFT_INVALID);
        expect!(weft_queue_peek(null(), &mut out), WEFT_INVALID);
        assert_eq!(out, sentinel);
        expect!(
            weft_queue_put_many(null_mut(), [item(1)].as_ptr(), null(), 1, 0, &mut n),
            WEFT_INVALID
        );
        expect!(
            weft_queue_get_many(null_mut(), &mut out, 1, 0, &mut n),
            WEFT_INVALID
        );
        assert_eq!(n, 77);
        expect!(weft_queue_shutdown(null_mut(), false), WEFT_INVALID);
        expect!(weft_queue_is_shutdown(null(), &mut flag), WEFT_INVALID);
        expect!(weft_queue_task_done(null_mut()), WEFT_INVALID);
        expect!(weft_queue_unfinished(null(), &mut count), WEFT_INVALID);
        expect!(weft_queue_join(null_mut(), 0), WEFT_INVALID);
        expect!(weft_queue_clear(null_mut(), &mut n), WEFT_INVALID);
        expect!(weft_queue_unget(null_mut(), item(1)), WEFT_INVALID);
        expect!(weft_queue_size(null(), &mut n), WEFT_INVALID);
        expect!(weft_queue_capacity(null(), &mut cap), WEFT_INVALID);
        expect!(weft_queue_set_capacity(null_mut(), 5), WEFT_INVALID);
        expect!(weft_queue_waiting(null(), &mut n, &mut n), WEFT_INVALID);
        let port = new_port();
        expect!(
            weft_queue_put_async(null_mut(), item(1), 0, port, None, null_mut(), &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_queue_get_async(null_mut(), &mut out, port, None, null_mut(), &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_queue_join_async(null_mut(), port, None, null_mut(), &mut op),
            WEFT_INVALID
        );
        expect!(weft_op_item(null(), &mut out), WEFT_INVALID);
        assert_eq!((n, cap, flag, count, out), (77, 77, true, 77, sentinel));
        assert_eq!(op, ptr::dangling_mut());

        // NULL out-pointers and bad arguments on a live queue.
        let q = new_queue(WEFT_QUEUE_FIFO as u32, 2);
        ok!(weft_queue_put(q, item(1), 0, 0));
        expect!(weft_queue_get(q, null_mut(), 0), WEFT_INVALID);
        expect!(weft_queue_try_get(q, null_mut()), WEFT_INVALID);
        expect!(weft_queue_peek(q, null_mut()), WEFT_INVALID);
        expect!(
            weft_queue_put_many(q, null(), null(), 1, 0, &mut n),
            WEFT_INVALID
        );
        expect!(
            weft_queue_put_many(q, [item(1)].as_ptr(), null(), 1, 0, null_mut()),
            WEFT_INVALID
        );
        expect!(
            weft_queue_get_many(q, null_mut(), 1, 0, &mut n),
            WEFT_INVALID
        );
        expect!(
            weft_queue_get_many(q, &mut out, 1, 0, null_mut()),
            WEFT_INVALID
        );
        expect!(weft_queue_is_shutdown(q, null_mut()), WEFT_INVALID);
        expect!(weft_queue_unfinished(q, null_mut()), WEFT_INVALID);
        expect!(weft_queue_size(q, null_mut()), WEFT_INVALID);
        expect!(weft_queue_capacity(q, null_mut()), WEFT_INVALID);
        expect!(weft_queue_waiting(q, null_mut(), null_mut()), WEFT_INVALID);
        expect!(weft_queue_set_capacity(q, 0), WEFT_INVALID);
        expect!(
            weft_queue_get_async(q, null_mut(), port, None, null_mut(), &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_queue_put_async(q, item(2), 0, null_mut(), None, null_mut(), &mut op),
            WEFT_INVALID
        );
        expect!(
            weft_queue_join_async(q, null_mut(), None, null_mut(), &mut op),
            WEFT_INVALID
        );
        expect!(weft_op_item(ptr::dangling(), null_mut()), WEFT_INVALID);
        assert_eq!(op, ptr::dangling_mut());
        // Nothing above changed the queue.
        ok!(weft_queue_size(q, &mut n));
        assert_eq!(n, 1);
        ok!(weft_queue_capacity(q, &mut cap));
        assert_eq!(cap, 2);
        ok!(weft_queue_free(q));
        ok!(weft_port_free(port));
    }
}

#[test]
fn every_face_round_trips() {
    unsafe {
        let seen = Box::new(Discarded(Mutex::new(Vec::new())));
        let ctx = ptr::from_ref(&*seen).cast_mut().cast();
        let mut q = null_mut();
        ok!(weft_queue_new(
            WEFT_QUEUE_FIFO as u32,
            2,
            Some(discard),
            ctx,
            &mut q
        ));
        ok!(weft_queue_clone(q));
        ok!(weft_queue_free(q));

        // try and timed faces
        let mut out = null_mut();
        expect!(weft_queue_try_get(q, &mut out), WEFT_WOULD_BLOCK);
        expect!(weft_queue_get(q, &mut out, 1_000_000), WEFT_TIMEOUT);
        ok!(weft_queue_try_put(q, item(1), 0));
        ok!(weft_queue_put(q, item(2), 0, -1));
        expect!(weft_queue_try_put(q, item(3), 0), WEFT_WOULD_BLOCK);
        expect!(weft_queue_put(q, item(3), 0, 1_000_000), WEFT_TIMEOUT);
        ok!(weft_queue_peek(q, &mut out));
        assert_eq!(out, item(1));
        // a got item put back is the next out again, even with the queue full
        ok!(weft_queue_try_get(q, &mut out));
        assert_eq!(out, item(1));
        ok!(weft_queue_try_put(q, item(9), 0));
        ok!(weft_queue_unget(q, out));
        ok!(weft_queue_try_get(q, &mut out));
        assert_eq!(out, item(1));
        ok!(weft_queue_try_get(q, &mut out));
        assert_eq!(out, item(2));
        ok!(weft_queue_try_get(q, &mut out));
        assert_eq!(out, item(9));
        ok!(weft_queue_task_done(q)); // three of the four puts are done
        ok!(weft_queue_task_done(q));
        ok!(weft_queue_task_done(q));
        ok!(weft_queue_try_put(q, item(1), 0));
        ok!(weft_queue_put(q, item(2), 0, -1));

        // a put that waits, on a port; growing the capacity lets it in
        let port = new_port();
        let mut op = null_mut();
        expect!(
            weft_queue_put_async(q, item(3), 0, port, None, item(30), &mut op),
            WEFT_PENDING
        );
        let (mut putters, mut getters) = (9, 9);
        ok!(weft_queue_waiting(q, &mut putters, &mut getters));
        assert_eq!((putters, getters), (1, 0));
        ok!(weft_queue_set_capacity(q, WEFT_UNBOUNDED));
        let mut cap = 0;
        ok!(weft_queue_capacity(q, &mut cap));
        assert_eq!(cap, -1);
        let mut status = -1;
        ok!(weft_op_status(op, &mut status));
        assert_eq!(status, WEFT_OK);
        ok!(weft_op_wait(op, WEFT_FOREVER)); // completed: its status at once
        let mut done = [weft_completion {
            arg: null_mut(),
            status: -1,
        }; 2];
        let mut n = 0;
        ok!(weft_port_poll(port, done.as_mut_ptr(), 2, &mut n));
        assert_eq!((n, done[0].arg, done[0].status), (1, item(30), WEFT_OK));
        ok!(weft_op_free(op));

        // batches
        let mut got = [null_mut(); 8];
        ok!(weft_queue_get_many(q, got.as_mut_ptr(), 8, 0, &mut n));
        assert_eq!(got[..n], [item(1), item(2), item(3)]);
        let batch = [item(4), item(5), item(6)];
        ok!(weft_queue_put_many(q, batch.as_ptr(), null(), 3, 0, &mut n));
        assert_eq!(n, 3);
        ok!(weft_queue_size(q, &mut n));
        assert_eq!(n, 3);

        // a get on a port that finds an item at once: no op, the item comes back now
        let mut op = ptr::dangling_mut::<weft_op>();
        ok!(weft_queue_get_async(
            q,
            &mut out,
            port,
            None,
            null_mut(),
            &mut op
        ));
        assert_eq!(out, item(4));
        assert!(op.is_null());

        // clear discards through the destructor and finishes those tasks
        let mut cleared = 0;
        ok!(weft_queue_clear(q, &mut cleared));
        assert_eq!(cleared, 2);
        assert_eq!(*seen.0.lock().unwrap(), [5, 6]);
        let mut unfinished = 0;
        ok!(weft_queue_unfinished(q, &mut unfinished));
        assert_eq!(unfinished, 4, "six accepted, two discarded");
        for _ in 0..4 {
            ok!(weft_queue_task_done(q));
        }
        expect!(weft_queue_task_done(q), WEFT_OVERFLOW);
        ok!(weft_queue_join(q, 0));

        // a get that waits, by callback; a join that waits, on the port
        let rec = Record::new();
        let mut get_op = null_mut();
        expect!(
            weft_queue_get_async(
                q,
                &mut out,
                null_mut(),
                Some(record),
                rec.arg(),
                &mut get_op
            ),
            WEFT_PENDING
        );
        ok!(weft_queue_put(q, item(7), 0, 0));
        rec.called_once_with(WEFT_OK);
        ok!(weft_op_item(get_op, &mut out));
        assert_eq!(out, item(7));
        let mut value = 0;
        ok!(weft_op_value(get_op, &mut value));
        assert_eq!(value, 7);
        ok!(weft_op_free(get_op));
        let mut join_op = null_mut();
        expect!(
            weft_queue_join_async(q, port, None, item(40), &mut join_op),
            WEFT_PENDING
        );
        expect!(weft_queue_join(q, 0), WEFT_WOULD_BLOCK);
        ok!(weft_queue_task_done(q));
        ok!(weft_port_poll(port, done.as_mut_ptr(), 2, &mut n));
        assert_eq!((n, done[0].arg, done[0].status), (1, item(40), WEFT_OK));
        ok!(weft_op_free(join_op));

        // a cancelled get keeps nothing; the item stays for the next get
        let mut op = null_mut();
        expect!(
            weft_queue_get_async(q, &mut out, port, None, null_mut(), &mut op),
            WEFT_PENDING
        );
        expect!(weft_op_item(op, &mut out), WEFT_PENDING);
        expect!(weft_op_cancel(op), WEFT_CANCELLED);
        ok!(weft_port_poll(port, done.as_mut_ptr(), 2, &mut n));
        assert_eq!((n, done[0].status), (1, WEFT_CANCELLED));
        expect!(weft_op_item(op, &mut out), WEFT_CANCELLED);
        ok!(weft_op_free(op));

        // shutdown: put refused, get drains then refuses, immediate discards
        ok!(weft_queue_put(q, item(8), 0, 0));
        ok!(weft_queue_put(q, item(9), 0, 0));
        ok!(weft_queue_shutdown(q, false));
        let mut shut = false;
        ok!(weft_queue_is_shutdown(q, &mut shut));
        assert!(shut);
        expect!(weft_queue_put(q, item(10), 0, -1), WEFT_CLOSED);
        ok!(weft_queue_get(q, &mut out, -1));
        assert_eq!(out, item(8));
        ok!(weft_queue_shutdown(q, true));
        assert_eq!(*seen.0.lock().unwrap(), [5, 6, 9]);
        expect!(weft_queue_get(q, &mut out, -1), WEFT_CLOSED);
        expect!(
            weft_queue_get_many(q, got.as_mut_ptr(), 8, -1, &mut n),
            WEFT_CLOSED
        );
        assert_eq!(n, 0);
        ok!(weft_queue_free(q));
        ok!(weft_port_free(port));
        assert_eq!(
            *seen.0.lock().unwrap(),
            [5, 6, 9],
            "nothing left to discard"
        );
    }
}

#[test]
fn kinds_order_their_items_and_free_discards_the_rest() {
    unsafe {
        for (kind, want) in [
            (WEFT_QUEUE_FIFO, [1, 2, 3]),
            (WEFT_QUEUE_LIFO, [3, 2, 1]),
            (WEFT_QUEUE_PRIORITY, [2, 3, 1]),
        ] {
            let q = new_queue(kind as u32, WEFT_UNBOUNDED);
            let items = [item(1), item(2), item(3)];
            let priorities = [5i64, -1, 0];
            let mut n = 0;
            ok!(weft_queue_put_many(
                q,
                items.as_ptr(),
                priorities.as_ptr(),
                3,
                -1,
                &mut n
            ));
            let mut got = [null_mut(); 3];
            ok!(weft_queue_get_many(q, got.as_mut_ptr(), 3, -1, &mut n));
            assert_eq!(got.map(|p| p as usize), want, "kind {kind}");
            ok!(weft_queue_free(q));
        }
        let seen = Box::new(Discarded(Mutex::new(Vec::new())));
        let mut q = null_mut();
        let ctx = ptr::from_ref(&*seen).cast_mut().cast();
        ok!(weft_queue_new(
            WEFT_QUEUE_LIFO as u32,
            4,
            Some(discard),
            ctx,
            &mut q
        ));
        ok!(weft_queue_put(q, item(1), 0, 0));
        ok!(weft_queue_put(q, item(2), 0, 0));
        ok!(weft_queue_free(q));
        assert_eq!(*seen.0.lock().unwrap(), [2, 1]);
    }
}
