//! Round trips through the header's locks, reentrant locks, semaphores, ports and ops:
//! blocking, try and async faces in one line, completions by callback (on the releasing
//! or cancelling thread), by port pull (`weft_port_poll`) and by port run
//! (`weft_port_run`), cancels, and the port's fd.
use std::ffi::c_void;
use std::ptr::null_mut;
use std::thread;
use std::time::{Duration, Instant};

mod common;
use common::*;

fn new_lock(flags: i32) -> *mut weft_lock {
    let mut lock = null_mut();
    unsafe { ok!(weft_lock_new(flags as u32, &mut lock)) };
    lock
}

fn lock_owner(lock: *mut weft_lock) -> u64 {
    let mut owner = u64::MAX;
    unsafe { ok!(weft_lock_owner(lock, &mut owner)) };
    owner
}

fn lock_waiting(lock: *mut weft_lock) -> usize {
    let mut n = usize::MAX;
    unsafe { ok!(weft_lock_waiting(lock, &mut n)) };
    n
}

#[test]
fn lock_round_trip() {
    for flags in [WEFT_LOCK_FIFO, WEFT_LOCK_THROUGHPUT] {
        lock_round_trip_with(flags);
    }
}

fn lock_round_trip_with(flags: i32) {
    let me = thread_owner();
    let lock = new_lock(flags);
    let port = new_port();
    unsafe {
        // Blocking and try faces; ownership rules.
        assert_eq!(lock_owner(lock), 0);
        expect!(weft_lock_release(lock), WEFT_NOT_LOCKED);
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        assert_eq!(lock_owner(lock), me);
        expect!(weft_lock_try_acquire(lock), WEFT_DEADLOCK);
        expect!(weft_lock_acquire(lock, 0), WEFT_DEADLOCK);
        expect!(weft_lock_acquire_as(lock, me, WEFT_MS), WEFT_DEADLOCK);
        let other = new_owner();
        expect!(weft_lock_acquire_as(lock, other, 0), WEFT_WOULD_BLOCK);
        let start = Instant::now();
        expect!(weft_lock_acquire_as(lock, other, 2 * WEFT_MS), WEFT_TIMEOUT);
        assert!(start.elapsed() >= Duration::from_millis(2));
        expect!(weft_lock_release_as(lock, other), WEFT_NOT_OWNER);
        assert_eq!(lock_waiting(lock), 0);

        // Line: an async waiter completing through the port, one completing by callback
        // (no port), and a blocking thread, in that order.
        let (t1, t2, t3) = (new_owner(), new_owner(), new_owner());
        let (r1, r2) = (Record::new(), Record::new());
        let mut op1 = null_mut();
        expect!(
            weft_lock_acquire_async(lock, t1, port, Some(record), r1.arg(), &mut op1),
            WEFT_PENDING
        );
        assert!(!op1.is_null());
        assert_eq!(name(op_status(op1)), "WEFT_PENDING");
        let mut op2 = null_mut();
        expect!(
            weft_lock_acquire_async(lock, t2, null_mut(), Some(record), r2.arg(), &mut op2),
            WEFT_PENDING
        );
        assert_eq!(lock_waiting(lock), 2);
        let shared = Shared(lock);
        let blocked = thread::spawn(move || {
            let lock = shared.get();
            ok!(weft_lock_acquire_as(lock, t3, WEFT_FOREVER));
            assert_eq!(lock_owner(lock), t3);
            ok!(weft_lock_release_as(lock, t3));
        });
        eventually("the thread in line", || lock_waiting(lock) == 3);
        assert_eq!(pending(port), 0);
        assert!(!fd_readable(port));

        // Release: t1's grant goes to the port; nothing is called.
        ok!(weft_lock_release(lock));
        assert_eq!(lock_owner(lock), t1);
        assert_eq!(name(op_status(op1)), "WEFT_OK");
        assert_eq!(pending(port), 1);
        assert!(fd_readable(port));
        ok!(weft_port_wait(port, 0));
        ok!(weft_port_wait(port, WEFT_FOREVER));
        assert_eq!(pull(port), vec![(r1.arg(), WEFT_OK)]);
        assert_eq!(r1.calls(), 0, "the pull form calls no callback");
        assert!(!fd_readable(port));
        assert_eq!(pending(port), 0);
        // The grant won: cancelling now returns it (and changes nothing).
        expect!(weft_op_cancel(op1), WEFT_OK);
        assert_eq!(lock_owner(lock), t1);
        ok!(weft_op_free(op1));

        // t1 releases: t2's callback runs on this thread, inside the call.
        ok!(weft_lock_release_as(lock, t1));
        r2.called_once_with(WEFT_OK);
        assert_eq!(r2.thread(), Some(thread::current().id()));
        assert_eq!(lock_owner(lock), t2);
        expect!(weft_op_cancel(op2), WEFT_OK);
        ok!(weft_op_free(op2));

        // t2 releases: the blocked thread gets it, and releases it.
        ok!(weft_lock_release_as(lock, t2));
        blocked.join().unwrap();
        assert_eq!(lock_owner(lock), 0);

        // Cancel winning, through the port's run form.
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        let r4 = Record::new();
        let mut op4 = null_mut();
        expect!(
            weft_lock_acquire_async(lock, t1, port, Some(record), r4.arg(), &mut op4),
            WEFT_PENDING
        );
        expect!(weft_op_cancel(op4), WEFT_CANCELLED);
        expect!(weft_op_cancel(op4), WEFT_ANSWERED); // only the first cancel answers
        assert_eq!(name(op_status(op4)), "WEFT_CANCELLED");
        let mut value = u64::MAX;
        ok!(weft_op_value(op4, &mut value));
        assert_eq!(value, 0, "the value of an op that did not complete WEFT_OK");
        assert_eq!(lock_waiting(lock), 0);
        assert_eq!(r4.calls(), 0, "the completion goes through the port");
        assert_eq!(pending(port), 1);
        let mut ran = usize::MAX;
        ok!(weft_port_run(port, 8, &mut ran));
        assert_eq!(ran, 1);
        r4.called_once_with(WEFT_CANCELLED);
        assert_eq!(r4.thread(), Some(thread::current().id()));
        ok!(weft_op_free(op4));

        // Cancel winning without a port: the callback runs inside weft_op_cancel.
        let r5 = Record::new();
        let mut op5 = null_mut();
        expect!(
            weft_lock_acquire_async(lock, t1, null_mut(), Some(record), r5.arg(), &mut op5),
            WEFT_PENDING
        );
        expect!(weft_op_cancel(op5), WEFT_CANCELLED);
        r5.called_once_with(WEFT_CANCELLED);
        ok!(weft_op_free(op5));
        // The cancelled waiters are skipped: the lock is simply free after a release.
        ok!(weft_lock_release(lock));
        assert_eq!(lock_owner(lock), 0);

        // Async on a free lock: WEFT_OK at once, *op_out set to NULL, no callback.
        let r6 = Record::new();
        let mut op6 = std::ptr::dangling_mut::<weft_op>();
        ok!(weft_lock_acquire_async(
            lock,
            t1,
            port,
            Some(record),
            r6.arg(),
            &mut op6
        ));
        assert!(op6.is_null());
        assert_eq!(lock_owner(lock), t1);
        ok!(weft_lock_release_as(lock, t1));
        assert_eq!((r6.calls(), pending(port)), (0, 0));

        // A port waited on by another thread, woken by a grant.
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        let mut op7 = null_mut();
        expect!(
            weft_lock_acquire_async(lock, t1, port, None, tag(7), &mut op7),
            WEFT_PENDING
        );
        let port_shared = Shared(port);
        let waiter = thread::spawn(move || {
            let port = port_shared.get();
            ok!(weft_port_wait(port, WEFT_FOREVER));
            let pulled: Vec<(usize, weft_status)> = pull(port)
                .into_iter()
                .map(|(arg, status)| (arg as usize, status))
                .collect();
            pulled
        });
        thread::sleep(Duration::from_millis(5));
        ok!(weft_lock_release(lock));
        assert_eq!(waiter.join().unwrap(), vec![(7, WEFT_OK)]);
        ok!(weft_op_free(op7));
        ok!(weft_lock_release_as(lock, t1));

        // References.
        ok!(weft_lock_clone(lock));
        ok!(weft_lock_free(lock));
        ok!(weft_lock_try_acquire(lock));
        ok!(weft_lock_release(lock));
        ok!(weft_lock_free(lock));
        ok!(weft_port_free(port));
    }
}

/// A callback may call weft: this one releases the lock its op was granted.
struct ReleaseOnGrant {
    lock: *mut weft_lock,
    owner: u64,
    seen: Box<Record>,
}

unsafe extern "C" fn release_on_grant(arg: *mut c_void, status: weft_status) {
    // SAFETY: `arg` is a live ReleaseOnGrant.
    let this = unsafe { &*arg.cast::<ReleaseOnGrant>() };
    // SAFETY: forwards to the recording callback with its own Record.
    unsafe { record(this.seen.arg(), status) };
    if status == WEFT_OK {
        // SAFETY: the lock is live for the whole test.
        let released = unsafe { weft_lock_release_as(this.lock, this.owner) };
        this.seen
            .status
            .store(released, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn callbacks_may_call_weft() {
    let lock = new_lock(WEFT_LOCK_FIFO);
    let port = new_port();
    unsafe {
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        let chain: Vec<Box<ReleaseOnGrant>> = (0..4)
            .map(|_| {
                Box::new(ReleaseOnGrant {
                    lock,
                    owner: new_owner(),
                    seen: Record::new(),
                })
            })
            .collect();
        for (i, link) in chain.iter().enumerate() {
            // Alternate: without a port (runs on the releasing thread) and through it.
            let via = if i % 2 == 0 { null_mut() } else { port };
            let arg = std::ptr::from_ref(&**link).cast_mut().cast();
            expect!(
                weft_lock_acquire_async(
                    lock,
                    link.owner,
                    via,
                    Some(release_on_grant),
                    arg,
                    null_mut()
                ),
                WEFT_PENDING
            );
        }
        ok!(weft_lock_release(lock));
        // Link 0 ran inside that release and released; link 1 is queued on the port.
        chain[0].seen.called_once_with(WEFT_OK); // its release returned WEFT_OK
        assert_eq!(chain[1].seen.calls(), 0);
        assert_eq!(lock_owner(lock), chain[1].owner);
        let mut ran = 0;
        ok!(weft_port_run(port, 1, &mut ran));
        assert_eq!(ran, 1);
        // Link 1's release ran link 2's callback inside it (no port), which released to
        // link 3, queued on the port.
        for link in &chain[1..3] {
            link.seen.called_once_with(WEFT_OK);
        }
        assert_eq!(lock_owner(lock), chain[3].owner);
        ok!(weft_port_run(port, usize::MAX, null_mut()));
        chain[3].seen.called_once_with(WEFT_OK);
        assert_eq!(lock_owner(lock), 0);
        ok!(weft_lock_free(lock));
        ok!(weft_port_free(port));
    }
}

fn new_rlock(flags: i32) -> *mut weft_rlock {
    let mut rlock = null_mut();
    unsafe { ok!(weft_rlock_new(flags as u32, &mut rlock)) };
    rlock
}

fn depth(rlock: *mut weft_rlock, owner: u64) -> u64 {
    let mut n = u64::MAX;
    unsafe { ok!(weft_rlock_count(rlock, owner, &mut n)) };
    n
}

#[test]
fn rlock_round_trip() {
    for flags in [WEFT_LOCK_FIFO, WEFT_LOCK_THROUGHPUT] {
        let me = thread_owner();
        let rl = new_rlock(flags);
        let port = new_port();
        unsafe {
            expect!(weft_rlock_release(rl, 1), WEFT_NOT_LOCKED);
            ok!(weft_rlock_acquire(rl, 2, WEFT_FOREVER));
            ok!(weft_rlock_try_acquire(rl, 1));
            ok!(weft_rlock_acquire(rl, 1, 0));
            assert_eq!(depth(rl, me), 4);
            let mut owner = 0;
            ok!(weft_rlock_owner(rl, &mut owner));
            assert_eq!(owner, me);
            expect!(weft_rlock_release(rl, 5), WEFT_OVERFLOW);
            assert_eq!(depth(rl, me), 4, "an over-release changed the depth");

            let other = new_owner();
            assert_eq!(depth(rl, other), 0);
            expect!(weft_rlock_try_acquire(rl, 1), WEFT_OK);
            expect!(weft_rlock_acquire_as(rl, other, 1, 0), WEFT_WOULD_BLOCK);
            expect!(weft_rlock_acquire_as(rl, other, 1, WEFT_MS), WEFT_TIMEOUT);
            expect!(weft_rlock_release_as(rl, other, 1), WEFT_NOT_OWNER);

            // An async waiter for 3 levels, through the port.
            let seen = Record::new();
            let mut op = null_mut();
            expect!(
                weft_rlock_acquire_async(rl, other, 3, port, Some(record), seen.arg(), &mut op),
                WEFT_PENDING
            );
            let mut waiting = usize::MAX;
            ok!(weft_rlock_waiting(rl, &mut waiting));
            assert_eq!(waiting, 1);
            // The owner re-enters ahead of the line.
            ok!(weft_rlock_acquire_as(rl, me, 1, 0));
            assert_eq!(depth(rl, me), 6);
            ok!(weft_rlock_release(rl, 5));
            assert_eq!(pending(port), 0, "released before the last level");
            ok!(weft_rlock_release_as(rl, me, 1));
            // Handed over with its count.
            ok!(weft_rlock_owner(rl, &mut owner));
            assert_eq!(owner, other);
            assert_eq!(depth(rl, other), 3);
            assert_eq!(depth(rl, me), 0);
            assert_eq!(pending(port), 1);
            ok!(weft_port_run(port, 1, null_mut()));
            seen.called_once_with(WEFT_OK);
            ok!(weft_op_free(op));

            // Depth bound: INT64_MAX levels at most.
            ok!(weft_rlock_acquire_as(rl, other, i64::MAX as u64 - 3, 0));
            assert_eq!(depth(rl, other), i64::MAX as u64);
            expect!(weft_rlock_acquire_as(rl, other, 1, 0), WEFT_OVERFLOW);
            ok!(weft_rlock_release_as(rl, other, i64::MAX as u64));
            ok!(weft_rlock_owner(rl, &mut owner));
            assert_eq!(owner, 0);

            // Async on a free rlock: WEFT_OK at once with *op_out NULL.
            let mut op = std::ptr::dangling_mut::<weft_op>();
            ok!(weft_rlock_acquire_async(
                rl,
                other,
                2,
                port,
                None,
                null_mut(),
                &mut op
            ));
            assert!(op.is_null());
            assert_eq!(depth(rl, other), 2);
            ok!(weft_rlock_release_as(rl, other, 2));

            ok!(weft_rlock_clone(rl));
            ok!(weft_rlock_free(rl));
            ok!(weft_rlock_free(rl));
            ok!(weft_port_free(port));
        }
    }
}

/// The header: "`WEFT_OVERFLOW` (depth would pass INT64_MAX)". A first acquire of more
/// than INT64_MAX levels is granted instead, with that depth, through every face: the
/// library checks the bound only when the owner re-enters.
#[test]
fn rlock_first_acquire_past_int64_max_overflows() {
    let rl = new_rlock(WEFT_LOCK_FIFO);
    let port = new_port();
    let (owner, holder) = (new_owner(), new_owner());
    let too_many = i64::MAX as u64 + 1;
    let mut results = Vec::new();
    unsafe {
        let mut undo = |status: weft_status, face: &str| {
            let held = depth(rl, owner);
            if held > 0 {
                ok!(weft_rlock_release_as(rl, owner, held));
            }
            results.push(format!("{face}: {} (depth {held})", name(status)));
            status == WEFT_OVERFLOW && held == 0
        };
        let mut all = true;
        all &= undo(weft_rlock_acquire_as(rl, owner, too_many, 0), "try");
        all &= undo(
            weft_rlock_acquire_as(rl, owner, too_many, WEFT_MS),
            "blocking",
        );
        let mut op = null_mut();
        let status = weft_rlock_acquire_async(rl, owner, too_many, port, None, null_mut(), &mut op);
        all &= undo(status, "async, free");
        ok!(weft_rlock_acquire_as(rl, holder, 1, 0));
        let status = weft_rlock_acquire_async(rl, owner, too_many, port, None, null_mut(), &mut op);
        ok!(weft_rlock_release_as(rl, holder, 1));
        pull(port);
        all &= undo(status, "async, queued");
        if status == WEFT_PENDING {
            ok!(weft_op_free(op));
        }
        ok!(weft_rlock_free(rl));
        ok!(weft_port_free(port));
        assert!(all, "expected WEFT_OVERFLOW and nothing held: {results:?}");
    }
}

fn sem_value(sem: *mut weft_sem) -> u64 {
    let mut v = u64::MAX;
    unsafe { ok!(weft_sem_value(sem, &mut v)) };
    v
}

fn sem_waiting(sem: *mut weft_sem) -> usize {
    let mut n = usize::MAX;
    unsafe { ok!(weft_sem_waiting(sem, &mut n)) };
    n
}

#[test]
fn semaphore_round_trip() {
    let port = new_port();
    unsafe {
        let mut sem = null_mut();
        ok!(weft_sem_new(1, 4, &mut sem));
        assert_eq!(sem_value(sem), 1);
        ok!(weft_sem_try_acquire(sem));
        expect!(weft_sem_try_acquire(sem), WEFT_WOULD_BLOCK);
        expect!(weft_sem_acquire(sem, 0), WEFT_WOULD_BLOCK);
        expect!(weft_sem_acquire(sem, WEFT_MS), WEFT_TIMEOUT);

        // Line: a port waiter (pulled), a callback waiter, a blocking thread.
        let (r1, r2) = (Record::new(), Record::new());
        let mut op1 = null_mut();
        expect!(
            weft_sem_acquire_async(sem, port, Some(record), r1.arg(), &mut op1),
            WEFT_PENDING
        );
        let mut op2 = null_mut();
        expect!(
            weft_sem_acquire_async(sem, null_mut(), Some(record), r2.arg(), &mut op2),
            WEFT_PENDING
        );
        let shared = Shared(sem);
        let blocked = thread::spawn(move || ok!(weft_sem_acquire(shared.get(), WEFT_FOREVER)));
        eventually("the thread in line", || sem_waiting(sem) == 3);

        // Three permits (and one more left free): everyone in line gets one.
        ok!(weft_sem_release(sem, 4));
        blocked.join().unwrap();
        r2.called_once_with(WEFT_OK);
        assert_eq!(r1.calls(), 0);
        assert_eq!(pull(port), vec![(r1.arg(), WEFT_OK)]);
        assert_eq!(sem_value(sem), 1);
        assert_eq!(sem_waiting(sem), 0);
        for op in [op1, op2] {
            assert_eq!(name(op_status(op)), "WEFT_OK");
            expect!(weft_op_cancel(op), WEFT_OK);
            ok!(weft_op_free(op));
        }

        // Bounded: past max is WEFT_OVERFLOW, value unchanged.
        ok!(weft_sem_release(sem, 3));
        assert_eq!(sem_value(sem), 4);
        expect!(weft_sem_release(sem, 1), WEFT_OVERFLOW);
        assert_eq!(sem_value(sem), 4);

        // Async with permits free: WEFT_OK at once, *op_out NULL.
        let mut op = std::ptr::dangling_mut::<weft_op>();
        ok!(weft_sem_acquire_async(sem, port, None, null_mut(), &mut op));
        assert!(op.is_null());
        assert_eq!(sem_value(sem), 3);

        // Cancel winning: the permit stays free for others.
        let mut empty = null_mut();
        ok!(weft_sem_new(0, -1, &mut empty));
        let r3 = Record::new();
        expect!(
            weft_sem_acquire_async(empty, port, Some(record), r3.arg(), &mut op),
            WEFT_PENDING
        );
        expect!(weft_op_cancel(op), WEFT_CANCELLED);
        assert_eq!(pull(port), vec![(r3.arg(), WEFT_CANCELLED)]);
        assert_eq!(r3.calls(), 0);
        ok!(weft_op_free(op));
        ok!(weft_sem_release(empty, 1));
        assert_eq!(sem_value(empty), 1);
        // Unbounded: up to INT64_MAX permits.
        ok!(weft_sem_release(empty, i64::MAX as u64 - 1));
        assert_eq!(sem_value(empty), i64::MAX as u64);
        expect!(weft_sem_release(empty, 1), WEFT_OVERFLOW);

        ok!(weft_sem_clone(sem));
        ok!(weft_sem_free(sem));
        ok!(weft_sem_free(sem));
        ok!(weft_sem_free(empty));
        ok!(weft_port_free(port));
    }
}

unsafe extern "C" fn count_notify(ctx: *mut c_void) {
    // SAFETY: `ctx` is the AtomicUsize the test passed, alive while the hook is set.
    unsafe { &*(ctx as *const std::sync::atomic::AtomicUsize) }
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// The notify hook through the header: called once per empty -> non-empty change (here
/// from another thread), the fd unreadable meanwhile, called at once when set on a
/// non-empty queue; removing it makes the fd readable again; weft_port_wait refuses to
/// sleep while it is set.
#[test]
fn port_notify_hook() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let port = new_port();
    let calls = AtomicUsize::new(0);
    let ctx = &calls as *const AtomicUsize as *mut c_void;
    unsafe {
        let mut sem = null_mut();
        ok!(weft_sem_new(0, -1, &mut sem));
        ok!(weft_port_set_notify(port, Some(count_notify), ctx));
        let records: Vec<Box<Record>> = (0..3).map(|_| Record::new()).collect();
        for r in &records {
            expect!(
                weft_sem_acquire_async(sem, port, Some(record), r.arg(), null_mut()),
                WEFT_PENDING
            );
        }
        let sem_addr = sem as usize;
        thread::spawn(move || ok!(weft_sem_release(sem_addr as *mut weft_sem, 2)))
            .join()
            .unwrap();
        assert_eq!(
            calls.load(SeqCst),
            1,
            "two completions into an empty queue: one call"
        );
        assert_eq!(pending(port), 2);
        assert!(!fd_readable(port));
        expect!(weft_port_wait(port, WEFT_FOREVER), WEFT_OK); // pending: no sleep
        let mut n = usize::MAX;
        ok!(weft_port_run(port, 8, &mut n));
        assert_eq!(n, 2);
        expect!(weft_port_wait(port, WEFT_MS), WEFT_INVALID);

        // Removed and set again with a completion queued.
        ok!(weft_port_set_notify(port, None, null_mut()));
        ok!(weft_sem_release(sem, 1));
        assert_eq!(calls.load(SeqCst), 1);
        assert!(fd_readable(port));
        ok!(weft_port_set_notify(port, Some(count_notify), ctx));
        assert_eq!(
            calls.load(SeqCst),
            2,
            "set on a non-empty queue: called at once"
        );
        assert!(!fd_readable(port));
        ok!(weft_port_run(port, 8, &mut n));
        assert_eq!(n, 1);
        for r in &records {
            r.called_once_with(WEFT_OK);
        }
        ok!(weft_sem_free(sem));
        ok!(weft_port_free(port));
    }
}

#[test]
fn port_forms_and_fd() {
    let port = new_port();
    unsafe {
        let mut fd = -1;
        ok!(weft_port_fd(port, &mut fd));
        assert!(fd >= 0);
        expect!(weft_port_wait(port, 0), WEFT_WOULD_BLOCK);
        expect!(weft_port_wait(port, WEFT_MS), WEFT_TIMEOUT);
        let mut n = usize::MAX;
        ok!(weft_port_run(port, 8, &mut n));
        assert_eq!(n, 0);
        assert!(pull(port).is_empty());

        // Five completions, in completion order: pull two, run one, pull the rest.
        let mut sem = null_mut();
        ok!(weft_sem_new(0, -1, &mut sem));
        let records: Vec<Box<Record>> = (0..5).map(|_| Record::new()).collect();
        for r in &records {
            expect!(
                weft_sem_acquire_async(sem, port, Some(record), r.arg(), null_mut()),
                WEFT_PENDING
            );
        }
        ok!(weft_sem_release(sem, 5));
        assert_eq!(pending(port), 5);
        assert!(fd_readable(port));
        let mut out = [weft_completion {
            arg: null_mut(),
            status: -1,
        }; 2];
        ok!(weft_port_poll(port, out.as_mut_ptr(), 2, &mut n));
        assert_eq!(n, 2);
        assert_eq!((out[0].arg, out[0].status), (records[0].arg(), WEFT_OK));
        assert_eq!((out[1].arg, out[1].status), (records[1].arg(), WEFT_OK));
        ok!(weft_port_run(port, 1, &mut n));
        assert_eq!(n, 1);
        records[2].called_once_with(WEFT_OK);
        assert!(fd_readable(port), "two still pending");
        assert_eq!(
            pull(port),
            vec![(records[3].arg(), WEFT_OK), (records[4].arg(), WEFT_OK)]
        );
        assert!(!fd_readable(port));
        for i in [0, 1, 3, 4] {
            assert_eq!(records[i].calls(), 0);
        }

        // A second reference keeps the port open.
        ok!(weft_port_clone(port));
        ok!(weft_port_free(port));
        ok!(weft_port_fd(port, &mut fd));

        // Closing the port with an op waiting: the op's grant is given back (passed on,
        // so nothing stays taken) and its callback gets WEFT_CANCELLED on the thread
        // that completes it.
        let lock = new_lock(WEFT_LOCK_FIFO);
        ok!(weft_lock_acquire(lock, WEFT_FOREVER));
        let closing = Record::new();
        let owner = new_owner();
        let mut op = null_mut();
        expect!(
            weft_lock_acquire_async(lock, owner, port, Some(record), closing.arg(), &mut op),
            WEFT_PENDING
        );
        ok!(weft_port_free(port));
        assert_eq!(closing.calls(), 0);
        ok!(weft_lock_release(lock));
        closing.called_once_with(WEFT_CANCELLED);
        assert_eq!(closing.thread(), Some(thread::current().id()));
        assert_eq!(
            lock_owner(lock),
            0,
            "the closed port's grant was not given back"
        );
        ok!(weft_lock_try_acquire(lock));
        ok!(weft_lock_release(lock));
        ok!(weft_op_free(op));
        ok!(weft_lock_free(lock));
        ok!(weft_sem_free(sem));
    }
}
