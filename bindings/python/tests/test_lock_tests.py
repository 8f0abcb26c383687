"""CPython's test.lock_tests against weft.threading, as CPython's test_threading runs
them against threading."""

import pytest

lock_tests = pytest.importorskip("test.lock_tests")

import weft.threading as wt  # noqa: E402


class TestLock(lock_tests.LockTests):
    locktype = staticmethod(wt.Lock)


class TestRLock(lock_tests.RLockTests):
    locktype = staticmethod(wt.RLock)


class TestEvent(lock_tests.EventTests):
    eventtype = staticmethod(wt.Event)

    def test_at_fork_reinit(self):
        pytest.skip("inspects threading.Event's private _cond")


class TestConditionAsRLock(lock_tests.RLockTests):
    locktype = staticmethod(wt.Condition)

    def test_recursion_count(self):
        pytest.skip("Condition does not expose _recursion_count()")


class TestCondition(lock_tests.ConditionTests):
    condtype = staticmethod(wt.Condition)


class TestSemaphore(lock_tests.SemaphoreTests):
    semtype = staticmethod(wt.Semaphore)


class TestBoundedSemaphore(lock_tests.BoundedSemaphoreTests):
    semtype = staticmethod(wt.BoundedSemaphore)


class TestBarrier(lock_tests.BarrierTests):
    barriertype = staticmethod(wt.Barrier)
