"""fork(): a child of a process that used weft (multiprocessing's fork start method) gets
ports of its own, and what it does leaves the parent's ports alone."""
import multiprocessing
import os
import sys

import pytest

import weft.threading as wt
from weft import _core

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def _child_work(lock, sem, q):
    # the main-thread blocking path uses a port: the child's own, not the parent's
    assert _core._main_port is None
    assert lock.acquire(timeout=5)
    lock.release()
    assert sem.acquire(timeout=5)          # a blocking wait in the child's main thread
    q.put(os.getpid())


def test_fork_child_uses_its_own_port():
    lock = wt.Lock()
    sem = wt.Semaphore(0)
    # the parent's main thread makes its port (a timed wait that times out)
    assert not sem.acquire(timeout=0.01)
    parent_port = _core._main_port
    assert parent_port is not None
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    sem.release()                          # the child's copy has the permit too
    p = ctx.Process(target=_child_work, args=(lock, sem, q))
    p.start()
    child_pid = q.get(timeout=30)
    p.join(30)
    assert p.exitcode == 0 and child_pid == p.pid
    # the parent's port is untouched: still its own, and waits on it still work
    assert _core._main_port is parent_port
    assert sem.acquire(timeout=5)          # the parent's copy of the permit
    assert not sem.acquire(timeout=0.01)
