//! Loom models of the queue paths `docs/architecture.md` lists as the delicate ones and
//! that tests/loom.rs did not cover yet: the briefly mixed line (a getter joining behind a
//! putter while a get is between its two counting steps: a locked store's pop and its
//! count), and `unget` racing a shutdown (plain and immediate) with a getter joining. Run
//! like tests/loom.rs:
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release --test loom_queue_paths`.
//!
//! Not here: the late push after a FIFO queue grew. Where the FIFO lane is crossbeam's ring
//! and segmented queue (this branch's base), loom cannot look inside it (the lane is a
//! locked deque under loom) and tests/queue_grow_race.rs races the growth in the real
//! build instead; weft's own lane (src/queue/lane.rs, on main since the queue merge) is
//! loom-modelled, growth and late pushes included, in tests/loom_queue_lane.rs.
#![cfg(loom)]

mod loom_support;

use std::sync::Arc;

use loom::sync::atomic::{AtomicU64, Ordering};
use loom::thread;
use loom_support::{model, no_arg, poll_all};
use weft::{Deadline, Queue, QueueKind, Started, Status};

fn fifo(capacity: Option<usize>) -> Arc<Queue> {
    Arc::new(Queue::new(QueueKind::Fifo, capacity, None).unwrap())
}

/// A full LIFO queue (capacity 1, item 1). One thread gets it (a fast get: pop from the
/// locked store, then count; a FIFO lane whose end is the counter has no such gap);
/// meanwhile the main thread starts an async put of 2, then an async get. If the get
/// thread is between its pop and its count, the put finds the queue full and joins, and
/// the async get finds it empty and joins *behind the putter*: the mixed line. The get's
/// count then lets the putter in, and the getter behind it must be served with item 2.
/// Whatever the interleaving: both items are got exactly once, both ops complete `Ok`, and
/// nobody is left in line.
#[test]
fn queue_getter_behind_putter_is_served() {
    // Interleavings that reached the mixed line (both ops pending at once), counted from
    // outside the model: the model must reach it, or it checks nothing new.
    static MIXED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    model("queue_getter_behind_putter_is_served", || {
        let q = Arc::new(Queue::new(QueueKind::Lifo, Some(1), None).unwrap());
        let port = weft::Port::new().unwrap();
        assert_eq!(q.try_put(1, 0), Status::Ok);
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.get(Deadline::Never))
        };
        let put = q.put_async(2, 0, Some(&port), None, no_arg());
        let (get, item) = q.get_async(Some(&port), None, no_arg());
        if matches!((&put, &get), (Started::Pending(_), Started::Pending(_))) {
            MIXED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let got_by_thread = getter.join().unwrap().expect("the thread's get");
        // The op's item: at once, or through the port (the thread joined: all is settled).
        let got_by_op = match get {
            Started::Done(status) => {
                assert_eq!(status, Status::Ok);
                item
            }
            Started::Pending(op) => {
                assert_eq!(
                    op.status(),
                    Status::Ok,
                    "the getter behind the putter was stranded"
                );
                op.value()
            }
        };
        match put {
            Started::Done(status) => assert_eq!(status, Status::Ok),
            Started::Pending(op) => assert_eq!(op.status(), Status::Ok, "the putter was stranded"),
        }
        let mut items = [got_by_thread, got_by_op];
        items.sort_unstable();
        assert_eq!(items, [1, 2], "each item got exactly once");
        assert_eq!(q.len(), 0);
        assert_eq!(q.waiting(), (0, 0));
        assert!(poll_all(&port).iter().all(|d| d.status == Status::Ok));
    });
    let mixed = MIXED.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("loom: queue_getter_behind_putter_is_served: the mixed line in {mixed} of them");
    assert!(mixed > 0, "no interleaving put a getter behind a putter");
}

/// `unget` racing a shutdown while a getter waits (or is joining): the item put back is
/// delivered exactly once: to the getter (its op completes `Ok` with it), or left for a
/// drain after a plain shutdown, or discarded (the destructor sees it) after an immediate
/// one. The getter always completes: `Ok` or `Closed`.
/// Which of the three outcomes the interleavings reached (getter, drain, discard).
type Outcomes = [std::sync::atomic::AtomicUsize; 3];

fn unget_races_shutdown(immediate: bool, outcomes: &Outcomes) {
    let discarded = Arc::new(AtomicU64::new(0));
    let sink = discarded.clone();
    let q = Arc::new(
        Queue::new(
            QueueKind::Fifo,
            None,
            Some(Box::new(move |item| {
                sink.fetch_add(item, Ordering::SeqCst);
            })),
        )
        .unwrap(),
    );
    let port = weft::Port::new().unwrap();
    let returner = {
        let q = q.clone();
        thread::spawn(move || q.unget(7))
    };
    let (started, _) = q.get_async(Some(&port), None, no_arg());
    q.shutdown(immediate);
    returner.join().unwrap();
    let to_getter = match started {
        Started::Done(Status::Ok) => true,
        Started::Done(status) => {
            assert_eq!(status, Status::Closed);
            false
        }
        Started::Pending(op) => match op.status() {
            Status::Ok => {
                assert_eq!(op.value(), 7);
                true
            }
            status => {
                assert_eq!(status, Status::Closed, "the getter was left pending");
                false
            }
        },
    };
    let drained = match q.try_get() {
        Ok(item) => {
            assert_eq!(item, 7);
            assert_eq!(q.try_get(), Err(Status::Closed));
            true
        }
        Err(status) => {
            assert_eq!(status, Status::Closed);
            false
        }
    };
    let was_discarded = discarded.load(Ordering::SeqCst) == 7;
    for (seen, reached) in outcomes.iter().zip([to_getter, drained, was_discarded]) {
        if reached {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
    assert_eq!(
        [to_getter, drained, was_discarded]
            .iter()
            .filter(|&&b| b)
            .count(),
        1,
        "item 7 delivered exactly once (getter {to_getter}, drain {drained}, discard {was_discarded})"
    );
    if immediate {
        assert!(!drained, "an immediate shutdown leaves nothing to drain");
    } else {
        assert!(!was_discarded, "a plain shutdown discards nothing");
    }
    assert_eq!(q.waiting(), (0, 0));
}

fn check_unget_races_shutdown(immediate: bool) {
    static PLAIN: Outcomes = [const { std::sync::atomic::AtomicUsize::new(0) }; 3];
    static IMMEDIATE: Outcomes = [const { std::sync::atomic::AtomicUsize::new(0) }; 3];
    let outcomes = if immediate { &IMMEDIATE } else { &PLAIN };
    let name = format!("queue_unget_races_shutdown(immediate: {immediate})");
    model(&name, move || unget_races_shutdown(immediate, outcomes));
    let [getter, drain, discard] = outcomes
        .each_ref()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed));
    eprintln!("loom: {name}: item to the getter {getter}, drained {drain}, discarded {discard}");
    assert!(getter > 0, "no interleaving handed the item to the getter");
    assert!(
        drain + discard > 0,
        "no interleaving left the item to the shutdown"
    );
}

#[test]
fn queue_unget_races_shutdown() {
    check_unget_races_shutdown(false);
}

#[test]
fn queue_unget_races_immediate_shutdown() {
    check_unget_races_shutdown(true);
}

/// `unget` racing a getter that is joining the line (a blocking get on an empty queue):
/// the getter always receives the item put back; nothing is left behind.
#[test]
fn queue_unget_races_joining_getter() {
    model("queue_unget_races_joining_getter", || {
        let q = fifo(None);
        let returner = {
            let q = q.clone();
            thread::spawn(move || q.unget(7))
        };
        assert_eq!(q.get(Deadline::Never), Ok(7));
        returner.join().unwrap();
        assert_eq!(q.len(), 0);
        assert_eq!(q.waiting(), (0, 0));
    });
}
