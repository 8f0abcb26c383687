//! Model checks of the condition's rule (issue 18): a waiter that `notify` counted either
//! returns notified, holding the lock, or its notification goes to the next waiter; and a
//! wait that ended without being notified holds nothing when its completion runs.
//! Run by `RUSTFLAGS="--cfg loom" cargo test --release --test loom_condition` (ctest's
//! `loom_condition`), with `LOOM_MAX_PREEMPTIONS=2` (the default set below).
//!
//! The first four models have two waiters, A then B, so a notification that A drops has
//! somewhere to go. B waits on its own port; A gives up by its op's cancel or by its port
//! closing. The last two start A through the C ABI, whose `*op_out` lets another thread
//! cancel A while `weft_cond_wait_async` is still running.
#![cfg(loom)]

use std::ffi::c_void;
use std::sync::Arc;

use loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use loom::thread;
use weft::ffi::condition::{
    weft_cond, weft_cond_free, weft_cond_new, weft_cond_notify, weft_cond_wait_async,
    weft_cond_waiting,
};
use weft::ffi::lock::{
    WEFT_LOCK_FIFO, weft_lock, weft_lock_acquire_as, weft_lock_free, weft_lock_new,
    weft_lock_owner, weft_lock_release_as,
};
use weft::ffi::op::{weft_op, weft_op_cancel, weft_op_free};
use weft::{Condition, Deadline, Fairness, Lock, Port, Status};

mod loom_support;
use loom_support::{pending, poll_all};

fn model(f: impl Fn() + Sync + Send + 'static) {
    loom_support::model(std::thread::current().name().unwrap_or("loom_condition"), f);
}

const A: u64 = 10;
const B: u64 = 11;
const NOTIFIER: u64 = 1;

/// Reads the bound lock's owner (0: free), or `None` for a lockless condition.
type OwnerOf = Box<dyn Fn() -> u64 + Send + Sync>;

/// What A's callback saw when it ran: its status, and the lock's owner at that moment.
struct Seen {
    owner_of: Option<OwnerOf>,
    calls: AtomicUsize,
    status: AtomicU64,
    owner_then: AtomicU64,
}

impl Seen {
    fn new(lock: Option<Arc<Lock>>) -> Arc<Seen> {
        Seen::watching(lock.map(|lock| Box::new(move || lock.owner()) as OwnerOf))
    }

    /// For a lock reached through the C ABI (a `*mut weft_lock` the model keeps alive).
    fn of_c_lock(lock: *mut weft_lock) -> Arc<Seen> {
        let handle = lock as usize; // a raw pointer is not `Send`
        Seen::watching(Some(Box::new(move || {
            let mut owner = u64::MAX;
            assert_eq!(weft_lock_owner(handle as *const weft_lock, &mut owner), 0);
            owner
        })))
    }

    fn watching(owner_of: Option<OwnerOf>) -> Arc<Seen> {
        Arc::new(Seen {
            owner_of,
            calls: AtomicUsize::new(0),
            status: AtomicU64::new(u64::MAX),
            owner_then: AtomicU64::new(u64::MAX),
        })
    }

    fn arg(self: &Arc<Self>) -> *mut c_void {
        Arc::as_ptr(self) as *mut c_void
    }

    /// Checks what A's completion saw: once; with the lock if notified, without if not.
    fn check(&self) -> bool {
        assert_eq!(
            self.calls.load(Ordering::SeqCst),
            1,
            "A completes exactly once"
        );
        let notified = self.status.load(Ordering::SeqCst) == Status::Ok.code() as u64;
        if !notified {
            assert_eq!(
                self.status.load(Ordering::SeqCst),
                Status::Cancelled.code() as u64
            );
        }
        if self.owner_of.is_some() {
            let owner = self.owner_then.load(Ordering::SeqCst);
            if notified {
                assert_eq!(owner, A, "a notified wait completes holding the lock");
            } else {
                assert_ne!(owner, A, "a cancelled wait completes holding nothing");
            }
        }
        notified
    }
}

unsafe extern "C" fn record_a(arg: *mut c_void, status: i32) {
    // SAFETY: the models pass `Seen::arg` of a `Seen` they keep alive until the end.
    let seen = unsafe { &*(arg as *const Seen) };
    let owner = seen.owner_of.as_ref().map_or(0, |owner_of| owner_of());
    seen.owner_then.store(owner, Ordering::SeqCst);
    seen.status.store(status as u64, Ordering::SeqCst);
    seen.calls.fetch_add(1, Ordering::SeqCst);
}

/// A (callback) and B (port) wait; the lock is free. A notify that hands A the free lock
/// at once races A's cancel: the cancel wins before the notify takes A (the notification
/// goes to B, and A's completion runs without the lock) or loses (A holds the lock).
#[test]
fn notify_with_free_lock_races_cancel() {
    model(|| {
        let lock = Arc::new(Lock::new(Fairness::Fifo));
        let cond = Arc::new(Condition::new(Some(lock.clone())));
        let port_b = Port::new().unwrap();
        let seen = Seen::new(Some(lock.clone()));
        assert_eq!(lock.acquire(A, 1, Deadline::Never), Status::Ok);
        let op_a = pending(cond.wait_async(A, None, Some(record_a), seen.arg()));
        assert_eq!(lock.acquire(B, 1, Deadline::Never), Status::Ok);
        let _op_b = pending(cond.wait_async(B, Some(&port_b), None, std::ptr::null_mut()));

        let notifier = {
            let cond = cond.clone();
            thread::spawn(move || cond.notify(1))
        };
        let answer = op_a.cancel();
        let counted = notifier.join().unwrap();
        assert_eq!(counted, 1);
        let a_notified = seen.check();
        assert_eq!(answer == Status::Ok, a_notified);

        let b = poll_all(&port_b);
        if a_notified {
            assert!(b.is_empty(), "one notification, one waiter woken");
            assert_eq!(cond.waiting(), 1);
            assert_eq!(lock.release(A, 1), Status::Ok);
        } else {
            assert_eq!(b.len(), 1, "the notification went on to B");
            assert_eq!(b[0].status, Status::Ok);
            assert_eq!(lock.owner(), B);
            assert_eq!(lock.release(B, 1), Status::Ok);
        }
    });
}

/// The notifier holds a reentrant lock while it notifies, so A (depth 2) is moved into
/// the lock's line; A's cancel races both the move and the release that hands it the
/// lock. Either A wakes with its depth, or B does, never neither.
#[test]
fn notify_into_rlock_line_races_cancel() {
    model(|| {
        let lock = Arc::new(Lock::new_reentrant(Fairness::Fifo));
        let cond = Arc::new(Condition::new(Some(lock.clone())));
        let port_b = Port::new().unwrap();
        let seen = Seen::new(Some(lock.clone()));
        assert_eq!(lock.acquire(A, 2, Deadline::Never), Status::Ok);
        let op_a = pending(cond.wait_async(A, None, Some(record_a), seen.arg()));
        assert_eq!(lock.acquire(B, 1, Deadline::Never), Status::Ok);
        let _op_b = pending(cond.wait_async(B, Some(&port_b), None, std::ptr::null_mut()));

        let notifier = {
            let (lock, cond) = (lock.clone(), cond.clone());
            thread::spawn(move || {
                assert_eq!(lock.acquire(NOTIFIER, 1, Deadline::Never), Status::Ok);
                let counted = cond.notify(1);
                assert_eq!(lock.release(NOTIFIER, 1), Status::Ok);
                counted
            })
        };
        let answer = op_a.cancel();
        assert_eq!(notifier.join().unwrap(), 1);
        let a_notified = seen.check();
        assert_eq!(answer == Status::Ok, a_notified);
        let b = poll_all(&port_b);
        if a_notified {
            assert!(b.is_empty());
            assert_eq!(lock.depth_of(A), 2, "the depth comes back with the lock");
            assert_eq!(lock.release(A, 2), Status::Ok);
        } else {
            assert_eq!(b.len(), 1, "the notification went on to B");
            assert_eq!(lock.depth_of(B), 1);
            assert_eq!(lock.release(B, 1), Status::Ok);
        }
        assert!(!lock.is_locked());
    });
}

/// A's port closes while the notify is under way: whether A's grant is made before or
/// after the close, and whether it was queued in the port or not yet, the notification
/// (and the lock A was granted) goes on to B.
#[test]
fn port_close_after_notify_passes_it_on() {
    model(|| {
        let lock = Arc::new(Lock::new(Fairness::Fifo));
        let cond = Arc::new(Condition::new(Some(lock.clone())));
        let port_a = Port::new().unwrap();
        let port_b = Port::new().unwrap();
        assert_eq!(lock.acquire(A, 1, Deadline::Never), Status::Ok);
        let op_a = pending(cond.wait_async(A, Some(&port_a), None, std::ptr::null_mut()));
        assert_eq!(lock.acquire(B, 1, Deadline::Never), Status::Ok);
        let _op_b = pending(cond.wait_async(B, Some(&port_b), None, std::ptr::null_mut()));

        let notifier = {
            let cond = cond.clone();
            thread::spawn(move || cond.notify(1))
        };
        port_a.close();
        assert_eq!(notifier.join().unwrap(), 1);
        assert_eq!(op_a.status(), Status::Cancelled, "A's grant was given back");
        let b = poll_all(&port_b);
        assert_eq!(b.len(), 1, "the notification went on to B");
        assert_eq!(b[0].status, Status::Ok);
        assert_eq!(lock.owner(), B);
        assert_eq!(lock.release(B, 1), Status::Ok);
        assert_eq!(cond.waiting(), 0);
    });
}

/// A lockless condition: A's cancel races the notify; exactly one of A and B is notified.
#[test]
fn lockless_notify_races_cancel() {
    model(|| {
        let cond = Arc::new(Condition::new(None));
        let port_b = Port::new().unwrap();
        let seen = Seen::new(None);
        let op_a = pending(cond.wait_async(A, None, Some(record_a), seen.arg()));
        let _op_b = pending(cond.wait_async(B, Some(&port_b), None, std::ptr::null_mut()));
        let notifier = {
            let cond = cond.clone();
            thread::spawn(move || cond.notify(1))
        };
        let answer = op_a.cancel();
        assert_eq!(notifier.join().unwrap(), 1);
        let a_notified = seen.check();
        assert_eq!(answer == Status::Ok, a_notified);
        let b_notified = poll_all(&port_b).len();
        assert_eq!(
            usize::from(a_notified) + b_notified,
            1,
            "one notification lands once"
        );
        assert_eq!(cond.waiting(), 1 - b_notified);
    });
}

/// A, holding a plain lock, starts an async wait through the C ABI (`weft_cond_wait_async`
/// with a callback and an `*op_out` that other threads watch).
struct CStart {
    lock: *mut weft_lock,
    cond: *mut weft_cond,
    seen: Arc<Seen>,
    /// The C caller's `op_out`. A std atomic: the core writes it as a plain pointer
    /// (loom runs every model thread on one OS thread).
    op_out: Arc<std::sync::atomic::AtomicPtr<weft_op>>,
}

impl CStart {
    fn new() -> CStart {
        let mut lock: *mut weft_lock = std::ptr::null_mut();
        assert_eq!(weft_lock_new(WEFT_LOCK_FIFO, &mut lock), 0);
        let mut cond: *mut weft_cond = std::ptr::null_mut();
        assert_eq!(weft_cond_new(lock, &mut cond), 0);
        assert_eq!(weft_lock_acquire_as(lock, A, -1), 0);
        CStart {
            lock,
            cond,
            seen: Seen::of_c_lock(lock),
            op_out: Arc::new(std::sync::atomic::AtomicPtr::new(std::ptr::null_mut())),
        }
    }

    /// A thread that cancels A's op as soon as `*op_out` holds it, returning the answer.
    fn spawn_canceller(&self) -> thread::JoinHandle<i32> {
        let op_out = self.op_out.clone();
        let cond = self.cond as usize; // a raw pointer is not `Send`
        thread::spawn(move || {
            let op = loop {
                let op = op_out.load(std::sync::atomic::Ordering::SeqCst);
                if !op.is_null() {
                    break op;
                }
                thread::yield_now();
            };
            // Loom cannot see the plain write of `*op_out` order anything: taking the
            // condition's mutex (which the start held while it wrote the op out) shows
            // this thread the op. So the cancel lands once the start has dropped that
            // mutex: where the window was, between the link and the lock's release.
            let mut waiting = usize::MAX;
            assert_eq!(weft_cond_waiting(cond as *const weft_cond, &mut waiting), 0);
            weft_op_cancel(op)
        })
    }

    /// A starts waiting; the lock is released before this returns.
    fn start(&self) {
        let started = weft_cond_wait_async(
            self.cond,
            A,
            std::ptr::null_mut(),
            Some(record_a),
            self.seen.arg(),
            self.op_out.as_ptr(),
        );
        assert_eq!(started, Status::Pending.code());
    }

    fn owner(&self) -> u64 {
        (self.seen.owner_of.as_ref().unwrap())()
    }

    /// Checks that nothing is left (the lock free, nobody waiting) and frees everything.
    fn finish(self) {
        assert_eq!(self.owner(), 0, "the lock is free");
        let mut waiting = usize::MAX;
        assert_eq!(weft_cond_waiting(self.cond, &mut waiting), 0);
        assert_eq!(waiting, 0);
        let op = self.op_out.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(weft_op_free(op), 0);
        assert_eq!(weft_cond_free(self.cond), 0);
        assert_eq!(weft_lock_free(self.lock), 0);
    }
}

/// A's cancel lands while `weft_cond_wait_async` is still running: another thread reads
/// `*op_out` (written just before A joins the condition's line, so that a callback can
/// reach its op) and cancels at once. The cancel wins (nobody notifies), and A's
/// completion, run by the canceller, must find the lock no longer held in A's name: a
/// cancelled async wait completes without the lock. Fails on the code that released the
/// lock only after the start had dropped the condition's mutex.
#[test]
fn cancel_races_the_start() {
    model(|| {
        let a = CStart::new();
        let canceller = a.spawn_canceller();
        a.start();
        assert_eq!(canceller.join().unwrap(), Status::Cancelled.code());
        assert!(!a.seen.check(), "nobody notified A");
        a.finish();
    });
}

/// As `cancel_races_the_start`, with a notify racing both (from a thread that does not
/// hold the lock). A notify that comes before A joins counts nobody; one that comes after
/// finds the lock released and A in line, and A is notified (holding the lock) unless
/// its cancel won first. Never a notification counted and lost, never a deadlock.
#[test]
fn cancel_and_notify_race_the_start() {
    model(|| {
        let a = CStart::new();
        let canceller = a.spawn_canceller();
        let notifier = {
            let cond = a.cond as usize;
            thread::spawn(move || {
                let mut woken = usize::MAX;
                assert_eq!(weft_cond_notify(cond as *mut weft_cond, 1, &mut woken), 0);
                woken
            })
        };
        a.start();
        let answer = canceller.join().unwrap();
        let counted = notifier.join().unwrap();
        let a_notified = a.seen.check();
        assert_eq!(counted == 1, a_notified, "a counted notification reaches A");
        assert_eq!(answer == Status::Ok.code(), a_notified);
        if a_notified {
            assert_eq!(weft_lock_release_as(a.lock, A), 0);
        }
        a.finish();
    });
}
