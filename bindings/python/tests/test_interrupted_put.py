"""Ctrl-C at the moment a blocking put in the main thread gets room.

A blocking put in the main thread waits in slices so that Ctrl-C (KeyboardInterrupt)
interrupts it; the op is then cancelled. If the cancel comes first, the put raises and
its item did not go in. If the grant came first, the item is in and cannot be taken
back: the put returns normally and the KeyboardInterrupt is raised once it has returned
(never both an item in the queue and a put that raised). Each round: a full queue, the
main thread blocked in put, and a helper thread that makes room (a get) and interrupts
the main thread (`_thread.interrupt_main`), in either order, with or without a pause
between, a pause sometimes longer than a wait slice. Every round, exactly one
KeyboardInterrupt reaches the main thread, and the queue holds the item iff put returned.
"""

from __future__ import annotations

import _thread
import ctypes
import random
import threading
import time

import pytest

import weft
import weft.queue as wq
from weft import _core, _lib

ROUNDS = 40  # per queue kind
_rng = random.Random(4)  # the orders and pauses (reproducible)

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="the interruptible waits are the main thread's")


def _putters_waiting(q):
    p, g = ctypes.c_size_t(), ctypes.c_size_t()
    _lib.fast.queue_waiting(q._h, ctypes.byref(p), ctypes.byref(g))
    return p.value


def _helper(q, grant_first, pause):
    deadline = time.monotonic() + 5
    while _putters_waiting(q) == 0:  # the main thread is in its put's wait
        if time.monotonic() > deadline:
            break
        time.sleep(0.0002)
    steps = [lambda: q.get_nowait(), _thread.interrupt_main]
    if not grant_first:
        steps.reverse()
    steps[0]()
    if pause:
        time.sleep(pause)
    steps[1]()


def _spin():
    """Gives a pending interrupt a check to be raised at (a call, then a loop)."""
    for _ in range(3):
        time.sleep(0)


def _one_round(q, put, grant_first, pause):
    """Returns (put returned?, KeyboardInterrupts seen)."""
    put(q, "first")  # the queue is full (maxsize 1)
    helper = threading.Thread(target=_helper, args=(q, grant_first, pause))
    returned = False
    interrupts = 0
    helper.start()
    try:
        put(q, "second")  # blocks until the helper's get
        returned = True
    except KeyboardInterrupt:
        interrupts += 1
    # the helper's interrupt, if put did not raise it, comes once put has returned
    while True:
        try:
            helper.join()
            _spin()
            if interrupts:
                break
        except KeyboardInterrupt:
            interrupts += 1
    try:  # and no second one
        for _ in range(5):
            _spin()
            time.sleep(0.001)
    except KeyboardInterrupt:
        interrupts += 1
    return returned, interrupts


@pytest.mark.parametrize("make, put", [
    pytest.param(lambda: wq.Queue(1), lambda q, x: q.put(x), id="queue.Queue"),
    pytest.param(lambda: wq.PriorityQueue(1), lambda q, x: q.put(x), id="queue.PriorityQueue"),
    pytest.param(lambda: weft.Queue(1), lambda q, x: q.green_put(x), id="Queue.green_put"),
])
def test_a_put_interrupted_at_its_grant_either_went_in_and_returned_or_raised(make, put):
    outcomes = set()
    for i in range(ROUNDS):
        q = make()
        grant_first = i % 2 == 0
        # no pause, a short one, or one longer than a wait slice (the interrupt is then
        # seen before the grant: the put raises and did not go in)
        pause = _rng.choice([0, 0, 0.0005, 0.002, _core._SIGNAL_SLICE * 1.5])
        returned, interrupts = _one_round(q, put, grant_first, pause)
        context = (i, grant_first, pause, returned)
        assert interrupts == 1, context
        left = []
        while not q.empty():
            left.append(q.get_nowait())
        # the helper took "first"; "second" is in the queue iff put returned
        assert left == (["second"] if returned else []), context
        assert _core._held is None, context
        outcomes.add(returned)
        q.close()
    assert outcomes == {True, False}  # both sides of the race were met


def test_a_put_interrupted_before_its_wait_leaves_nothing_in_the_item_table():
    # Ctrl-C can land between the item entering the table of live items and the wait (a
    # signal is raised as a Python function is entered): simulated by a _put_key that
    # raises at once. The item did not go in, so it must not stay in the table.
    class InterruptedQueue(wq.Queue):
        __slots__ = ()

        def _put_key(self, key, timeout):
            raise KeyboardInterrupt

    q = InterruptedQueue(1)
    before = len(wq._items)
    with pytest.raises(KeyboardInterrupt):
        q.put(object())
    assert len(wq._items) == before
    q.close()
