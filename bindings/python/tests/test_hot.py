"""weft._hot: the hottest libweft calls answer the same whichever way they are made (the
C accelerator weft._speedups, or ctypes), and the accelerator refuses bad arguments
instead of crashing. ctest runs this file with the accelerator (python_tests) and without
it (python_tests_ctypes, WEFT_SPEEDUPS=0)."""

import ctypes
import os
import threading
import time
from ctypes import byref

import pytest

import weft.queue as wq
import weft.threading as wt
from weft import _hot, _lib
from weft._core import thread_token_c
from weft._lib import (CLOSED, INVALID, NOT_LOCKED, NOT_OWNER, OK, OVERFLOW, TIMEOUT,
                       WOULD_BLOCK)

choice = os.environ.get("WEFT_SPEEDUPS", "")
speedups_only = pytest.mark.skipif(_hot.active != "speedups",
                                   reason="weft._speedups is not in use")


def test_the_way_asked_for_is_the_way_in_use():
    if choice == "0":
        assert _hot.active == "ctypes"
    elif choice:  # an explicit build: loaded or import fails (never a silent fallback)
        assert _hot.active == "speedups"
    assert _hot.active in ("speedups", "ctypes")


def _tokens():
    return _lib.new_owner(), _lib.new_owner()


def test_lock_calls_answer_as_libweft():
    lock = wt.Lock()
    hp = lock._hp
    a, b = _tokens()
    ta, tb = _hot.token_value(a), _hot.token_value(b)
    assert _hot.lock_release_as(hp, ta) == NOT_LOCKED
    assert _hot.lock_acquire_as(hp, ta, _hot.ZERO_NS) == OK
    assert _hot.lock_acquire_as(hp, tb, _hot.ZERO_NS) == WOULD_BLOCK
    assert _hot.lock_release_as(hp, tb) == NOT_OWNER
    assert lock.locked()
    assert _hot.lock_release_as(hp, ta) == OK
    assert not lock.locked()
    lock.close()
    assert _hot.lock_acquire_as(lock._hp, ta, _hot.ZERO_NS) == INVALID  # NULL handle


def test_rlock_calls_answer_as_libweft():
    rlock = wt.RLock()
    hp = rlock._hp
    a, b = _tokens()
    ta, tb = _hot.token_value(a), _hot.token_value(b)
    assert _hot.rlock_release_as(hp, ta, 1) == NOT_LOCKED
    assert _hot.rlock_acquire_as(hp, ta, 2, _hot.ZERO_NS) == OK
    assert _hot.rlock_acquire_as(hp, ta, 1, _hot.ZERO_NS) == OK   # depth 3
    assert _hot.rlock_acquire_as(hp, tb, 1, _hot.ZERO_NS) == WOULD_BLOCK
    assert _hot.rlock_release_as(hp, tb, 1) == NOT_OWNER
    assert _hot.rlock_release_as(hp, ta, 4) == OVERFLOW  # more than it holds
    assert _hot.rlock_release_as(hp, ta, 3) == OK
    assert not rlock.locked()
    # the thread token is the one `weft_rlock_try_acquire` uses: the two agree
    assert _hot.rlock_acquire_as(hp, thread_token_c(), 1, _hot.ZERO_NS) == OK
    assert rlock._is_owned()
    rlock.release()
    rlock.close()
    assert _hot.rlock_acquire_as(rlock._hp, ta, 1, _hot.ZERO_NS) == INVALID


def test_queue_calls_answer_as_libweft():
    q = wq.Queue(2)
    hp = q._hp
    assert _hot.queue_try_get(hp) == -WOULD_BLOCK
    assert _hot.queue_try_put(hp, 7, 0) == OK
    assert _hot.queue_try_put(hp, 0, 0) == OK           # a NULL item
    assert _hot.queue_try_put(hp, 9, 0) == WOULD_BLOCK  # full
    assert _hot.queue_put(hp, 9, 0, 1_000_000) == TIMEOUT
    assert _hot.queue_try_get(hp) == 7
    assert _hot.queue_get(hp, 0) == 0
    assert _hot.queue_get(hp, 1_000_000) == -TIMEOUT
    big = (1 << 64) - 2  # an item is an address: the whole unsigned range comes back
    assert _hot.queue_put(hp, big, 0, 0) == OK
    assert _hot.queue_try_get(hp) == big
    q.shutdown()
    assert _hot.queue_try_put(hp, 1, 0) == CLOSED
    assert _hot.queue_get(hp, -1) == -CLOSED
    q.close()
    assert _hot.queue_try_get(q._hp) == -INVALID
    assert _hot.queue_put(q._hp, 1, 0, -1) == INVALID


def test_a_blocking_get_lets_other_threads_run():
    # the wait releases the GIL: the putting thread runs while the main thread waits
    q = wq.Queue(1)
    hp = q._hp

    def put_later():
        time.sleep(0.05)
        assert _hot.queue_put(hp, 42, 0, -1) == OK
    t = threading.Thread(target=put_later)
    t.start()
    assert _hot.queue_get(hp, 10 * 10**9) == 42
    t.join()
    q.close()


def test_a_blocking_put_lets_other_threads_run():
    q = wq.Queue(1)
    hp = q._hp
    assert _hot.queue_try_put(hp, 1, 0) == OK
    got = []
    t = threading.Thread(target=lambda: (time.sleep(0.05), got.append(_hot.queue_get(hp, -1))))
    t.start()
    assert _hot.queue_put(hp, 2, 0, 10 * 10**9) == OK
    t.join()
    assert got == [1] and _hot.queue_try_get(hp) == 2
    q.close()


def test_the_wrappers_use_the_hot_calls_consistently():
    # acquire through the hot path, release through the ctypes table, and back
    lock = wt.Lock()
    with lock:
        owner = ctypes.c_uint64()
        _lib.fast.lock_owner(lock._h, byref(owner))
        assert owner.value != 0
    assert not lock.locked()
    q = wq.Queue()
    for i in range(100):
        q.put(i)
    assert [q.get() for _ in range(100)] == list(range(100))
    lock.close()
    q.close()


@speedups_only
def test_bad_arguments_raise_instead_of_crashing():
    from weft import _speedups as s
    for call, args in [(s.lock_acquire_as, (0, 1)),            # too few
                       (s.lock_release_as, (0, 1, 2)),         # too many
                       (s.queue_try_get, ("x",)),
                       (s.queue_try_put, (0, 1.5, 0)),
                       (s.queue_get, (0, None)),
                       (s.lock_release_as, (0, -1))]:          # a negative token
        with pytest.raises((TypeError, OverflowError)):
            call(*args)
    with pytest.raises(OverflowError):
        s.queue_put(0, 1 << 70, 0, 0)
    with pytest.raises(ValueError):  # a lock wait would hold the GIL: refused
        s.lock_acquire_as(0, 1, 5)
    with pytest.raises(ValueError):
        s.rlock_acquire_as(0, 1, 1, -1)
    with pytest.raises(TypeError):
        s.rlock_release_as(0, 1)
    assert s.lock_acquire_as(0, 1, 0) == INVALID  # a NULL handle: libweft's answer


@speedups_only
def test_a_failed_bind_changes_nothing():
    from weft import _speedups as s
    with pytest.raises(TypeError):
        s.bind([])
    with pytest.raises(KeyError):
        s.bind({"weft_lock_acquire_as": 1})
    table = {name: ctypes.cast(_lib._pydll[name], ctypes.c_void_p).value
             for name in _hot._FUNCTIONS}
    with pytest.raises(ValueError):
        s.bind(dict(table, weft_queue_get=0))
    lock = wt.Lock()  # still bound to the real functions
    assert _hot.lock_acquire_as(lock._hp, 5, 0) == OK
    assert _hot.lock_release_as(lock._hp, 5) == OK
    lock.close()
