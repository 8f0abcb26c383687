"""Every class wraps exactly one reference: .handle / from_handle share it (the copy takes
its own reference), close() is idempotent, the objects work through either wrapper."""

import gc

import pytest

import weft
import weft.queue as wq
import weft.threading as wt
from weft import _lib


def refcount_probe(obj):
    """True if the handle is still alive: a clone succeeds (and is freed again)."""
    h = obj._h
    assert getattr(_lib.fast, obj._prefix + "_clone")(h) == 0
    getattr(_lib.fast, obj._prefix + "_free")(h)
    return True


CASES = [
    (wt.Lock, lambda a, b: (a.acquire(), b.locked())),
    (wt.RLock, lambda a, b: (a.acquire(), b.locked())),
    (wt.Semaphore, lambda a, b: (a.release(), b._value == 2)),
    (wt.Event, lambda a, b: (a.set(), b.is_set())),
    (wt.Barrier, lambda a, b: (a.abort(), b.broken)),
    (weft.Lock, lambda a, b: (a.green_acquire(), b.locked())),
    (weft.RLock, lambda a, b: (a.green_acquire(), b.green_count() == 1)),
    (weft.Semaphore, lambda a, b: (a.release(), b.value == 2)),
    (weft.CapacityLimiter, lambda a, b: (a.green_acquire(), b.borrowed_tokens == 1)),
    (weft.REvent, lambda a, b: (a.set(), b.is_set())),
    (weft.CountdownEvent, lambda a, b: (a.up(), b.value == 1)),
    (weft.RBarrier, lambda a, b: (a.abort(), b.broken)),
    (weft.Flag, lambda a, b: (a.set("x"), b.get() == "x")),
    (weft.ResourceGuard, lambda a, b: (a.__enter__(), bool(b))),
    (wq.Queue, lambda a, b: (a.put("x"), b.get() == "x")),
    (wq.LifoQueue, lambda a, b: (a.put("x"), b.get() == "x")),
    (weft.Port, lambda a, b: (None, a.fd == b.fd)),
]


@pytest.mark.parametrize("cls,check", CASES, ids=[c[0].__module__ + "." + c[0].__name__
                                                   for c in CASES])
def test_from_handle_shares_one_object(cls, check):
    a = cls(1) if cls in (wt.Semaphore, wt.Barrier, weft.Semaphore) else cls()
    b = cls.from_handle(a.handle)
    assert b.handle == a.handle
    assert check(a, b)[1]
    a.close()
    a.close()
    assert a.closed and refcount_probe(b)   # b's own reference keeps it alive
    b.close()


def test_from_handle_rejects_what_it_cannot_rebuild():
    # (.handle is borrowed: the objects must stay alive while it is used)
    c1, c2, pq = wt.Condition(), weft.Condition(), wq.PriorityQueue()
    with pytest.raises(TypeError):
        wt.Condition.from_handle(c1.handle)
    with pytest.raises(TypeError):
        weft.Condition.from_handle(c2.handle)
    with pytest.raises(TypeError):
        wq.PriorityQueue.from_handle(pq.handle)
    with pytest.raises(ValueError):
        wt.Lock.from_handle(0)


def test_del_releases_the_reference():
    lock = weft.Lock()
    other = weft.Lock.from_handle(lock.handle)
    del lock
    gc.collect()
    assert other.green_acquire(blocking=False)
    other.green_release()


def test_drop_in_module():
    assert wt.Thread is __import__("threading").Thread
    assert wt.current_thread() is __import__("threading").current_thread()


def test_with_closes_objects_without_a_with_meaning():
    import contextlib
    with weft.Port() as p, wq.Queue() as q, weft.REvent() as e:
        q.put(1)
        e.set()
    assert p.closed and q.closed and e.closed
    lock = wt.Lock()
    with lock:                     # a lock's with is acquire/release
        assert lock.locked()
    assert not lock.closed
    with contextlib.closing(lock):
        pass
    assert lock.closed


@pytest.mark.parametrize("make", [wt.Lock, weft.Lock, wt.RLock, weft.RLock],
                         ids=["threading.Lock", "weft.Lock", "threading.RLock", "weft.RLock"])
def test_closed_lock_raises_on_its_fast_path(make):
    # `with lock` calls libweft through `_hot` on a cached handle value: closing must turn
    # that into NULL (WEFT_INVALID), never a freed pointer, and the block must not run
    lock = make()
    with lock:
        pass
    lock.close()
    ran = []
    with pytest.raises((RuntimeError, _lib.WeftError)):
        with lock:
            ran.append(True)
    assert not ran


def test_lock_fast_path_releases_across_threads():
    # threading semantics: a Lock taken with `with` in one thread may be released by another
    import threading
    lock = wt.Lock()
    lock.__enter__()
    t = threading.Thread(target=lock.release)
    t.start()
    t.join()
    assert not lock.locked()
    with lock:
        assert lock.locked()
    assert not lock.locked()


@pytest.mark.parametrize("make, call", [
    (lambda: weft.Semaphore(1), lambda p: p.green_acquire()),
    (lambda: weft.Semaphore(0), lambda p: p.green_acquire(blocking=False)),
    (weft.RLock, lambda p: p.green_acquire()),
    (lambda: weft.CapacityLimiter(1), lambda p: p.green_acquire()),
    (weft.Event, lambda p: p.wait(0)),
    (lambda: weft.CountdownEvent(1), lambda p: p.wait(0)),
], ids=["Semaphore", "Semaphore non-blocking", "RLock", "CapacityLimiter", "Event",
        "CountdownEvent"])
def test_a_closed_primitive_raises_instead_of_answering_false(make, call):
    # a closed handle is WEFT_INVALID: an error, not "not acquired" / "timed out"
    prim = make()
    prim.close()
    with pytest.raises(_lib.WeftError):
        call(prim)
