"""Ctrl-C at the moment a condition wait or a barrier wait in the main thread is granted.

The main thread's blocking waits run in slices so that Ctrl-C (KeyboardInterrupt)
interrupts them; the op is then cancelled. If the cancel wins, the wait raises and had no
effect. If the grant won:

* a condition wait was notified (and holds the lock): it raises, and its notification
  goes to the next waiter, as the async faces do (nothing is lost);
* a barrier arrival's phase passed for everyone and cannot be undone: the wait returns
  its index and the KeyboardInterrupt is raised once it has returned.

Each round races a helper thread's grant (a notify, an arrival) against
`_thread.interrupt_main`, in either order, with or without a pause, and checks that exactly
one KeyboardInterrupt reached the main thread and that the counts balance.
"""

from __future__ import annotations

import _thread
import signal
import threading
import time

import pytest

import weft
import weft.threading as wt
from weft import _core

ROUNDS = 32  # every order and pause, four times

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="the interruptible waits are the main thread's")


def _until(predicate, limit=5.0):
    deadline = time.monotonic() + limit
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.0002)


def _race(grant, grant_first, pause):
    steps = [grant, _thread.interrupt_main]
    if not grant_first:
        steps.reverse()
    steps[0]()
    if pause:
        time.sleep(pause)
    steps[1]()


def _checkpoint():
    """A Python call: where a pending interrupt is raised (on entering a function)."""


def _late_interrupts(helper):
    """Joins the helper and counts the KeyboardInterrupts that arrive meanwhile or just
    after (a held one is raised once the interrupted call has returned). Call it inside a
    `try` too: an interrupt can be raised as this function is entered."""
    seen = 0
    while True:
        try:
            helper.join()
            for _ in range(5):
                time.sleep(0.001)
                _checkpoint()
            return seen
        except KeyboardInterrupt:
            seen += 1


class _ArmedInterrupts:
    """A SIGINT handler that counts every interrupt but raises KeyboardInterrupt only
    while `armed` (around the wait under test), so that an interrupt landing after the
    wait returned cannot fall between taking and releasing a lock in the test itself."""

    def __init__(self):
        self.count = 0
        self.armed = False

    def __call__(self, signum, frame):
        self.count += 1
        if self.armed:
            raise KeyboardInterrupt


# no pause, short ones, or one longer than a wait slice (an interrupt that comes first
# is then seen before the grant); every round order meets every pause
PAUSES = (0, 0.0005, 0.002, _core._SIGNAL_SLICE * 1.5)


def _order_and_pause(i):
    return i % 2 == 0, PAUSES[(i // 2) % len(PAUSES)]


CONDITIONS = [
    pytest.param(lambda: wt.Condition(wt.Lock()), id="threading.Condition(Lock)"),
    pytest.param(lambda: wt.Condition(wt.RLock()), id="threading.Condition(RLock)"),
    pytest.param(lambda: weft.Condition(weft.Lock()), id="weft.Condition(Lock)"),
]


@pytest.mark.parametrize("make", CONDITIONS)
def test_a_condition_wait_interrupted_at_its_notify_passes_the_notification_on(make):
    outcomes = set()
    for i in range(ROUNDS):
        cond = make()
        second = []  # what the second waiter's wait returned

        def second_waiter():
            with cond:
                second.append(cond.wait(10))

        def helper(order=_order_and_pause(i)):
            grant_first, pause = order
            _until(lambda: cond.waiting == 1)  # the main thread waits first
            threading.Thread(target=second_waiter).start()
            _until(lambda: cond.waiting == 2)

            def notify_one():
                with cond:
                    cond.notify(1)
            _race(notify_one, grant_first, pause)

        h = threading.Thread(target=helper)
        returned = False
        interrupts = _ArmedInterrupts()
        previous = signal.signal(signal.SIGINT, interrupts)
        try:
            with cond:
                h.start()
                try:
                    interrupts.armed = True
                    result = cond.wait()
                    interrupts.armed = False
                    assert result is True
                    returned = True
                except KeyboardInterrupt:
                    interrupts.armed = False
            h.join()
            for _ in range(5):  # an interrupt still on its way is counted meanwhile
                time.sleep(0.001)
                _checkpoint()
        finally:
            signal.signal(signal.SIGINT, previous)
        assert interrupts.count == 1, (i, returned)
        if returned:
            # the one notification was the main thread's: the second waiter still waits
            assert cond.waiting == 1 and second == [], (i, second)
            with cond:
                cond.notify(1)
        # raised: the notification went on (or the cancel came first and the notify then
        # found the second waiter); either way the second waiter wakes notified
        _until(lambda: second != [])
        assert second == [True], (i, returned)
        outcomes.add(returned)
        cond.close()
    assert outcomes == {True, False}  # both sides of the race were met


def _barrier_waiting(barrier):
    # threading's name, or aiologic's
    return barrier.n_waiting if hasattr(barrier, "n_waiting") else barrier.waiting


BARRIERS = [
    pytest.param(lambda: wt.Barrier(2), id="threading.Barrier"),
    pytest.param(lambda: weft.Barrier(2), id="weft.Barrier"),
]


@pytest.mark.parametrize("make", BARRIERS)
def test_a_barrier_wait_interrupted_as_its_phase_passes_returns_or_had_no_effect(make):
    outcomes = set()
    for i in range(ROUNDS):
        barrier = make()
        other = []  # the helper's arrival: its index, or "broken"

        def arrive():
            try:
                other.append(barrier.wait(10))
            except Exception as exc:  # BrokenBarrierError, whichever module's
                other.append(type(exc).__name__)

        def helper(order=_order_and_pause(i)):
            grant_first, pause = order
            _until(lambda: _barrier_waiting(barrier) == 1)
            arriver = threading.Thread(target=arrive)
            _race(arriver.start, grant_first, pause)
            arriver.join()

        h = threading.Thread(target=helper)
        h.start()
        returned, interrupts = False, 0
        try:
            index = barrier.wait()
            returned = True
            _checkpoint()  # an interrupt held back until the wait returned comes here
            assert index in (0, 1)
        except KeyboardInterrupt:
            interrupts += 1
        while True:
            try:
                if not returned and not other:
                    barrier.abort()  # the arrival was withdrawn: release the helper's
                interrupts += _late_interrupts(h)
                break
            except KeyboardInterrupt:
                interrupts += 1
        assert interrupts == 1, (i, returned)
        # the phase passed for both or for neither
        if returned:
            assert other and other[0] in (0, 1), (i, other)
        else:
            assert other and not isinstance(other[0], int), (i, other)
        outcomes.add(returned)
        barrier.close()
    assert outcomes == {True, False}
