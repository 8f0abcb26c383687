//! Helpers shared by the test binaries. Everything here calls the library through the
//! bindgen declarations of `weft_abi_tests` (include/weft.h) only.
#![allow(dead_code)]

use std::ffi::{CStr, c_void};
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

pub use weft_abi_tests::*;

/// A status's name, through `weft_status_str`.
pub fn name(status: weft_status) -> String {
    // SAFETY: weft_status_str returns a static NUL-terminated string (checked non-NULL).
    unsafe {
        let s = weft_status_str(status);
        assert!(!s.is_null(), "weft_status_str({status}) returned NULL");
        CStr::from_ptr(s).to_str().unwrap().to_owned()
    }
}

/// Asserts that a call returns the expected status, naming both (and the call) if not.
#[macro_export]
macro_rules! expect {
    ($call:expr, $status:expr) => {{
        let got: weft_status = $call;
        let want: weft_status = $status;
        assert!(
            got == want,
            "{} returned {} ({}), expected {} ({})",
            stringify!($call),
            $crate::common::name(got),
            got,
            $crate::common::name(want),
            want
        );
    }};
}

/// `expect!(call, WEFT_OK)`.
#[macro_export]
macro_rules! ok {
    ($call:expr) => {
        $crate::expect!($call, WEFT_OK)
    };
}

/// What a completion callback saw. Passed as the callback's `arg`; the callback only
/// records (a panic must never unwind into the library), the test asserts afterwards.
#[derive(Default)]
pub struct Record {
    pub calls: AtomicUsize,
    pub status: AtomicI32,
    pub thread: Mutex<Option<ThreadId>>,
}

impl Record {
    pub fn new() -> Box<Record> {
        Box::new(Record {
            calls: AtomicUsize::new(0),
            status: AtomicI32::new(-1),
            thread: Mutex::new(None),
        })
    }

    /// The `arg` to pass with [`record`] as the callback.
    pub fn arg(&self) -> *mut c_void {
        ptr::from_ref(self).cast_mut().cast()
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn status(&self) -> weft_status {
        self.status.load(Ordering::SeqCst)
    }

    pub fn thread(&self) -> Option<ThreadId> {
        *self.thread.lock().unwrap()
    }

    /// Asserts exactly one call, with `status`.
    pub fn called_once_with(&self, status: weft_status) {
        assert_eq!(self.calls(), 1, "callback calls");
        assert_eq!(name(self.status()), name(status), "callback status");
    }

    /// Waits (up to 10 s) for `n` calls in all, for a callback run by another thread.
    pub fn wait_calls(&self, n: usize) {
        let start = Instant::now();
        while self.calls() < n {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "callback never came"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// A `weft_callback`: records its call in the [`Record`] that `arg` points to.
pub unsafe extern "C" fn record(arg: *mut c_void, status: weft_status) {
    // SAFETY: every test passes a live `Record` as `arg` with this callback.
    let record = unsafe { &*arg.cast::<Record>() };
    if let Ok(mut thread) = record.thread.lock() {
        *thread = Some(std::thread::current().id());
    }
    record.status.store(status, Ordering::SeqCst);
    record.calls.fetch_add(1, Ordering::SeqCst);
}

/// A fresh owner token (`weft_owner_new`).
pub fn new_owner() -> u64 {
    let mut owner = 0;
    // SAFETY: valid out-pointer.
    unsafe { ok!(weft_owner_new(&mut owner)) };
    assert_ne!(owner, 0);
    owner
}

/// The calling thread's owner token (`weft_thread_owner`).
pub fn thread_owner() -> u64 {
    let mut owner = 0;
    // SAFETY: valid out-pointer.
    unsafe { ok!(weft_thread_owner(&mut owner)) };
    assert_ne!(owner, 0);
    owner
}

/// A new port.
pub fn new_port() -> *mut weft_port {
    let mut port = ptr::null_mut();
    // SAFETY: valid out-pointer.
    unsafe { ok!(weft_port_new(&mut port)) };
    assert!(!port.is_null());
    port
}

/// Everything pending on `port`, pulled with `weft_port_poll`.
pub fn pull(port: *mut weft_port) -> Vec<(*mut c_void, weft_status)> {
    let mut records = [weft_completion {
        arg: ptr::dangling_mut(),
        status: -1,
    }; 8];
    let mut all = Vec::new();
    loop {
        let mut n = usize::MAX;
        // SAFETY: `records` has room for 8 completions; valid out-pointer.
        unsafe {
            ok!(weft_port_poll(
                port,
                records.as_mut_ptr(),
                records.len(),
                &mut n
            ))
        };
        assert!(n <= records.len());
        all.extend(records[..n].iter().map(|c| (c.arg, c.status)));
        if n < records.len() {
            return all;
        }
    }
}

/// The number of completions pending on `port`.
pub fn pending(port: *mut weft_port) -> usize {
    let mut n = usize::MAX;
    // SAFETY: valid out-pointer.
    unsafe { ok!(weft_port_pending(port, &mut n)) };
    n
}

/// Whether the port's fd is readable now, by poll(2) with a zero timeout.
pub fn fd_readable(port: *mut weft_port) -> bool {
    let mut fd = -1;
    // SAFETY: valid out-pointer.
    unsafe { ok!(weft_port_fd(port, &mut fd)) };
    assert!(fd >= 0);
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut pollfd, 1, 0) };
    assert!(n >= 0, "poll failed");
    n == 1 && pollfd.revents & libc::POLLIN != 0
}

/// An op's current status (`weft_op_status`).
pub fn op_status(op: *mut weft_op) -> weft_status {
    let mut status = -1;
    // SAFETY: valid out-pointer; `op` is live.
    unsafe { ok!(weft_op_status(op, &mut status)) };
    status
}

/// Polls `probe` until it is true (10 s at most): for another thread to get in line.
pub fn eventually(what: &str, mut probe: impl FnMut() -> bool) {
    let start = Instant::now();
    while !probe() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A raw pointer that may cross to another thread (the handles are thread-safe).
#[derive(Clone, Copy, Debug)]
pub struct Shared<T>(pub *mut T);
// SAFETY: weft handles may be used from any thread.
unsafe impl<T> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Shared<T> {}
impl<T> Shared<T> {
    /// The pointer (a method, so that closures capture the whole `Shared`).
    pub fn get(self) -> *mut T {
        self.0
    }
}

/// A distinguishable `arg` that points to nothing.
pub fn tag(n: usize) -> *mut c_void {
    ptr::without_provenance_mut(n)
}
