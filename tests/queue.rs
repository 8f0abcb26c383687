#![allow(clippy::manual_dangling_ptr)] // small integers stand in for callers' args
//! Behaviour of the queue core: orders, fairness, shutdown, tasks, batches, the port
//! give-back, and a stress run where every item must arrive exactly once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use weft::queue::Discard;
use weft::{Deadline, Delivered, Port, Queue, QueueKind, Started, Status};

fn with_watchdog(seconds: u64, body: impl FnOnce()) {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let watchdog = thread::spawn(move || {
        for _ in 0..seconds * 10 {
            if flag.load(Ordering::SeqCst) {
                return;
            }
            thread::sleep(Duration::from_millis(100));
        }
        eprintln!("watchdog: test hung (lost wakeup?)");
        std::process::abort();
    });
    body();
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
}

fn wait_until(mut cond: impl FnMut() -> bool) {
    while !cond() {
        thread::sleep(Duration::from_micros(200));
    }
}

fn soon() -> Deadline {
    Deadline::after(Duration::from_millis(2))
}

/// A discard callback that records what it was given.
fn recorder() -> (Discard, Arc<Mutex<Vec<u64>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (Box::new(move |item| sink.lock().unwrap().push(item)), seen)
}

fn pending(started: Started) -> weft::Op {
    match started {
        Started::Pending(op) => op,
        Started::Done(status) => panic!("expected Pending, got Done({status:?})"),
    }
}

fn no_delivery() -> Delivered {
    Delivered {
        arg: std::ptr::null_mut(),
        status: Status::Internal,
    }
}

#[test]
fn orders_of_each_kind() {
    let fifo = Queue::new(QueueKind::Fifo, None, None).unwrap();
    let lifo = Queue::new(QueueKind::Lifo, None, None).unwrap();
    let prio = Queue::new(QueueKind::Priority, None, None).unwrap();
    for (item, priority) in [(1, 3), (2, 1), (3, 3), (4, -5)] {
        for q in [&fifo, &lifo, &prio] {
            assert_eq!(q.try_put(item, priority), Status::Ok);
        }
    }
    let drain = |q: &Queue| (0..4).map(|_| q.try_get().unwrap()).collect::<Vec<_>>();
    assert_eq!(drain(&fifo), [1, 2, 3, 4]);
    assert_eq!(drain(&lifo), [4, 3, 2, 1]);
    assert_eq!(drain(&prio), [4, 2, 1, 3]);
    assert_eq!(fifo.try_get(), Err(Status::WouldBlock));
    assert_eq!(fifo.get(soon()), Err(Status::Timeout));
}

#[test]
fn bounded_put_waits_and_capacity_growth_lets_putters_in_order() {
    with_watchdog(30, || {
        let q = Arc::new(Queue::new(QueueKind::Fifo, Some(1), None).unwrap());
        assert_eq!(q.capacity(), Some(1));
        assert_eq!(q.try_put(1, 0), Status::Ok);
        assert_eq!(q.try_put(2, 0), Status::WouldBlock);
        assert_eq!(q.put(2, 0, soon()), Status::Timeout);
        let port = Port::new().unwrap();
        let a = pending(q.put_async(2, 0, Some(&port), None, std::ptr::null_mut()));
        let b = pending(q.put_async(3, 0, Some(&port), None, std::ptr::null_mut()));
        let c = pending(q.put_async(4, 0, Some(&port), None, std::ptr::null_mut()));
        assert_eq!(q.waiting(), (3, 0));
        // A try never overtakes the line, even once a slot frees up.
        assert_eq!(q.try_get(), Ok(1));
        assert_eq!(
            a.status(),
            Status::Ok,
            "the first putter took the free slot"
        );
        assert_eq!(q.try_put(9, 0), Status::WouldBlock);
        assert_eq!(b.cancel(), Status::Cancelled);
        assert_eq!(q.set_capacity(Some(0)), Status::Invalid);
        assert_eq!(q.set_capacity(Some(3)), Status::Ok);
        assert_eq!(c.status(), Status::Ok);
        assert_eq!(q.waiting(), (0, 0));
        assert_eq!(q.len(), 2);
        assert_eq!(q.try_get(), Ok(2));
        assert_eq!(q.try_get(), Ok(4), "the cancelled put never went in");
        assert_eq!(q.unfinished(), 3);
        let mut out = [no_delivery(); 4];
        assert_eq!(port.poll(&mut out), 3);
    });
}

#[test]
fn put_hands_items_to_waiting_getters_in_order() {
    with_watchdog(30, || {
        let q = Arc::new(Queue::new(QueueKind::Fifo, Some(4), None).unwrap());
        let port = Port::new().unwrap();
        let (first, none) = q.get_async(Some(&port), None, 1 as *mut _);
        assert_eq!(none, 0);
        let first = pending(first);
        let second = pending(q.get_async(Some(&port), None, 2 as *mut _).0);
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.get(Deadline::Never))
        };
        wait_until(|| q.waiting() == (0, 3));
        assert_eq!(second.cancel(), Status::Cancelled);
        for item in [10, 11] {
            assert_eq!(q.try_put(item, 0), Status::Ok);
        }
        assert_eq!(first.status(), Status::Ok);
        assert_eq!(first.value(), 10);
        assert_eq!(getter.join().unwrap(), Ok(11));
        assert_eq!(q.len(), 0, "both items went straight to getters");
    });
}

#[test]
fn shutdown_drains_then_closes_and_wakes_every_face() {
    with_watchdog(30, || {
        let q = Arc::new(Queue::new(QueueKind::Fifo, Some(1), None).unwrap());
        let port = Port::new().unwrap();
        assert_eq!(q.try_put(1, 0), Status::Ok);
        let blocked_putter = {
            let q = q.clone();
            thread::spawn(move || q.put(2, 0, Deadline::Never))
        };
        let async_putter = pending(q.put_async(3, 0, Some(&port), None, std::ptr::null_mut()));
        wait_until(|| q.waiting() == (2, 0));
        q.shutdown(false);
        assert!(q.is_shutdown());
        assert_eq!(blocked_putter.join().unwrap(), Status::Closed);
        assert_eq!(async_putter.status(), Status::Closed);
        assert_eq!(q.try_put(4, 0), Status::Closed);
        assert_eq!(q.try_get(), Ok(1), "gets drain what is left");
        assert_eq!(q.try_get(), Err(Status::Closed));
        assert_eq!(q.get(Deadline::Never), Err(Status::Closed));
        assert!(matches!(
            q.get_async(Some(&port), None, std::ptr::null_mut()).0,
            Started::Done(Status::Closed)
        ));

        let q = Arc::new(Queue::new(QueueKind::Fifo, None, None).unwrap());
        let getter = {
            let q = q.clone();
            thread::spawn(move || q.get(Deadline::Never))
        };
        let async_getter = pending(q.get_async(Some(&port), None, std::ptr::null_mut()).0);
        wait_until(|| q.waiting() == (0, 2));
        q.shutdown(false);
        assert_eq!(getter.join().unwrap(), Err(Status::Closed));
        assert_eq!(async_getter.status(), Status::Closed);
    });
}

#[test]
fn immediate_shutdown_discards_and_finishes_tasks() {
    with_watchdog(30, || {
        let (discard, seen) = recorder();
        let q = Arc::new(Queue::new(QueueKind::Lifo, None, Some(discard)).unwrap());
        for item in 1..=3 {
            assert_eq!(q.try_put(item, 0), Status::Ok);
        }
        assert_eq!(q.try_get(), Ok(3));
        let joiner = {
            let q = q.clone();
            thread::spawn(move || q.join(Deadline::Never))
        };
        wait_until(|| q.unfinished() == 3);
        q.shutdown(true);
        assert_eq!(*seen.lock().unwrap(), [2, 1]);
        assert_eq!(q.unfinished(), 1, "the item taken out is still unfinished");
        assert_eq!(q.task_done(), Status::Ok);
        assert_eq!(joiner.join().unwrap(), Status::Ok);
        assert_eq!(q.task_done(), Status::Overflow);
        assert_eq!(q.try_get(), Err(Status::Closed));
    });
}

#[test]
fn clear_and_drop_discard_what_is_inside() {
    let (discard, seen) = recorder();
    let q = Queue::new(QueueKind::Fifo, Some(2), Some(discard)).unwrap();
    assert_eq!(
        q.put_many(&[1, 2, 3], None, Deadline::Within(0)),
        (Status::WouldBlock, 2)
    );
    assert_eq!(q.peek(), Ok(1));
    assert_eq!(q.clear(), 2);
    assert_eq!(q.unfinished(), 0);
    assert_eq!(q.peek(), Err(Status::WouldBlock));
    assert_eq!(q.put_many(&[4, 5], None, Deadline::Never), (Status::Ok, 2));
    drop(q);
    assert_eq!(*seen.lock().unwrap(), [1, 2, 4, 5]);
}

#[test]
fn batches_put_and_get_in_order() {
    with_watchdog(30, || {
        let q = Arc::new(Queue::new(QueueKind::Priority, Some(3), None).unwrap());
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                let items: Vec<u64> = (1..=10).collect();
                let priorities: Vec<i64> = items.iter().map(|&i| -(i as i64)).collect();
                q.put_many(&items, Some(&priorities), Deadline::Never)
            })
        };
        let mut got = Vec::new();
        let mut out = [0u64; 4];
        while got.len() < 10 {
            let (status, n) = q.get_many(&mut out, Deadline::Never);
            assert_eq!(status, Status::Ok);
            assert!(n >= 1);
            got.extend_from_slice(&out[..n]);
        }
        assert_eq!(producer.join().unwrap(), (Status::Ok, 10));
        got.sort_unstable();
        assert_eq!(got, (1..=10).collect::<Vec<_>>());
        assert_eq!(
            q.get_many(&mut out, Deadline::Within(0)),
            (Status::WouldBlock, 0)
        );
        assert_eq!(q.get_many(&mut out, soon()), (Status::Timeout, 0));
        q.shutdown(false);
        assert_eq!(q.get_many(&mut out, Deadline::Never), (Status::Closed, 0));
        assert_eq!(q.put_many(&[1], None, Deadline::Never), (Status::Closed, 0));
    });
}

#[test]
fn join_waits_for_every_task_in_every_face() {
    with_watchdog(30, || {
        let q = Arc::new(Queue::new(QueueKind::Fifo, None, None).unwrap());
        let port = Port::new().unwrap();
        assert!(matches!(
            q.join_async(Some(&port), None, std::ptr::null_mut()),
            Started::Done(Status::Ok)
        ));
        assert_eq!(q.try_put(1, 0), Status::Ok);
        assert_eq!(q.try_put(2, 0), Status::Ok);
        let joined = pending(q.join_async(Some(&port), None, std::ptr::null_mut()));
        assert_eq!(q.join(soon()), Status::Timeout);
        assert_eq!(q.try_get(), Ok(1));
        assert_eq!(q.task_done(), Status::Ok);
        assert_eq!(joined.status(), Status::Pending);
        assert_eq!(q.try_get(), Ok(2));
        assert_eq!(q.task_done(), Status::Ok);
        assert_eq!(joined.status(), Status::Ok);
        assert_eq!(q.join(Deadline::Never), Status::Ok);
    });
}

#[test]
fn an_item_whose_port_closed_goes_back_in_front() {
    let (discard, seen) = recorder();
    let q = Arc::new(Queue::new(QueueKind::Fifo, None, Some(discard)).unwrap());
    let port = Port::new().unwrap();
    let other = Port::new().unwrap();
    let lost = pending(q.get_async(Some(&port), None, std::ptr::null_mut()).0);
    let next = pending(q.get_async(Some(&other), None, std::ptr::null_mut()).0);
    port.close();
    assert_eq!(q.try_put(7, 0), Status::Ok);
    // The item went to `lost`, could not be delivered, and passed on to `next`.
    assert_eq!(lost.status(), Status::Cancelled);
    assert_eq!(next.status(), Status::Ok);
    assert_eq!(next.value(), 7);
    assert_eq!(q.try_put(8, 0), Status::Ok);
    assert_eq!(q.try_put(9, 0), Status::Ok);
    let third = pending({
        let empty = Queue::new(QueueKind::Fifo, None, None).unwrap();
        drop(empty);
        let q2 = Arc::new(Queue::new(QueueKind::Fifo, None, None).unwrap());
        let started = q2.get_async(Some(&port), None, std::ptr::null_mut()).0;
        // A put into a queue whose only getter's port is closed: back into the store.
        assert_eq!(q2.try_put(5, 0), Status::Ok);
        assert_eq!(q2.len(), 1);
        assert_eq!(q2.try_get(), Ok(5));
        started
    });
    assert_eq!(third.status(), Status::Cancelled);
    // A put whose port closed before delivery stays put.
    let full = Arc::new(Queue::new(QueueKind::Fifo, Some(1), None).unwrap());
    assert_eq!(full.try_put(1, 0), Status::Ok);
    let put = pending(full.put_async(2, 0, Some(&port), None, std::ptr::null_mut()));
    assert_eq!(full.try_get(), Ok(1));
    assert_eq!(put.status(), Status::Ok);
    assert_eq!(full.try_get(), Ok(2));
    // Ops (and completions waiting in a port) hold the queue too: it goes, discarding 8
    // and 9, with the last of them.
    drop((lost, next, q));
    assert!(seen.lock().unwrap().is_empty());
    let mut out = [no_delivery(); 2];
    assert_eq!(other.poll(&mut out), 1);
    assert_eq!(*seen.lock().unwrap(), [8, 9]);
}

/// Several producers and consumers of every face, random timeouts and cancels: every
/// item is received exactly once, each producer's items arrive in order (FIFO), and the
/// counts agree at the end.
#[test]
fn stress_every_item_exactly_once() {
    with_watchdog(120, || {
        const PRODUCERS: u64 = 3;
        const PER_PRODUCER: u64 = 20_000;
        let q = Arc::new(Queue::new(QueueKind::Fifo, Some(8), None).unwrap());
        let received = Arc::new(Mutex::new(Vec::<u64>::new()));
        let got_count = Arc::new(AtomicUsize::new(0));
        let total = (PRODUCERS * PER_PRODUCER) as usize;

        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    let port = Port::new().unwrap();
                    let mut seq = 0;
                    let mut i = 0u64;
                    while seq < PER_PRODUCER {
                        i += 1;
                        let item = (p << 32) | seq;
                        let ok = match i % 4 {
                            0 => q.try_put(item, 0) == Status::Ok,
                            1 => {
                                q.put(item, 0, Deadline::after(Duration::from_micros(i % 50)))
                                    == Status::Ok
                            }
                            2 => q.put(item, 0, Deadline::Never) == Status::Ok,
                            _ => {
                                match q.put_async(item, 0, Some(&port), None, std::ptr::null_mut())
                                {
                                    Started::Done(status) => status == Status::Ok,
                                    Started::Pending(op) => {
                                        if i % 8 == 3 {
                                            op.cancel();
                                        }
                                        assert_eq!(port.wait(Deadline::Never), Status::Ok);
                                        let mut out = [no_delivery(); 2];
                                        assert_eq!(port.poll(&mut out), 1);
                                        out[0].status == Status::Ok
                                    }
                                }
                            }
                        };
                        if ok {
                            seq += 1;
                        }
                    }
                })
            })
            .collect();

        let consumers: Vec<_> = (0..3u64)
            .map(|c| {
                let (q, received, got_count) = (q.clone(), received.clone(), got_count.clone());
                thread::spawn(move || {
                    let port = Port::new().unwrap();
                    let mut mine = Vec::new();
                    let mut i = c;
                    while got_count.load(Ordering::SeqCst) < total {
                        i += 1;
                        let got: Vec<u64> = match i % 5 {
                            0 => q.try_get().into_iter().collect(),
                            1 => q
                                .get(Deadline::after(Duration::from_micros(i % 100)))
                                .into_iter()
                                .collect(),
                            2 => {
                                let mut out = [0u64; 5];
                                let (_, n) = q.get_many(
                                    &mut out,
                                    Deadline::after(Duration::from_micros(200)),
                                );
                                out[..n].to_vec()
                            }
                            _ => match q.get_async(Some(&port), None, std::ptr::null_mut()) {
                                (Started::Done(Status::Ok), item) => vec![item],
                                (Started::Done(status), _) => panic!("{status:?}"),
                                (Started::Pending(op), _) => {
                                    if i % 3 == 0 {
                                        thread::yield_now();
                                    }
                                    let cancelled = op.cancel();
                                    assert_eq!(port.wait(Deadline::Never), Status::Ok);
                                    let mut out = [no_delivery(); 2];
                                    assert_eq!(port.poll(&mut out), 1);
                                    assert_eq!(out[0].status, cancelled);
                                    if cancelled == Status::Ok {
                                        vec![op.value()]
                                    } else {
                                        Vec::new()
                                    }
                                }
                            },
                        };
                        got_count.fetch_add(got.len(), Ordering::SeqCst);
                        mine.extend(got);
                    }
                    // Per-producer order within one consumer's receipts.
                    let mut last = vec![None; PRODUCERS as usize];
                    for &item in &mine {
                        let (p, seq) = ((item >> 32) as usize, item & 0xffff_ffff);
                        assert!(last[p].is_none_or(|prev| prev < seq), "order broken");
                        last[p] = Some(seq);
                    }
                    received.lock().unwrap().extend(mine);
                })
            })
            .collect();

        producers.into_iter().for_each(|t| t.join().unwrap());
        // Wake consumers stuck in a forever-wait once everything has been received.
        consumers.into_iter().for_each(|t| t.join().unwrap());
        let received = received.lock().unwrap();
        assert_eq!(received.len(), total, "items lost or duplicated");
        let unique: HashSet<_> = received.iter().collect();
        assert_eq!(unique.len(), total, "an item was delivered twice");
        assert_eq!(q.len(), 0);
        assert_eq!(q.waiting(), (0, 0));
        assert_eq!(q.unfinished(), total as u64);
    });
}

/// A bounded FIFO queue grown past its preallocated ring while producers and a consumer
/// run: order per producer and exactly-once delivery hold across the switch.
#[test]
fn growing_past_the_ring_keeps_fifo_order() {
    with_watchdog(60, || {
        let q = Queue::new(QueueKind::Fifo, Some(2), None).unwrap();
        assert_eq!(q.put_many(&[1, 2], None, Deadline::Never), (Status::Ok, 2));
        assert_eq!(q.set_capacity(Some(100)), Status::Ok);
        assert_eq!(
            q.put_many(&[3, 4, 5], None, Deadline::Never),
            (Status::Ok, 3)
        );
        let mut out = [0u64; 8];
        assert_eq!(q.get_many(&mut out, Deadline::Never), (Status::Ok, 5));
        assert_eq!(out[..5], [1, 2, 3, 4, 5]);

        const PER_PRODUCER: u64 = 20_000;
        let q = Arc::new(Queue::new(QueueKind::Fifo, Some(4), None).unwrap());
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    for seq in 0..PER_PRODUCER {
                        assert_eq!(q.put((p << 32) | seq, 0, Deadline::Never), Status::Ok);
                    }
                })
            })
            .collect();
        let grower = {
            let q = q.clone();
            thread::spawn(move || {
                for capacity in [8, 3, 64, 1 << 17, 16, 1 << 20] {
                    thread::sleep(Duration::from_millis(2));
                    assert_eq!(q.set_capacity(Some(capacity)), Status::Ok);
                }
            })
        };
        let mut last = [None::<u64>; 2];
        for _ in 0..2 * PER_PRODUCER {
            let item = q.get(Deadline::Never).unwrap();
            let (p, seq) = ((item >> 32) as usize, item & 0xffff_ffff);
            assert!(last[p].is_none_or(|prev| prev + 1 == seq), "order broken");
            last[p] = Some(seq);
        }
        producers.into_iter().for_each(|t| t.join().unwrap());
        grower.join().unwrap();
        assert_eq!(q.len(), 0);
        assert_eq!(q.try_get(), Err(Status::WouldBlock));
    });
}

/// Items put back in front (`unget`) and peeked items count in a FIFO queue's size: puts
/// never go in beyond the capacity because of them, and a put-back is not a new task.
#[test]
fn put_backs_and_peeks_count_against_the_capacity() {
    let q = Queue::new(QueueKind::Fifo, Some(2), None).unwrap();
    assert_eq!(q.try_put(1, 0), Status::Ok);
    assert_eq!(q.try_put(2, 0), Status::Ok);
    assert_eq!(q.try_put(3, 0), Status::WouldBlock);
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(q.peek(), Ok(2));
    assert_eq!(q.len(), 1);
    assert_eq!(q.try_put(3, 0), Status::Ok);
    assert_eq!(q.try_put(4, 0), Status::WouldBlock);
    q.unget(1);
    assert_eq!(q.len(), 3, "a put-back goes in beyond the capacity");
    assert_eq!(q.try_get(), Ok(1));
    assert_eq!(
        q.try_put(4, 0),
        Status::WouldBlock,
        "still full: 2 and 3 inside"
    );
    assert_eq!(q.try_get(), Ok(2));
    assert_eq!(q.try_put(4, 0), Status::Ok);
    assert_eq!(q.unfinished(), 4, "puts 1..=4; the put-back is no new task");
    let mut out = [0u64; 4];
    assert_eq!(q.get_many(&mut out, Deadline::Within(0)), (Status::Ok, 2));
    assert_eq!(out[..2], [3, 4]);
}

/// An unbounded FIFO queue whose producers outrun its consumers grows its lane through
/// many rings while both sides run: every item arrives exactly once, and each consumer
/// sees each producer's items in order.
#[test]
fn unbounded_lane_grows_under_contention() {
    with_watchdog(60, || {
        const PRODUCERS: u64 = 3;
        const PER_PRODUCER: u64 = 100_000;
        let q = Arc::new(Queue::new(QueueKind::Fifo, None, None).unwrap());
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    for seq in 0..PER_PRODUCER {
                        assert_eq!(q.try_put((p << 32) | seq, 0), Status::Ok);
                    }
                })
            })
            .collect();
        let taken = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (q, taken) = (q.clone(), taken.clone());
                thread::spawn(move || {
                    let mut got = Vec::new();
                    let mut last = [None::<u64>; PRODUCERS as usize];
                    while taken.load(Ordering::SeqCst) < (PRODUCERS * PER_PRODUCER) as usize {
                        let Ok(item) = q.get(soon()) else { continue };
                        taken.fetch_add(1, Ordering::SeqCst);
                        let (p, seq) = ((item >> 32) as usize, item & 0xffff_ffff);
                        assert!(last[p].is_none_or(|prev| prev < seq), "order broken");
                        last[p] = Some(seq);
                        got.push(item);
                    }
                    got
                })
            })
            .collect();
        producers.into_iter().for_each(|t| t.join().unwrap());
        let mut all: Vec<u64> = consumers
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        all.sort_unstable();
        let expected: Vec<u64> = (0..PRODUCERS)
            .flat_map(|p| (0..PER_PRODUCER).map(move |seq| (p << 32) | seq))
            .collect();
        assert_eq!(all, expected);
        assert_eq!(q.len(), 0);
        assert_eq!(q.unfinished(), PRODUCERS * PER_PRODUCER);
    });
}
