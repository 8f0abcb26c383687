"""Every class wraps exactly one reference: .handle / from_handle share it (the copy takes
its own reference), close() is idempotent, the objects work through either wrapper."""

import ctypes
import gc

import pytest

import weft
import weft.queue as wq
import weft.threading as wt
from weft import _lib

# what a call on a closed object raises: ctypes refuses the closed handle (ArgumentError);
# the hot paths get WEFT_INVALID from libweft for their NULL and take the same slow path
CLOSED_ERRORS = (ctypes.ArgumentError, _lib.WeftError, RuntimeError)


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
    with pytest.raises(CLOSED_ERRORS):
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


def _closed_cases():
    """(name, factory, calls): every call must raise once the object is closed."""
    return [
        ("weft.Lock", weft.Lock, [lambda p: p.locked(), lambda p: p.owner,
                                  lambda p: p.waiting, lambda p: p.green_acquire()]),
        ("weft.RLock", weft.RLock, [lambda p: p.count, lambda p: p.green_acquire(),
                                    lambda p: p.green_release()]),
        ("weft.Semaphore", lambda: weft.Semaphore(1),
         [lambda p: p.value, lambda p: p.green_acquire(),
          lambda p: p.green_acquire(blocking=False), lambda p: p.release()]),
        ("weft.CapacityLimiter", lambda: weft.CapacityLimiter(1),
         [lambda p: p.borrowed_tokens, lambda p: p.green_acquire()]),
        ("weft.Event", weft.Event, [lambda p: p.is_set(), lambda p: p.wait(0),
                                    lambda p: p.set()]),
        ("weft.CountdownEvent", lambda: weft.CountdownEvent(1),
         [lambda p: p.value, lambda p: p.wait(0), lambda p: p.down()]),
        ("weft.Queue", lambda: weft.Queue(2),
         [lambda p: len(p), lambda p: p.green_put(1), lambda p: p.green_get(blocking=False),
          lambda p: p.waiting]),
        ("threading.Lock", wt.Lock, [lambda p: p.locked(), lambda p: p.acquire(False),
                                     lambda p: p.release()]),
        ("threading.RLock", wt.RLock, [lambda p: p.locked(), lambda p: p.acquire()]),
        ("threading.Semaphore", lambda: wt.Semaphore(1), [lambda p: p.acquire(),
                                                          lambda p: p.release()]),
        ("threading.Event", wt.Event, [lambda p: p.is_set(), lambda p: p.wait(0)]),
        ("queue.Queue", lambda: wq.Queue(2), [lambda p: p.qsize(), lambda p: p.put(1),
                                             lambda p: p.get(False), lambda p: p.maxsize]),
    ]


@pytest.mark.parametrize("name, make, calls", _closed_cases(), ids=lambda v: v
                         if isinstance(v, str) else "")
def test_a_closed_object_raises_on_every_call(name, make, calls):
    # a closed object's handle is a sentinel that no ctypes call accepts: queries too
    # raise (they used to pass NULL and answer 0 or False), and repr says "closed"
    prim = make()
    prim.close()
    assert prim.closed
    assert "closed" in repr(prim)
    with pytest.raises(ValueError):
        prim.handle
    for call in calls:
        with pytest.raises(CLOSED_ERRORS):
            call(prim)
    prim.close()  # idempotent
