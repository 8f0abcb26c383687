"""The aiologic-style top-level API: names, green faces, errors."""

import threading
import time

import pytest

import weft

NAMES = ["Semaphore", "BoundedSemaphore", "BinarySemaphore", "Lock", "RLock",
         "CapacityLimiter", "Condition", "Latch", "Barrier", "RBarrier", "Event", "REvent",
         "CountdownEvent", "Flag", "ResourceGuard", "Queue", "LifoQueue", "PriorityQueue",
         "SimpleQueue", "QueueEmpty", "QueueFull"]


def test_names():
    for name in NAMES:
        assert hasattr(weft, name), name


def test_semaphores():
    assert type(weft.Semaphore(1, 2)) is weft.BoundedSemaphore
    with pytest.raises(ValueError):
        weft.Semaphore(-1)
    s = weft.Semaphore(0)
    assert not s.green_acquire(blocking=False)
    s.release(3)
    assert s.value == 3
    s.release(0)  # nothing
    b = weft.BoundedSemaphore(1)
    b.green_acquire()
    b.release()
    with pytest.raises(RuntimeError):
        b.release()
    assert b.value == 1
    with pytest.raises(ValueError):
        weft.BinarySemaphore(2)
    bs = weft.BinarySemaphore(0)
    t = threading.Thread(target=lambda: (time.sleep(0.05), bs.release()))
    t.start()
    assert bs.green_acquire(timeout=5)
    t.join()


def test_lock_ownership():
    lock = weft.Lock()
    with lock:
        assert lock.green_owned()
        with pytest.raises(RuntimeError):
            lock.green_acquire()
        errs = []

        def other():
            try:
                lock.green_release()
            except RuntimeError as e:
                errs.append(e)
            errs.append(lock.green_acquire(timeout=0.01))
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert isinstance(errs[0], RuntimeError) and errs[1] is False
    with pytest.raises(RuntimeError):
        lock.green_release()


def test_rlock_counts():
    r = weft.RLock()
    assert r.green_acquire(2)
    assert r.green_count() == 2 and r.count == 2
    with pytest.raises(RuntimeError):
        r.green_release(3)
    r.green_release(2)
    assert not r.locked()
    with pytest.raises(ValueError):
        r.green_acquire(0)


def test_capacity_limiter():
    lim = weft.CapacityLimiter(2)
    assert lim.green_acquire()
    with pytest.raises(RuntimeError):
        lim.green_acquire()
    assert lim.borrowed_tokens == 1 and lim.available_tokens == 1
    lim.green_release()
    with pytest.raises(RuntimeError):
        lim.green_release()
    r = weft.RCapacityLimiter(1)
    r.green_acquire(2)
    assert r.green_count() == 2
    r.green_release(2)


def test_condition_green():
    cond = weft.Condition()
    with pytest.raises(RuntimeError):
        cond.wait(0)
    with cond:
        assert not cond.wait(0.01)
        assert cond.lock.green_owned()
    lockless = weft.Condition(None)
    t = threading.Thread(target=lambda: (time.sleep(0.05), lockless.notify()))
    t.start()
    assert lockless.wait(5)
    t.join()


def test_events():
    e = weft.Event()
    assert not e.wait(0.01)
    e.set()
    assert e and e.wait()
    assert not hasattr(e, "clear")
    r = weft.REvent()
    r.set()
    r.clear()
    assert not r.is_set()
    c = weft.CountdownEvent(2)
    assert not c
    c.down()
    c.down()
    assert c and c.wait(0)
    with pytest.raises(RuntimeError):
        c.down()
    c.up(3)
    c.clear()
    assert c.value == 0


def test_barriers():
    latch = weft.Latch(2)
    t = threading.Thread(target=latch.wait)
    t.start()
    latch.wait()
    t.join()
    latch.wait()  # open for good
    assert latch
    b = weft.Barrier(2)
    with pytest.raises(weft.BrokenBarrierError):
        b.wait(0.01)  # timing out breaks it
    assert b.broken
    rb = weft.RBarrier(2)
    rb.abort()
    assert rb.broken
    rb.reset()
    assert not rb.broken
    out = []
    t = threading.Thread(target=lambda: out.append(rb.wait()))
    t.start()
    out.append(rb.wait())
    t.join()
    assert sorted(out) == [0, 1]


def test_flag_and_guard():
    f = weft.Flag()
    a, b = object(), object()
    assert f.set(a) and not f.set(b)
    assert f.get() is a
    f.clear()
    assert f.get(None) is None
    with pytest.raises(LookupError):
        f.get()
    g = weft.ResourceGuard(action="reading")
    with g:
        assert g
        with pytest.raises(weft.BusyResourceError, match="reading"):
            with g:
                pass
    assert not g


def test_queues():
    with pytest.raises(ValueError):
        weft.Queue(0)
    q = weft.Queue(None)
    assert q.maxsize == 0
    q = weft.Queue([1, 2, 3], maxsize=3)
    with pytest.raises(weft.QueueFull):
        q.green_put(4, blocking=False)
    assert [q.green_get() for _ in range(3)] == [1, 2, 3]
    with pytest.raises(weft.QueueEmpty):
        q.green_get(timeout=0.01)
    lq = weft.LifoQueue([1, 2])
    assert lq.green_get() == 2
    pq = weft.PriorityQueue([(1, "a"), (0, "b")])
    assert pq.green_get() == (0, "b")
    sq = weft.SimpleQueue()
    sq.green_put(1)
    assert len(sq) == 1 and sq.green_get() == 1
