//! Calls every function of include/weft.h through bindgen's declarations.
use std::ffi::{CStr, c_void};
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};

use weft_abi_tests::*;

fn name(status: weft_status) -> String {
    // SAFETY: weft_status_str returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(weft_status_str(status)) }
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn status_constants_and_names() {
    let all = [
        (WEFT_OK, "WEFT_OK", 0),
        (WEFT_PENDING, "WEFT_PENDING", 1),
        (WEFT_WOULD_BLOCK, "WEFT_WOULD_BLOCK", 2),
        (WEFT_TIMEOUT, "WEFT_TIMEOUT", 3),
        (WEFT_CANCELLED, "WEFT_CANCELLED", 4),
        (WEFT_BROKEN, "WEFT_BROKEN", 5),
        (WEFT_CLOSED, "WEFT_CLOSED", 6),
        (WEFT_NOT_OWNER, "WEFT_NOT_OWNER", 7),
        (WEFT_NOT_LOCKED, "WEFT_NOT_LOCKED", 8),
        (WEFT_DEADLOCK, "WEFT_DEADLOCK", 9),
        (WEFT_OVERFLOW, "WEFT_OVERFLOW", 10),
        (WEFT_BUSY, "WEFT_BUSY", 11),
        (WEFT_INVALID, "WEFT_INVALID", 12),
        (WEFT_NO_MEMORY, "WEFT_NO_MEMORY", 13),
        (WEFT_SYSTEM, "WEFT_SYSTEM", 14),
        (WEFT_INTERNAL, "WEFT_INTERNAL", 15),
    ];
    for (constant, expected_name, value) in all {
        assert_eq!(constant as i32, value);
        assert_eq!(name(constant as weft_status), expected_name);
    }
    assert_eq!(name(99), "WEFT_UNKNOWN");
    assert_eq!(WEFT_LOCK_FIFO, 0);
    assert_eq!(WEFT_LOCK_THROUGHPUT, 1);
}

fn ok(status: weft_status) {
    assert_eq!(name(status), "WEFT_OK");
}

fn is(status: weft_status, expected: u32) {
    assert_eq!(name(status), name(expected as weft_status));
}

#[test]
fn lock_and_rlock_round_trip() {
    unsafe {
        let mut me = 0u64;
        ok(weft_thread_owner(&mut me));
        let mut lock: *mut weft_lock = ptr::null_mut();
        is(weft_lock_new(WEFT_LOCK_FIFO, ptr::null_mut()), WEFT_INVALID);
        ok(weft_lock_new(WEFT_LOCK_FIFO, &mut lock));
        ok(weft_lock_acquire(lock, -1));
        is(weft_lock_try_acquire(lock), WEFT_DEADLOCK);
        is(weft_lock_acquire_as(lock, 5, 0), WEFT_WOULD_BLOCK);
        let mut owner = 0u64;
        ok(weft_lock_owner(lock, &mut owner));
        assert_eq!(owner, me);
        let mut waiting = 9usize;
        ok(weft_lock_waiting(lock, &mut waiting));
        assert_eq!(waiting, 0);
        is(weft_lock_release_as(lock, 5), WEFT_NOT_OWNER);
        ok(weft_lock_release(lock));
        ok(weft_lock_clone(lock));
        ok(weft_lock_free(lock));
        ok(weft_lock_free(lock));
        is(weft_lock_free(ptr::null_mut()), WEFT_INVALID);

        let mut rl: *mut weft_rlock = ptr::null_mut();
        ok(weft_rlock_new(WEFT_LOCK_THROUGHPUT, &mut rl));
        ok(weft_rlock_acquire(rl, 2, -1));
        ok(weft_rlock_try_acquire(rl, 1));
        let mut depth = 0u64;
        ok(weft_rlock_count(rl, me, &mut depth));
        assert_eq!(depth, 3);
        is(weft_rlock_release(rl, 4), WEFT_OVERFLOW);
        ok(weft_rlock_release(rl, 3));
        ok(weft_rlock_acquire_as(rl, 8, 1, 0));
        ok(weft_rlock_owner(rl, &mut owner));
        assert_eq!(owner, 8);
        ok(weft_rlock_waiting(rl, &mut waiting));
        ok(weft_rlock_release_as(rl, 8, 1));
        ok(weft_rlock_clone(rl));
        ok(weft_rlock_free(rl));
        ok(weft_rlock_free(rl));
    }
}

static LAST: AtomicI32 = AtomicI32::new(-1);
unsafe extern "C" fn remember(arg: *mut c_void, status: weft_status) {
    assert_eq!(arg as usize, 77);
    LAST.store(status, Ordering::SeqCst);
}

#[test]
fn semaphore_port_and_op_round_trip() {
    unsafe {
        let mut sem: *mut weft_sem = ptr::null_mut();
        ok(weft_sem_new(0, 4, &mut sem));
        let mut port: *mut weft_port = ptr::null_mut();
        ok(weft_port_new(&mut port));
        let mut fd = -1;
        ok(weft_port_fd(port, &mut fd));
        assert!(fd >= 0);

        // pull form
        let mut op: *mut weft_op = ptr::null_mut();
        is(
            weft_sem_acquire_async(sem, port, None, 5 as *mut c_void, &mut op),
            WEFT_PENDING,
        );
        let mut status = 0;
        ok(weft_op_status(op, &mut status));
        is(status, WEFT_PENDING);
        ok(weft_sem_release(sem, 1));
        let mut pending = 0usize;
        ok(weft_port_pending(port, &mut pending));
        assert_eq!(pending, 1);
        ok(weft_port_wait(port, 0));
        let mut records = [weft_completion {
            arg: ptr::null_mut(),
            status: -1,
        }; 4];
        let mut n = 0usize;
        ok(weft_port_poll(port, records.as_mut_ptr(), 4, &mut n));
        assert_eq!(n, 1);
        assert_eq!(records[0].arg as usize, 5);
        ok(records[0].status);
        is(weft_op_cancel(op), WEFT_OK);
        ok(weft_op_free(op));

        // run form, with a callback
        is(
            weft_sem_acquire_async(sem, port, Some(remember), 77 as *mut c_void, &mut op),
            WEFT_PENDING,
        );
        is(weft_op_cancel(op), WEFT_CANCELLED);
        ok(weft_port_run(port, 8, &mut n));
        assert_eq!(n, 1);
        assert_eq!(LAST.load(Ordering::SeqCst), WEFT_CANCELLED as i32);
        ok(weft_op_free(op));

        // blocking and try faces
        ok(weft_sem_release(sem, 1));
        ok(weft_sem_try_acquire(sem));
        is(weft_sem_acquire(sem, 1_000_000), WEFT_TIMEOUT);
        is(weft_port_wait(port, 1_000_000), WEFT_TIMEOUT);
        let mut value = 9u64;
        ok(weft_sem_value(sem, &mut value));
        assert_eq!(value, 0);
        let mut waiting = 9usize;
        ok(weft_sem_waiting(sem, &mut waiting));
        assert_eq!(waiting, 0);
        is(weft_sem_release(sem, 5), WEFT_OVERFLOW);

        // async on a lock, granted at once: WEFT_OK and a NULL op
        let mut lock: *mut weft_lock = ptr::null_mut();
        ok(weft_lock_new(0, &mut lock));
        op = ptr::dangling_mut::<weft_op>();
        ok(weft_lock_acquire_async(
            lock,
            3,
            port,
            None,
            ptr::null_mut(),
            &mut op,
        ));
        assert!(op.is_null());
        let mut rl: *mut weft_rlock = ptr::null_mut();
        ok(weft_rlock_new(0, &mut rl));
        ok(weft_rlock_acquire_async(
            rl,
            3,
            2,
            port,
            None,
            ptr::null_mut(),
            &mut op,
        ));
        ok(weft_rlock_release_as(rl, 3, 2));
        ok(weft_lock_release_as(lock, 3));

        ok(weft_sem_clone(sem));
        ok(weft_sem_free(sem));
        ok(weft_sem_free(sem));
        ok(weft_lock_free(lock));
        ok(weft_rlock_free(rl));
        ok(weft_port_clone(port));
        ok(weft_port_free(port));
        ok(weft_port_free(port));
    }
}

/// Every `weft_*` function the header declares is exported by libweft.so, and vice versa.
#[test]
fn header_declares_exactly_the_exports() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let header = std::fs::read_to_string(format!("{root}/include/weft.h")).unwrap();
    // Every identifier `weft_...` directly followed by `(` is a declared function.
    let mut declared: Vec<String> = Vec::new();
    let bytes = header.as_bytes();
    let mut i = 0;
    while let Some(at) = header[i..].find("weft_") {
        let start = i + at;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let boundary =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        if boundary && bytes.get(end) == Some(&b'(') {
            declared.push(header[start..end].to_owned());
        }
        i = end;
    }
    declared.sort();
    declared.dedup();
    assert!(declared.len() > 40, "found {} declarations", declared.len());

    let lib = ["release", "debug"]
        .iter()
        .map(|p| format!("{root}/target/{p}/libweft.so"))
        .find(|p| std::path::Path::new(p).exists());
    let Some(lib) = lib else {
        println!("no libweft.so built yet: export list not checked");
        return;
    };
    let nm = std::process::Command::new("nm")
        .args(["-D", "--defined-only", &lib])
        .output();
    let Ok(nm) = nm else {
        println!("nm not available: export list not checked");
        return;
    };
    let mut exported: Vec<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("weft_"))
        .map(str::to_owned)
        .collect();
    exported.sort();
    assert_eq!(declared, exported, "header declarations vs {lib} exports");
}
