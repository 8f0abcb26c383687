"""Async faces under asyncio, trio and anyio (both backends): fast paths, waits completed
through the loop's port, cross-thread and cross-loop sharing, cancellation races."""

import asyncio
import random
import threading
import time

import pytest

import weft
import weft.queue as wq
import weft.threading as wt

trio = pytest.importorskip("trio")
anyio = pytest.importorskip("anyio")


def run_asyncio(coro_fn):
    return asyncio.run(coro_fn())


def run_trio(coro_fn):
    return trio.run(coro_fn)


RUNNERS = [pytest.param(run_asyncio, id="asyncio"), pytest.param(run_trio, id="trio")]


async def sleep(t):
    from weft._core import _library
    if _library() == "trio":
        await trio.sleep(t)
    else:
        await asyncio.sleep(t)


def in_thread(fn, *args):
    t = threading.Thread(target=fn, args=args)
    t.start()
    return t


@pytest.mark.parametrize("run", RUNNERS)
def test_lock_shared_with_a_thread(run):
    lock = weft.Lock()
    log = []

    def holder():
        with lock:
            log.append("thread in")
            time.sleep(0.1)
            log.append("thread out")

    async def main():
        t = in_thread(holder)
        while not lock.locked():
            await sleep(0.001)
        async with lock:
            log.append("task in")
        t.join()

    run(main)
    assert log == ["thread in", "thread out", "task in"]


@pytest.mark.parametrize("run", RUNNERS)
def test_threading_lock_and_event_async_faces(run):
    lock = wt.Lock()
    ev = wt.Event()

    async def main():
        async with lock:
            t = in_thread(lambda: (lock.acquire(), ev.set(), lock.release()))
            await sleep(0.05)
            assert not ev.is_set()
        assert await ev.async_wait()
        t.join()

    run(main)


@pytest.mark.parametrize("run", RUNNERS)
def test_every_primitive_async(run):
    async def main():
        sem = weft.Semaphore(1)
        assert await sem.async_acquire()
        assert not await sem.async_acquire(blocking=False)
        assert not await sem.async_acquire(timeout=0.02)
        sem.release()
        async with sem:
            pass
        rl = weft.RLock()
        assert await rl.async_acquire() and await rl.async_acquire()
        assert rl.async_count() == 2
        rl.async_release(2)
        lim = weft.CapacityLimiter(1)
        async with lim:
            assert lim.async_borrowed()
        ev = weft.Event()
        assert not await ev.async_wait(timeout=0.01)
        ev.set()
        assert await ev
        cd = weft.CountdownEvent(1)
        in_thread(cd.down).join()
        assert await cd.async_wait()
        b = weft.Barrier(2)
        t = in_thread(b.wait)
        assert await b.async_wait() in (0, 1)
        t.join()
        cond = weft.Condition(weft.Lock())
        async with cond:
            assert not await cond.async_wait(timeout=0.01)
            assert cond.lock.async_owned()

        def notifier():
            with cond:
                cond.notify()
        async with cond:
            t = in_thread(notifier)
            assert await cond.async_wait(timeout=5)
        t.join()
        q = weft.Queue(1)
        await q.async_put(1)
        with pytest.raises(weft.QueueFull):
            await q.async_put(2, timeout=0.01)
        assert await q.async_get() == 1
        with pytest.raises(weft.QueueEmpty):
            await q.async_get(blocking=False)
        sq = wq.Queue()
        await sq.async_put("x")
        assert await sq.async_get() == "x"
        sq.task_done()
        await sq.async_join()

    run(main)


@pytest.mark.parametrize("run", RUNNERS)
def test_queue_thread_to_loop(run):
    q = wq.Queue(4)
    n = 2000

    def producer():
        for i in range(n):
            q.put(i)

    async def main():
        t = in_thread(producer)
        got = [await q.async_get() for _ in range(n)]
        t.join()
        return got

    assert run(main) == list(range(n))


def test_cross_loop_two_asyncio_loops_and_a_trio_loop():
    lock = weft.Lock()
    counter = [0]
    n = 200

    async def bump():
        for _ in range(n):
            async with lock:
                v = counter[0]
                await sleep(0)
                counter[0] = v + 1

    ts = [threading.Thread(target=asyncio.run, args=(bump(),)) for _ in range(2)]
    ts.append(threading.Thread(target=trio.run, args=(bump,)))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert counter[0] == 3 * n and not lock.locked()


@pytest.mark.parametrize("locktype", [weft.Lock, wt.Lock])
def test_asyncio_cancellation_race_never_leaks_the_lock(locktype):
    lock = locktype()
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            with lock:
                time.sleep(random.random() * 0.0005)

    async def main():
        t = in_thread(churn)
        done = timeouts = 0
        for _ in range(1000):
            try:
                # asyncio.timeout, not wait_for: wait_for (3.11) runs the acquire in
                # another task, which would then be the lock's owner
                async with asyncio.timeout(random.random() * 0.0005):
                    await lock.async_acquire()
            except TimeoutError:
                timeouts += 1
                continue
            lock.release() if locktype is wt.Lock else lock.async_release()
            done += 1
        stop.set()
        t.join()
        return done, timeouts

    done, timeouts = asyncio.run(main())
    assert done + timeouts == 1000
    assert not lock.locked()
    assert lock.acquire(blocking=False) if locktype is wt.Lock else lock.waiting == 0


def test_trio_cancellation_race_never_leaks_the_lock():
    lock = weft.Lock()
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            with lock:
                time.sleep(random.random() * 0.0005)

    async def main():
        t = in_thread(churn)
        for _ in range(1000):
            with trio.move_on_after(random.random() * 0.0005):
                await lock.async_acquire()
                lock.async_release()
        stop.set()
        t.join()

    trio.run(main)
    assert not lock.locked() and lock.waiting == 0


@pytest.mark.parametrize("run", RUNNERS)
def test_queue_get_cancellation_race_loses_no_item(run):
    q = wq.Queue()
    import weft.queue  # noqa: F401
    n = 500

    def producer():
        for i in range(n):
            q.put(i)
            time.sleep(random.random() * 0.0002)

    async def main():
        t = in_thread(producer)
        got = []
        while len(got) < n:
            if run is run_trio:
                with trio.move_on_after(random.random() * 0.0005):
                    got.append(await q.async_get())
            else:
                try:
                    got.append(await asyncio.wait_for(q.async_get(),
                                                      random.random() * 0.0005))
                except asyncio.TimeoutError:
                    pass
        t.join()
        return got

    from weft import queue as _q
    before = len(_q._items)
    got = run(main)
    assert sorted(got) == list(range(n))   # cancelled gets gave their items back
    assert q.qsize() == 0
    assert len(_q._items) == before        # and no object is left in the item table


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
def test_anyio_both_backends(anyio_backend):
    async def main():
        lock = weft.Lock()
        ev = weft.REvent()
        q = weft.Queue(None)
        async with anyio.create_task_group() as tg:
            async def waiter():
                await ev.async_wait()
                await q.async_put("done")
            tg.start_soon(waiter)
            await anyio.sleep(0.01)
            async with lock:
                ev.set()
        assert await q.async_get() == "done"
        with anyio.move_on_after(0.01):
            await q.async_get()
        async with lock:
            pass

    anyio.run(main, backend=anyio_backend)


def test_asyncio_task_owner_checks():
    async def main():
        lock = weft.Lock()
        await lock.async_acquire()

        async def other():
            with pytest.raises(RuntimeError):
                lock.async_release()
        await asyncio.create_task(other())
        with pytest.raises(RuntimeError):
            await lock.async_acquire()
        lock.async_release()

    asyncio.run(main())


@pytest.mark.parametrize("run", RUNNERS)
def test_condition_wait_cancelled_takes_the_lock_back_without_blocking_the_loop(run):
    cond = weft.Condition(weft.Lock())
    holder_release = threading.Event()

    def holder():
        # take the lock while the task waits (the wait released it), then hold it a bit
        with cond:
            holder_release.wait(5)

    async def main():
        async with cond:
            t = in_thread(holder)
            ticks = []

            async def ticker():
                # runs while the cancelled wait takes the lock back: the loop is free
                for _ in range(5):
                    ticks.append(1)
                    await sleep(0.01)
                holder_release.set()

            if run is run_trio:
                async with trio.open_nursery() as n:
                    n.start_soon(ticker)
                    with trio.move_on_after(0.02):
                        await cond.async_wait()
            else:
                tick = asyncio.ensure_future(ticker())
                try:
                    async with asyncio.timeout(0.02):
                        await cond.async_wait()
                except TimeoutError:
                    pass
                await tick
            # back holding the lock, as a condition wait must
            assert cond.lock.async_owned()
            assert len(ticks) == 5
        t.join()
        assert not cond.lock.locked()

    run(main)


def test_one_port_per_loop_and_it_goes_with_the_loop():
    import gc
    import os
    q = weft.Queue(None)

    async def main():
        t = in_thread(lambda: (time.sleep(0.002), q.green_put(1)))
        await q.async_get()          # pending: goes through this loop's port
        t.join()

    asyncio.run(main())
    trio.run(main)
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        asyncio.run(main())
        trio.run(main)
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= before


@pytest.mark.parametrize("run", RUNNERS)
def test_queue_put_cancellation_race_exactly_once(run):
    from weft import queue as _q
    q = wq.Queue(1)
    n = 300
    put_ok = []
    stop = threading.Event()
    got = []

    def consumer():
        while not stop.is_set() or q.qsize():
            try:
                got.append(q.get(timeout=0.01))
            except wq.Empty:
                pass
            time.sleep(random.random() * 0.0003)

    async def main():
        t = in_thread(consumer)
        for i in range(n):
            if run is run_trio:
                with trio.move_on_after(random.random() * 0.0005):
                    await q.async_put(i)
                    put_ok.append(i)
            else:
                try:
                    async with asyncio.timeout(random.random() * 0.0005):
                        await q.async_put(i)
                    put_ok.append(i)
                except TimeoutError:
                    pass
        stop.set()
        t.join()

    before = len(_q._items)
    run(main)
    # exactly the puts that returned went in, each once: a put whose grant won the race
    # against its timeout returned normally, a put that timed out did not go in
    assert sorted(got) == sorted(put_ok)
    assert len(_q._items) == before


@pytest.mark.parametrize("run", RUNNERS)
def test_condition_timeouts_race_notifies(run):
    """Waits with tiny timeouts racing notifies from a thread: every wait returns holding
    the lock, whichever side won."""
    cond = weft.Condition(weft.Lock())
    stop = threading.Event()

    def notifier():
        while not stop.is_set():
            with cond:
                cond.notify_all()
            time.sleep(random.random() * 0.0003)

    async def main():
        t = in_thread(notifier)
        for _ in range(300):
            async with cond:
                await cond.async_wait(timeout=random.random() * 0.0005)
                assert cond.lock.async_owned()
        stop.set()
        t.join()

    run(main)
    assert not cond.lock.locked()
