"""weft.queue beyond CPython 3.11's test_queue: shutdown (3.13 semantics), references,
priorities of any comparable type, sharing handles."""

import gc
import threading
import time
import weakref

import pytest

import weft.queue as wq
from weft import queue as _q


class Item:
    pass


def test_maxsize_zero_and_negative_are_unbounded():
    for m in (0, -1):
        q = wq.Queue(m)
        for i in range(1000):
            q.put_nowait(i)
        assert q.qsize() == 1000 and not q.full() and q.maxsize == 0


def test_items_are_released_when_got_cleared_or_freed():
    q = wq.Queue()
    refs = []
    for _ in range(5):
        o = Item()
        refs.append(weakref.ref(o))
        q.put(o)
    del o
    q.get()
    gc.collect()
    assert refs[0]() is None and all(r() is not None for r in refs[1:])
    q.close()          # the last reference: the destructor drops the other four
    gc.collect()
    assert all(r() is None for r in refs)


def test_shutdown_immediate_discards_and_counts_tasks_done():
    q = wq.Queue()
    o = Item()
    ref = weakref.ref(o)
    q.put(o)
    q.put(2)
    del o
    q.shutdown(immediate=True)
    gc.collect()
    assert ref() is None
    assert q.is_shutdown
    q.join()  # every discarded item counted as done
    with pytest.raises(wq.ShutDown):
        q.get()
    with pytest.raises(wq.ShutDown):
        q.put(1)


def test_shutdown_drains_then_raises_and_wakes_blocked():
    q = wq.Queue(1)
    q.put(1)
    errors = []

    def putter():
        try:
            q.put(2)
        except wq.ShutDown:
            errors.append("put")

    t = threading.Thread(target=putter)
    t.start()
    time.sleep(0.05)
    q.shutdown()
    t.join(5)
    assert errors == ["put"]
    assert q.get() == 1
    with pytest.raises(wq.ShutDown):
        q.get()

    q2 = wq.Queue()

    def getter():
        try:
            q2.get()
        except wq.ShutDown:
            errors.append("get")

    t = threading.Thread(target=getter)
    t.start()
    time.sleep(0.05)
    q2.shutdown()
    t.join(5)
    assert errors == ["put", "get"]


def test_task_done_and_join():
    q = wq.Queue()
    for i in range(10):
        q.put(i)

    def worker():
        while True:
            try:
                q.get(timeout=0.5)
            except wq.Empty:
                return
            q.task_done()

    t = threading.Thread(target=worker)
    t.start()
    q.join()
    assert q.unfinished_tasks == 0
    with pytest.raises(ValueError):
        q.task_done()
    t.join()


def test_priority_queue_compares_items_like_the_stdlib():
    q = wq.PriorityQueue()
    for item in [(1, "b"), (0, "z"), (1, "a"), (0.5, "x")]:
        q.put(item)
    assert [q.get() for _ in range(4)] == [(0, "z"), (0.5, "x"), (1, "a"), (1, "b")]
    q = wq.PriorityQueue()
    for s in ["pear", "apple", "fig"]:
        q.put(s)
    assert [q.get() for _ in range(3)] == ["apple", "fig", "pear"]


def test_priority_queue_threads_exactly_once():
    q = wq.PriorityQueue(8)
    n = 2000
    got = []

    def producer(base):
        for i in range(n):
            q.put(base + i)

    def consumer():
        for _ in range(n):
            got.append(q.get())

    ts = [threading.Thread(target=producer, args=(k * n,)) for k in range(2)]
    ts += [threading.Thread(target=consumer) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(got) == list(range(2 * n))


def test_lifo_and_simple_queue():
    q = wq.LifoQueue()
    for i in range(3):
        q.put(i)
    assert [q.get() for _ in range(3)] == [2, 1, 0]
    s = wq.SimpleQueue()
    s.put(None)
    assert s.get() is None
    with pytest.raises(wq.Empty):
        s.get(timeout=0.01)


def test_from_handle_shares_items():
    q = wq.Queue()
    q2 = wq.Queue.from_handle(q.handle)
    obj = object()
    q.put(obj)
    assert q2.get() is obj
    q.close()
    q2.put(1)
    assert q2.get() == 1


def test_shrinking_maxsize():
    q = wq.Queue(3)
    q.put(1)
    q.put(2)
    q.maxsize = 2
    assert q.full()
    with pytest.raises(wq.Full):
        q.put_nowait(3)
    q.maxsize = 0
    q.put_nowait(3)
    assert q.qsize() == 3


def test_no_table_leak():
    before = len(_q._items)
    q = wq.Queue(2)
    for i in range(100):
        q.put(i)
        q.get()
    with pytest.raises(wq.Full):
        for i in range(3):
            q.put_nowait(i)
    with pytest.raises(wq.Full):
        q.put(9, timeout=0.01)
    q.close()
    gc.collect()
    assert len(_q._items) == before


@pytest.mark.parametrize("cls", [wq.Queue, wq.LifoQueue, wq.PriorityQueue])
@pytest.mark.parametrize("immediate", [False, True])
def test_shutdown_every_method_one_thread(cls, immediate):
    q = cls(2)
    q.put(1)
    q.put_nowait(2)
    q.shutdown(immediate)
    assert q.is_shutdown
    for call in (lambda: q.put(3), lambda: q.put_nowait(4), lambda: q.put(5, timeout=1)):
        with pytest.raises(wq.ShutDown):
            call()
    if immediate:
        assert q.qsize() == 0
        with pytest.raises(ValueError):   # the discarded items counted as done
            q.task_done()
    else:
        assert sorted([q.get(), q.get_nowait()]) == [1, 2]
        q.task_done()
        q.task_done()
    q.join()
    for call in (q.get, q.get_nowait, lambda: q.get(True, 1.0)):
        with pytest.raises(wq.ShutDown):
            call()
    q.shutdown(immediate=True)   # alive → shutdown → immediate, repeatable
    q.shutdown(immediate=False)
    assert q.is_shutdown


@pytest.mark.parametrize("cls", [wq.Queue, wq.LifoQueue, wq.PriorityQueue])
def test_put_many_get_many(cls):
    before = len(_q._items)
    q = cls(5)
    assert q.put_many(range(8), block=False) == 5       # a prefix: what fits
    with pytest.raises(wq.Full):
        q.put_many([9], timeout=0.01)
    got = q.get_many(10)
    assert sorted(got) == [0, 1, 2, 3, 4]
    if cls is wq.Queue:
        assert got == [0, 1, 2, 3, 4]
    with pytest.raises(wq.Empty):
        q.get_many(3, timeout=0.01)

    def producer():
        for i in range(0, 1000, 10):
            q.put_many(range(i, i + 10))

    t = threading.Thread(target=producer)
    t.start()
    out = []
    while len(out) < 1000:
        out.extend(q.get_many(64, timeout=5))
    t.join()
    assert sorted(out) == list(range(1000))
    q.shutdown()
    with pytest.raises(wq.ShutDown):
        q.put_many([1])
    with pytest.raises(wq.ShutDown):
        q.get_many(1)
    q.close()
    gc.collect()
    assert len(_q._items) == before
