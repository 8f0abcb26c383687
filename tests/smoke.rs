use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use weft::wait::Started;
use weft::{Deadline, Fairness, Lock, Port, Semaphore, Status};

#[test]
fn lock_mutual_exclusion_fifo_and_throughput() {
    for fairness in [Fairness::Fifo, Fairness::Throughput] {
        let lock = Arc::new(Lock::new(fairness));
        let inside = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (lock, inside, total) = (lock.clone(), inside.clone(), total.clone());
                thread::spawn(move || {
                    let me = weft::owner::current_thread();
                    for _ in 0..20_000 {
                        assert_eq!(lock.acquire(me, 1, Deadline::Never), Status::Ok);
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                        total.fetch_add(1, Ordering::Relaxed);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        assert_eq!(lock.release(me, 1), Status::Ok);
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(total.load(Ordering::Relaxed), 80_000);
        assert!(!lock.is_locked());
        assert_eq!(lock.waiting(), 0);
    }
}

#[test]
fn semaphore_async_via_port() {
    let sem = Arc::new(Semaphore::new(0, None).unwrap());
    let port = Port::new().unwrap();
    let started = sem.acquire_async(Some(port.clone()), None, 7 as *mut _);
    let Started::Pending(op) = started else { panic!("expected pending") };
    assert_eq!(port.pending(), 0);
    assert_eq!(sem.release(1), Status::Ok);
    assert_eq!(port.pending(), 1);
    let mut out = [weft::Delivered { arg: std::ptr::null_mut(), status: Status::Internal }; 4];
    assert_eq!(port.poll(&mut out), 1);
    assert_eq!(out[0].arg as usize, 7);
    assert_eq!(out[0].status, Status::Ok);
    assert_eq!(op.cancel(), Status::Ok);
    assert_eq!(sem.value(), 0);
}
