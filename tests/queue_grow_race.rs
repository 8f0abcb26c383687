//! The late push after a FIFO queue grew past its first ring, raced in the real build. A
//! producer puts 1..=N into a queue that starts small while another thread grows the
//! capacity past the largest preallocated ring (or makes it unbounded) at a different
//! point of the stream each round, so puts that looked before the growth land after it,
//! while two consumers take items. Every item must come out exactly once, and each
//! consumer must see the producer's items in increasing order. (Loom models of the lane
//! itself, where the lane is weft's own: tests/loom_queue_lane.rs.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use weft::{Deadline, Queue, QueueKind, Status};

/// Rounds per run (`WEFT_GROW_ROUNDS` for a longer one).
fn rounds() -> usize {
    std::env::var("WEFT_GROW_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(60)
}
const ITEMS: u64 = 200;

fn one_round(round: usize) {
    let q = Arc::new(Queue::new(QueueKind::Fifo, Some(4), None).unwrap());
    let start = Arc::new(Barrier::new(4));
    let taken = Arc::new(AtomicU64::new(0));
    let producer = {
        let (q, start) = (q.clone(), start.clone());
        thread::spawn(move || {
            start.wait();
            for item in 1..=ITEMS {
                assert_eq!(q.put(item, 0, Deadline::Never), Status::Ok);
            }
        })
    };
    let grower = {
        let (q, start, taken) = (q.clone(), start.clone(), taken.clone());
        thread::spawn(move || {
            start.wait();
            // Grow at a different point of the stream each round, while puts are running.
            let when = (round as u64 * 37) % (ITEMS - 10);
            while taken.load(Ordering::Relaxed) < when {
                thread::yield_now();
            }
            // Past the largest ring (65536) or unbounded: either leaves the ring for good.
            let capacity = if round % 2 == 0 { Some(70_000) } else { None };
            assert_eq!(q.set_capacity(capacity), Status::Ok);
        })
    };
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let (q, start, taken) = (q.clone(), start.clone(), taken.clone());
            thread::spawn(move || {
                start.wait();
                let mut seen = Vec::new();
                loop {
                    match q.get(Deadline::Never) {
                        Ok(0) => return seen,
                        Ok(item) => {
                            if let Some(&last) = seen.last() {
                                assert!(item > last, "round {round}: {item} came after {last}");
                            }
                            seen.push(item);
                            taken.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(status) => panic!("round {round}: get answered {status:?}"),
                    }
                }
            })
        })
        .collect();
    producer.join().unwrap();
    grower.join().unwrap();
    // One stop marker per consumer (0 is never a real item).
    for _ in 0..2 {
        assert_eq!(q.put(0, 0, Deadline::Never), Status::Ok);
    }
    let mut all: Vec<u64> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=ITEMS).collect::<Vec<_>>(),
        "round {round}: lost or duplicated"
    );
    assert!(q.is_empty());
}

#[test]
fn late_push_after_growth_keeps_every_item_once_and_in_order() {
    for round in 0..rounds() {
        one_round(round);
    }
}
