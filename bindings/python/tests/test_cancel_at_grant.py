"""A cancelled async call has had no effect, or it was not cancelled.

Every async face, under asyncio, trio and anyio (both backends), is cancelled at the
moment of its grant, many rounds, in every order: cancel then grant (in one step, with
no loop turn between), grant then cancel (the completion is in the loop's port, not yet
delivered), and grant, a few loop turns, cancel (the completion delivered, the task not
yet run). Two waiters A and B stand in line; A is cancelled; B never is. Whatever the
order, the counts must balance: the permit, item, slot or notification that A did not
keep reaches B, and an effect A did keep (a put that landed, an arrival that completed a
barrier) shows in A's call returning normally, the cancellation coming at A's next
checkpoint.
"""

from __future__ import annotations

import ctypes
import random

import pytest

import weft
import weft.queue as wq
import weft.threading as wt
from weft import _lib
from flavors import FLAVOR_PARAMS

ROUNDS = 120  # per primitive and flavor, the orders in turn
ORDERS = ("cancel-grant", "grant-cancel", "grant-turns-cancel")
_turns = random.Random(13)  # how many loop turns between grant and cancel (reproducible)


def _waiting(obj):
    """How many wait in the object's line (the stdlib-style objects have no property
    for it: ``weft_<prefix>_waiting``)."""
    if hasattr(type(obj), "waiting"):
        return obj.waiting
    out = ctypes.c_size_t()
    getattr(_lib.fast, obj._prefix + "_waiting")(obj._h, ctypes.byref(out))
    return out.value


def _queue_waiting(q):
    """(putters, getters) waiting in the queue's line."""
    p, g = ctypes.c_size_t(), ctypes.c_size_t()
    _lib.fast.queue_waiting(q._h, ctypes.byref(p), ctypes.byref(g))
    return p.value, g.value


async def _line_up(flavor, spawn, line, first, second):
    """Starts ``first`` then ``second`` so that they stand in ``line()`` in that order."""
    a = spawn(first)
    await flavor.wait_until(lambda: line() >= 1)
    b = spawn(second)
    await flavor.wait_until(lambda: line() >= 2)
    return a, b


async def _grant_and_cancel(flavor, order, grant, a):
    """The moment of grant: ``grant()`` hands the thing to A (first in line); A is
    cancelled just before, just after, or a few loop turns after."""
    if order == "cancel-grant":
        a.cancel()
        grant()
    elif order == "grant-cancel":
        grant()
        a.cancel()
    else:
        grant()
        for _ in range(_turns.randint(1, 3)):
            await flavor.checkpoint()
        a.cancel()
    a.done_before_cancel = a.done  # it may have finished in those loop turns


def _assert_a_cancelled(a, *context):
    assert a.state == "cancelled" or a.done_before_cancel, (a.state, a.error) + context


def _assert_cancelled_after_effect(a, log):
    """A call that returned (its effect logged) in a cancelled task: the cancellation
    came at the task's next checkpoint, never got lost."""
    _assert_a_cancelled(a, log)


def _rounds(flavor, round_fn):
    async def main():
        for i in range(ROUNDS):
            await round_fn(ORDERS[i % len(ORDERS)])
    flavor.run(main)


# --------------------------------------------------------------------------- permits
def _async_acquirer(obj):
    """The (acquire, release) pair of one permit-like object, as its async faces."""
    if isinstance(obj, (weft.Lock, weft.RLock, weft.CapacityLimiter)):
        return obj.async_acquire, obj.async_release   # owned by the task
    return obj.async_acquire, obj.release


PERMITS = [
    pytest.param(weft.Lock, True, id="Lock"),
    pytest.param(weft.RLock, True, id="RLock"),
    pytest.param(lambda: weft.CapacityLimiter(1), True, id="CapacityLimiter"),
    pytest.param(lambda: weft.RCapacityLimiter(1), True, id="RCapacityLimiter"),
    pytest.param(lambda: weft.Semaphore(0), False, id="Semaphore"),
    pytest.param(lambda: weft.BoundedSemaphore(0, 1), False, id="BoundedSemaphore"),
    pytest.param(lambda: weft.BinarySemaphore(0), False, id="BinarySemaphore"),
    pytest.param(lambda: weft.BoundedBinarySemaphore(0), False, id="BoundedBinarySemaphore"),
    pytest.param(wt.Lock, True, id="threading.Lock"),
    pytest.param(lambda: wt.Semaphore(0), False, id="threading.Semaphore"),
]


@pytest.mark.parametrize("flavor", FLAVOR_PARAMS)
@pytest.mark.parametrize("make, held_by_main", PERMITS)
def test_permit_goes_to_the_next_waiter_or_stays_with_the_cancelled_one(flavor, make,
                                                                        held_by_main):
    async def one_round(order):
        obj = make()
        acquire, release = _async_acquirer(obj)
        if held_by_main:
            assert await acquire()
        log = []

        async def waiter(tag):
            assert await acquire()
            log.append(tag)       # holding the permit
            release()
            await flavor.checkpoint()

        async with flavor.group() as spawn:
            a, b = await _line_up(flavor, spawn, lambda: _waiting(obj),
                                  lambda: waiter("a"), lambda: waiter("b"))
            await _grant_and_cancel(flavor, order, release, a)
            # B gets the permit: from the release, or from A once A is done with it
            await flavor.wait_until(lambda: b.done)
        assert b.state == "returned", (b.state, b.error)
        _assert_a_cancelled(a)
        assert log.count("b") == 1 and log.count("a") <= 1
        assert _waiting(obj) == 0
        if isinstance(obj, wt.Semaphore):
            assert obj._value == 1
        elif isinstance(obj, weft.Semaphore):
            assert obj.value == 1
        elif isinstance(obj, weft.CapacityLimiter):
            assert obj.borrowed_tokens == 0
        else:
            assert not obj.locked()

    _rounds(flavor, one_round)


# ------------------------------------------------------------------------ queue puts
PUT_QUEUES = [
    pytest.param(lambda: weft.Queue(1), id="Queue"),
    pytest.param(lambda: weft.LifoQueue(1), id="LifoQueue"),
    pytest.param(lambda: weft.PriorityQueue(1), id="PriorityQueue"),
    pytest.param(lambda: wq.Queue(1), id="queue.Queue"),
    pytest.param(lambda: wq.PriorityQueue(1), id="queue.PriorityQueue"),
]


@pytest.mark.parametrize("flavor", FLAVOR_PARAMS)
@pytest.mark.parametrize("make", PUT_QUEUES)
def test_put_that_landed_completes_and_a_cancelled_put_did_not_land(flavor, make):
    from weft import queue as _q
    table = len(_q._items)

    async def one_round(order):
        q = make()
        q.put_nowait(0)          # full; 0 is also the smallest, for the priority queues
        put = []
        got = []

        async def putter(item):
            await q.async_put(item)
            put.append(item)     # the put returned: the item is in
            await flavor.checkpoint()

        def take():  # the grant: 0 is in the queue (and in a priority queue's heap)
            got.append(q.get_nowait())

        async with flavor.group() as spawn:
            a, b = await _line_up(flavor, spawn, lambda: _queue_waiting(q)[0],
                                  lambda: putter(1), lambda: putter(2))
            await _grant_and_cancel(flavor, order, take, a)
            await flavor.wait_until(lambda: a.done)
            while not b.done:    # room for B (and for A's item, if it landed)
                if q.qsize():
                    # async: a priority queue's item joins its heap when its putter
                    # (a task of this loop) runs
                    got.append(await q.async_get())
                await flavor.checkpoint()
        while q.qsize():
            got.append(await q.async_get())
        assert b.state == "returned", (b.state, b.error)
        if 1 in put:
            _assert_cancelled_after_effect(a, put)
        else:
            _assert_a_cancelled(a)
        # exactly the items whose put returned came out, each once
        assert sorted(got) == [0] + sorted(put), (order, got, put)
        assert _queue_waiting(q) == (0, 0)

    _rounds(flavor, one_round)
    assert len(_q._items) == table  # no item left behind in the key table


# ------------------------------------------------------------------------ queue gets
GET_QUEUES = [
    pytest.param(lambda: weft.Queue(None), id="Queue"),
    pytest.param(lambda: weft.LifoQueue(None), id="LifoQueue"),
    pytest.param(lambda: weft.PriorityQueue(None), id="PriorityQueue"),
    pytest.param(weft.SimpleQueue, id="SimpleQueue"),
    pytest.param(weft.SimpleLifoQueue, id="SimpleLifoQueue"),
    pytest.param(wq.Queue, id="queue.Queue"),
    pytest.param(wq.SimpleQueue, id="queue.SimpleQueue"),
]


@pytest.mark.parametrize("flavor", FLAVOR_PARAMS)
@pytest.mark.parametrize("make", GET_QUEUES)
def test_cancelled_get_leaves_its_item_for_the_next_getter(flavor, make):
    from weft import queue as _q
    table = len(_q._items)

    async def one_round(order):
        q = make()
        got = []

        async def getter(tag):
            item = await q.async_get()
            got.append((tag, item))
            await flavor.checkpoint()

        async with flavor.group() as spawn:
            a, b = await _line_up(flavor, spawn, lambda: _queue_waiting(q)[1],
                                  lambda: getter("a"), lambda: getter("b"))
            await _grant_and_cancel(flavor, order, lambda: q.put_nowait("x"), a)
            await flavor.wait_until(lambda: a.done)
            if any(tag == "a" for tag, _ in got):
                q.put_nowait("y")  # A kept "x": B gets this one
            await flavor.wait_until(lambda: b.done)
        assert b.state == "returned", (b.state, b.error)
        _assert_a_cancelled(a)
        items = sorted(item for _, item in got)
        assert items == (["x", "y"] if len(got) == 2 else ["x"]), (order, got)
        assert q.qsize() == 0 and _queue_waiting(q) == (0, 0)

    _rounds(flavor, one_round)
    assert len(_q._items) == table


# ------------------------------------------------------------------------ conditions
CONDITIONS = [
    pytest.param(lambda: weft.Condition(weft.Lock()), id="Lock"),
    pytest.param(lambda: weft.Condition(weft.RLock()), id="RLock"),
    pytest.param(lambda: weft.Condition(None), id="lockless"),
]


@pytest.mark.parametrize("flavor", FLAVOR_PARAMS)
@pytest.mark.parametrize("make", CONDITIONS)
def test_notification_of_a_cancelled_waiter_goes_to_the_next(flavor, make):
    orders = ORDERS + ("notify-cancel-release",)

    async def one_round(order):
        cond = make()
        lock = cond.lock
        notified = []          # waits that returned True
        counted = []           # what notify() said it woke

        async def waiter(tag):
            if lock is None:
                if await cond.async_wait():
                    notified.append(tag)
                await flavor.checkpoint()
                return
            async with cond:
                if await cond.async_wait():
                    notified.append(tag)
                assert lock.async_owned()   # back holding the lock, notified or not
                await flavor.checkpoint()

        async def notify_one(a=None, cancel_between=False):
            """notify(1) under the lock; A cancelled between notify and release."""
            if lock is not None:
                await lock.async_acquire()
            counted.append(cond.notify(1))
            if cancel_between:
                a.cancel()
            if lock is not None:
                lock.async_release()   # the notified waiter's grant: lock and notification

        async with flavor.group() as spawn:
            a, b = await _line_up(flavor, spawn, lambda: cond.waiting,
                                  lambda: waiter("a"), lambda: waiter("b"))
            if order == "notify-cancel-release":
                await notify_one(a, cancel_between=True)
            else:
                # notify and release in one step: the grant is the release (or the
                # notify itself, for the lockless condition)
                if lock is not None:
                    await lock.async_acquire()

                def grant():
                    counted.append(cond.notify(1))
                    if lock is not None:
                        lock.async_release()
                await _grant_and_cancel(flavor, order, grant, a)
            await flavor.wait_until(lambda: a.done)
            if "a" in notified:
                await notify_one()     # A kept its notification: one more for B
            await flavor.wait_until(lambda: b.done)
        assert b.state == "returned", (order, b.state, b.error)
        _assert_a_cancelled(a, order)
        assert "b" in notified
        # every notification counted reached a waiter that returned notified
        assert sum(counted) == len(notified), (order, counted, notified)
        assert cond.waiting == 0
        assert lock is None or not lock.locked()

    async def main():
        for i in range(ROUNDS):
            await one_round(orders[i % len(orders)])
    flavor.run(main)


# -------------------------------------------------------------------------- barriers
BARRIERS = [
    pytest.param(lambda: weft.Barrier(3), id="Barrier"),
    pytest.param(lambda: weft.RBarrier(3), id="RBarrier"),
    pytest.param(lambda: weft.Latch(3), id="Latch"),
]


@pytest.mark.parametrize("flavor", FLAVOR_PARAMS)
@pytest.mark.parametrize("make", BARRIERS)
def test_arrival_that_completed_the_phase_returns(flavor, make):
    async def one_round(order):
        barrier = make()
        passed = []
        broken = []

        async def arrive(tag):
            try:
                await barrier.async_wait()
            except weft.BrokenBarrierError:
                broken.append(tag)
                return
            passed.append(tag)
            await flavor.checkpoint()

        def main_arrives():
            # the third arrival completes the phase at once (it does not block)
            try:
                barrier.green_wait()
                passed.append("main")
            except weft.BrokenBarrierError:
                broken.append("main")

        async with flavor.group() as spawn:
            a, b = await _line_up(flavor, spawn, lambda: barrier.waiting,
                                  lambda: arrive("a"), lambda: arrive("b"))
            await _grant_and_cancel(flavor, order, main_arrives, a)
            await flavor.wait_until(lambda: a.done and b.done)
        _assert_a_cancelled(a)
        assert b.state == "returned", (b.state, b.error)
        if "a" in passed:
            # the phase passed for everyone: A's arrival counted and A's call returned
            assert sorted(passed) == ["a", "b", "main"] and not broken
            _assert_cancelled_after_effect(a, passed)
        else:
            # A's cancel won: its arrival was withdrawn, which breaks the barrier
            assert "a" not in passed and sorted(broken) == ["b", "main"], (passed, broken)

    _rounds(flavor, one_round)


# ---------------------------------------------------------------------------- events
def _event_case(kind):
    if kind == "Event":
        ev = weft.Event()
        return ev, ev.async_wait, ev.set, lambda: _waiting(ev)
    if kind == "REvent":
        ev = weft.REvent()
        return ev, ev.async_wait, ev.set, lambda: _waiting(ev)
    if kind == "CountdownEvent":
        cd = weft.CountdownEvent(1)
        return cd, cd.async_wait, cd.down, lambda: _waiting(cd)
    ev = wt.Event()
    return ev, ev.async_wait, ev.set, lambda: _waiting(ev)


@pytest.mark.parametrize("flavor", FLAVOR_PARAMS)
@pytest.mark.parametrize("kind", ["Event", "REvent", "CountdownEvent", "threading.Event"])
def test_wait_for_an_event_wakes_the_other_waiter_whatever_the_cancel(flavor, kind):
    async def one_round(order):
        obj, wait, fire, line = _event_case(kind)
        woken = []

        async def waiter(tag):
            assert await wait() in (True, None)
            woken.append(tag)
            await flavor.checkpoint()

        async with flavor.group() as spawn:
            a, b = await _line_up(flavor, spawn, line, lambda: waiter("a"),
                                  lambda: waiter("b"))
            await _grant_and_cancel(flavor, order, fire, a)
            await flavor.wait_until(lambda: a.done and b.done)
        assert b.state == "returned" and "b" in woken
        _assert_a_cancelled(a)
        assert line() == 0

    _rounds(flavor, one_round)


# --------------------------------------------- asyncio: where the cancellation goes next
def _put_landing_as(cancel):
    """A put that lands in the same loop turn as ``cancel(task, timeout_cm)``; returns
    what the putting task went through."""
    import asyncio

    async def main():
        q = weft.Queue(1)
        q.put_nowait(0)
        seen = []
        box = {}

        async def putter():
            try:
                async with asyncio.timeout(None) as cm:
                    box["cm"] = cm
                    await q.async_put(1)
                    seen.append("put returned")
                seen.append("block left")
                await asyncio.sleep(0)
                await asyncio.sleep(0)
                seen.append("not cancelled later")
            except TimeoutError:
                seen.append("TimeoutError")
            except asyncio.CancelledError:
                seen.append("cancelled at the next suspension")

        task = asyncio.create_task(putter())
        while _queue_waiting(q)[0] < 1:
            await asyncio.sleep(0)
        q.get_nowait()                  # the put lands (its completion is in the port)
        cancel(task, box["cm"], asyncio.get_running_loop())
        await task
        return seen, q.get_nowait()

    return asyncio.run(main())


def test_asyncio_timeout_expiring_as_the_put_lands_is_withdrawn_with_its_block():
    # the timeout fires in the loop turn that delivers the grant: the put returns, the
    # block ends normally (the timeout withdrew its request), nothing is cancelled later
    seen, item = _put_landing_as(lambda task, cm, loop: cm.reschedule(loop.time() - 1))
    assert seen == ["put returned", "block left", "not cancelled later"] and item == 1


def test_asyncio_cancel_as_the_put_lands_comes_at_the_next_suspension():
    seen, item = _put_landing_as(lambda task, cm, loop: task.cancel())
    assert seen == ["put returned", "block left", "cancelled at the next suspension"]
    assert item == 1


def test_asyncio_last_arrival_cancelled_while_the_released_run_first_returns():
    """The arrival that completes a phase yields once so that the tasks it released run
    first; cancelled during that yield, it still returns its index (the phase passed)."""
    import asyncio

    async def main():
        b = weft.Barrier(3)
        log = []

        async def arrive(tag):
            try:
                log.append((tag, await b.async_wait()))
                await asyncio.sleep(0)
            except asyncio.CancelledError:
                log.append((tag, "cancelled"))

        first = [asyncio.create_task(arrive(t)) for t in "ab"]
        while b.waiting < 2:
            await asyncio.sleep(0)
        last = asyncio.create_task(arrive("c"))
        await asyncio.sleep(0)   # "c" arrives, completes the phase, yields to a and b
        last.cancel()
        await asyncio.gather(last, *first)
        return log

    log = asyncio.run(main())
    assert sorted(tag for tag, _ in log if _ != "cancelled") == ["a", "b", "c"]
    assert sorted(i for _, i in log if i != "cancelled") == [0, 1, 2]
    assert ("c", "cancelled") in log   # the cancellation came at its next suspension
