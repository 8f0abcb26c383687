//! The header's constants, `weft_status_str`, owner tokens and `weft_completion`'s layout.
mod common;
use common::*;

#[test]
fn status_constants_have_their_values_and_names() {
    let all = [
        (WEFT_OK, 0, "WEFT_OK"),
        (WEFT_PENDING, 1, "WEFT_PENDING"),
        (WEFT_WOULD_BLOCK, 2, "WEFT_WOULD_BLOCK"),
        (WEFT_TIMEOUT, 3, "WEFT_TIMEOUT"),
        (WEFT_CANCELLED, 4, "WEFT_CANCELLED"),
        (WEFT_BROKEN, 5, "WEFT_BROKEN"),
        (WEFT_CLOSED, 6, "WEFT_CLOSED"),
        (WEFT_NOT_OWNER, 7, "WEFT_NOT_OWNER"),
        (WEFT_NOT_LOCKED, 8, "WEFT_NOT_LOCKED"),
        (WEFT_DEADLOCK, 9, "WEFT_DEADLOCK"),
        (WEFT_OVERFLOW, 10, "WEFT_OVERFLOW"),
        (WEFT_BUSY, 11, "WEFT_BUSY"),
        (WEFT_INVALID, 12, "WEFT_INVALID"),
        (WEFT_NO_MEMORY, 13, "WEFT_NO_MEMORY"),
        (WEFT_SYSTEM, 14, "WEFT_SYSTEM"),
        (WEFT_INTERNAL, 15, "WEFT_INTERNAL"),
        (WEFT_ANSWERED, 16, "WEFT_ANSWERED"),
    ];
    for (constant, value, expected) in all {
        // The constants are plain C ints, usable wherever a weft_status is.
        let status: weft_status = constant;
        assert_eq!(status, value, "{expected}");
        assert_eq!(name(status), expected);
    }
    // The same pointer every time: a static string, never to be freed.
    // SAFETY: any value may be passed.
    unsafe { assert_eq!(weft_status_str(WEFT_TIMEOUT), weft_status_str(WEFT_TIMEOUT)) };
}

#[test]
fn unknown_statuses_are_named_unknown() {
    for value in [-1, 17, 99, i32::MIN, i32::MAX] {
        assert_eq!(name(value), "WEFT_UNKNOWN", "{value}");
    }
}

#[test]
fn flag_kind_and_time_constants() {
    assert_eq!(WEFT_LOCK_FIFO, 0);
    assert_eq!(WEFT_LOCK_THROUGHPUT, 1);
    assert_eq!(WEFT_EVENT_ONE_TIME, 0);
    assert_eq!(WEFT_EVENT_REUSABLE, 1);
    assert_eq!(WEFT_LIMITER_PLAIN, 0);
    assert_eq!(WEFT_LIMITER_REENTRANT, 1);
    assert_eq!(WEFT_BARRIER_LATCH, 0);
    assert_eq!(WEFT_BARRIER_CYCLIC, 1);
    assert_eq!(WEFT_BARRIER_RESETTABLE, 2);
    // `(int64_t)` in the header: typed i64 here (a type error otherwise).
    let times: [i64; 5] = [WEFT_FOREVER, WEFT_NS, WEFT_US, WEFT_MS, WEFT_SECOND];
    assert_eq!(times, [-1, 1, 1_000, 1_000_000, 1_000_000_000]);
}

#[test]
fn owner_tokens() {
    let me = thread_owner();
    assert_eq!(me, thread_owner(), "a thread's token is stable");
    let other = std::thread::spawn(thread_owner).join().unwrap();
    assert_ne!(me, other, "threads have different tokens");
    let (a, b) = (new_owner(), new_owner());
    assert_ne!(a, b);
    assert!(a != me && b != me && a != other && b != other);
    // SAFETY: NULL out-pointers are rejected.
    unsafe {
        expect!(weft_thread_owner(std::ptr::null_mut()), WEFT_INVALID);
        expect!(weft_owner_new(std::ptr::null_mut()), WEFT_INVALID);
    }
}

/// bindgen's layout assertions for `weft_completion` are compile-time (`const _` items in
/// the generated bindings, kept by `layout_tests(true)`), and src/lib.rs compares the
/// layout with the library's struct; this restates the expected C layout at run time.
#[test]
fn completion_layout() {
    use std::mem::{align_of, offset_of, size_of};
    let pointer = size_of::<*mut std::ffi::c_void>();
    assert_eq!(offset_of!(weft_completion, arg), 0);
    assert_eq!(offset_of!(weft_completion, status), pointer);
    assert_eq!(size_of::<weft_status>(), 4);
    assert_eq!(
        size_of::<weft_completion>(),
        (pointer + 4).next_multiple_of(align_of::<*mut std::ffi::c_void>())
    );
    assert_eq!(
        align_of::<weft_completion>(),
        align_of::<*mut std::ffi::c_void>()
    );
    if cfg!(target_pointer_width = "64") {
        assert_eq!(size_of::<weft_completion>(), 16);
        assert_eq!(align_of::<weft_completion>(), 8);
    }
}
