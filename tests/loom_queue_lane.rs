//! Model checks of a FIFO queue's lane (`src/queue/lane.rs`): a ring of stamped slots
//! whose two ends are the queue's pushed/popped counters, chained to a ring twice the size
//! when it fills while the queue has room. Run by
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom_queue_lane` (ctest's
//! `loom_queue_lane`). Under loom an unbounded lane starts on a ring of 2 slots, so three
//! items already make it grow.
#![cfg(loom)]

use std::sync::Arc;

use loom::thread;
use weft::{Deadline, Queue, QueueKind, Status};

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(2);
    }
    builder.check(f);
}

fn fifo(capacity: Option<usize>) -> Arc<Queue> {
    Arc::new(Queue::new(QueueKind::Fifo, capacity, None).unwrap())
}

/// Takes what is inside now, in order.
fn drain(q: &Queue) -> Vec<u64> {
    std::iter::from_fn(|| q.try_get().ok()).collect()
}

/// Two producers filling a 2-slot ring at once, so that one of them links the next ring
/// while the other claims slots: every item lands exactly once, each producer's in order.
#[test]
fn lane_grows_under_two_producers() {
    model(|| {
        let q = fifo(None);
        assert_eq!(q.try_put(10, 0), Status::Ok);
        let other = {
            let q = q.clone();
            thread::spawn(move || {
                assert_eq!(q.try_put(20, 0), Status::Ok);
                assert_eq!(q.try_put(21, 0), Status::Ok);
            })
        };
        assert_eq!(q.try_put(11, 0), Status::Ok);
        other.join().unwrap();
        let got = drain(&q);
        assert_eq!(got.len(), 4, "{got:?}");
        let of =
            |base: u64| -> Vec<u64> { got.iter().copied().filter(|&i| i / 10 == base).collect() };
        assert_eq!(of(1), [10, 11]);
        assert_eq!(of(2), [20, 21]);
        assert_eq!(q.len(), 0);
    });
}

/// A consumer popping across the boundary between a ring and the one linked after it,
/// while the producer is still filling (and growing) the lane: the items come out in
/// order, none lost or taken twice.
#[test]
fn lane_pops_across_rings_in_order() {
    model(|| {
        let q = fifo(None);
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                for item in 1..=3 {
                    assert_eq!(q.try_put(item, 0), Status::Ok);
                }
            })
        };
        let mut got = Vec::new();
        while got.len() < 3 {
            match q.get(Deadline::Never) {
                Ok(item) => got.push(item),
                Err(status) => panic!("{status:?}"),
            }
        }
        producer.join().unwrap();
        assert_eq!(got, [1, 2, 3]);
        assert_eq!(q.try_get(), Err(Status::WouldBlock));
    });
}

/// A full ring (capacity 2, ring of 2): a push must wait for the slot a pop frees, never
/// overwrite the item one lap back, and a pop never says "empty" while a push it cannot
/// see yet has claimed the slot (two consumers race for the items).
#[test]
fn lane_full_ring_reuses_slots_in_laps() {
    model(|| {
        let q = fifo(Some(2));
        assert_eq!(q.try_put(1, 0), Status::Ok);
        assert_eq!(q.try_put(2, 0), Status::Ok);
        let consumer = {
            let q = q.clone();
            thread::spawn(move || q.get(Deadline::Never).unwrap())
        };
        assert_eq!(q.put(3, 0, Deadline::Never), Status::Ok);
        let first = consumer.join().unwrap();
        assert_eq!(first, 1);
        assert_eq!(drain(&q), [2, 3]);
    });
}

/// A capacity raised past the ring while a putter finds the ring full: the putter gets in
/// (the lane links a bigger ring), and the order holds.
#[test]
fn lane_grows_past_a_raised_capacity() {
    model(|| {
        let q = fifo(Some(2));
        assert_eq!(q.try_put(1, 0), Status::Ok);
        assert_eq!(q.try_put(2, 0), Status::Ok);
        let putter = {
            let q = q.clone();
            thread::spawn(move || q.put(3, 0, Deadline::Never))
        };
        assert_eq!(q.set_capacity(Some(3)), Status::Ok);
        assert_eq!(putter.join().unwrap(), Status::Ok);
        assert_eq!(q.try_put(4, 0), Status::WouldBlock, "beyond the capacity");
        assert_eq!(drain(&q), [1, 2, 3]);
    });
}

/// A peek moves the next item from the lane to the front list, counting it in front
/// first: a racing put on a full queue never sees the size one too low (it would go in
/// beyond the capacity), and a putter turned away while the size read one too high is let
/// in by the peek itself once it is done (no get comes to do it).
#[test]
fn lane_peek_keeps_the_capacity() {
    model(|| {
        let q = fifo(Some(2));
        assert_eq!(q.try_put(1, 0), Status::Ok);
        let putter = {
            let q = q.clone();
            thread::spawn(move || {
                assert_eq!(q.put(2, 0, Deadline::Never), Status::Ok);
                assert_eq!(q.try_put(3, 0), Status::WouldBlock, "beyond the capacity");
            })
        };
        assert_eq!(q.peek(), Ok(1));
        putter.join().unwrap();
        assert_eq!(drain(&q), [1, 2]);
    });
}
