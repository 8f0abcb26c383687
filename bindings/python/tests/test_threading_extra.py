"""weft.threading beyond CPython's lock_tests: sharing handles, foreign locks, Ctrl-C."""

import _thread
import gc
import threading
import time
import weakref

import pytest

import weft.threading as wt
from weft import _lib


def test_lock_released_by_another_thread():
    lock = wt.Lock()
    lock.acquire()
    t = threading.Thread(target=lock.release)
    t.start()
    t.join()
    assert not lock.locked()
    with pytest.raises(RuntimeError):
        lock.release()


def test_lock_blocks_its_own_thread_until_timeout():
    lock = wt.Lock()
    assert lock.acquire()
    t0 = time.monotonic()
    assert not lock.acquire(timeout=0.05)
    assert time.monotonic() - t0 >= 0.04
    lock.release()


def test_condition_with_foreign_lock():
    lock = threading.Lock()
    cond = wt.Condition(lock)
    box = []

    def waiter():
        with cond:
            cond.wait_for(lambda: box)
            box.append("seen")

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.05)
    with cond:
        box.append(1)
        cond.notify()
    t.join(5)
    assert box == [1, "seen"]


@pytest.mark.parametrize("locktype", [wt.Lock, wt.RLock])
def test_condition_native_notify_all(locktype):
    cond = wt.Condition(locktype())
    n = 5
    ready = []
    go = []

    def waiter():
        with cond:
            ready.append(1)
            while not go:
                cond.wait()
            ready.append(2)

    ts = [threading.Thread(target=waiter) for _ in range(n)]
    for t in ts:
        t.start()
    while True:
        with cond:
            if len(ready) == n and cond.waiting == n:
                go.append(1)
                cond.notify_all()
                break
        time.sleep(0.01)
    for t in ts:
        t.join(5)
    assert ready.count(2) == n


def test_handle_sharing_and_close():
    lock = wt.Lock()
    other = wt.Lock.from_handle(lock.handle)   # a second reference to the same lock
    assert other.handle == lock.handle
    lock.acquire()
    assert other.locked()
    other.release()                             # threading semantics: anyone releases
    assert not lock.locked()
    lock.close()
    assert lock.closed
    assert other.acquire(blocking=False)        # other still owns its reference
    other.release()
    other.close()
    other.close()  # idempotent


def test_wrappers_are_collected():
    lock = wt.Lock()
    ref = weakref.ref(lock)
    del lock
    gc.collect()
    assert ref() is None


def test_semaphore_and_barrier_basics():
    sem = wt.BoundedSemaphore(2)
    assert sem.acquire() and sem.acquire()
    assert not sem.acquire(timeout=0.01)
    sem.release(2)
    with pytest.raises(ValueError):
        sem.release()
    b = wt.Barrier(3, timeout=5)
    out = []
    ts = [threading.Thread(target=lambda: out.append(b.wait())) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(out) == [0, 1, 2]


def test_barrier_action_runs_before_release():
    seen = []
    ran = []
    b = wt.Barrier(3, action=lambda: ran.append(1), timeout=5)

    def f():
        b.wait()
        seen.append(len(ran))

    ts = [threading.Thread(target=f) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert seen == [1, 1, 1]


@pytest.mark.parametrize("what", ["lock", "event", "queue", "cond"])
def test_ctrl_c_interrupts_a_blocking_wait_in_the_main_thread(what):
    import weft.queue as wq
    lock = wt.Lock()
    lock.acquire()
    ev = wt.Event()
    q = wq.Queue()
    cond = wt.Condition(wt.Lock())
    calls = {
        "lock": lambda: lock.acquire(),
        "event": lambda: ev.wait(),
        "queue": lambda: q.get(),
        "cond": lambda: (cond.acquire(), cond.wait()),
    }
    timer = threading.Timer(0.1, _thread.interrupt_main)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        calls[what]()
    assert time.monotonic() - t0 < 2
    # nothing left behind: no waiter still queued, the condition's lock is held again
    assert lock.acquire(timeout=0) is False
    if what == "lock":
        out = _lib.c_size_t()
        _lib.fast.lock_waiting(lock._h, _lib.ctypes.byref(out))
        assert out.value == 0
    if what == "cond":
        assert cond._lock.locked()
        cond.release()
    lock.release()
