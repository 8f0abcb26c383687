"""Drop-in replacement for :mod:`queue` over weft queues.

``Queue``, ``LifoQueue``, ``PriorityQueue``, ``SimpleQueue``, ``Empty``, ``Full`` and
``ShutDown`` (``shutdown(immediate=False)`` as in Python 3.13, on every version).
``Empty``/``Full`` are the stdlib's own classes, so ``except queue.Empty`` still works;
``ShutDown`` is ``queue.ShutDown`` where it exists.

Items are Python objects: a weft queue holds ``void *``, so each put stores the object
in a process-wide table under a fresh integer key and puts the key; a get takes the
object back out of the table. The queue's destructor drops the table entry of every item
weft discards (``clear``, ``shutdown(immediate=True)``, freeing the last reference), so
nothing leaks and nothing is freed early. Other Python wrappers of the same handle
(``from_handle``) decode the same keys; C code sharing the handle sees opaque keys.

``PriorityQueue`` compares items as the stdlib does (any ordering, not just integers): the
items live in a Python heap; the weft queue (FIFO) carries one ticket per item and does
all the waiting, bounding, ``task_done``/``join`` and shutdown. A getter that holds a
ticket pops the smallest item. Its handle is therefore not useful to C for items.
"""

from __future__ import annotations

import heapq
import itertools
import queue as _stdqueue
import threading as _threading
from ctypes import byref, c_bool, c_int64, c_size_t, c_uint64, c_void_p

from . import _core, _hot, _lib
from ._core import (KEEP, Handle, async_wait, free_op, raw_op_free, raw_op_item,
                    running_trio, unconverted, wait_blocking)
from ._lib import (CLOSED, NULL_CB, OK, OVERFLOW, TIMEOUT, WOULD_BLOCK, WeftError, fast,
                   lib)

__all__ = ["Queue", "LifoQueue", "PriorityQueue", "SimpleQueue", "Empty", "Full",
           "ShutDown"]

Empty = _stdqueue.Empty
Full = _stdqueue.Full
try:
    ShutDown = _stdqueue.ShutDown
except AttributeError:
    class ShutDown(Exception):
        """Raised when put/get is called on a Queue that has been shut down."""

_hot_try_put = _hot.queue_try_put
_hot_try_get = _hot.queue_try_get
_ZERO_I64 = c_int64(0)


# the async starts without argument conversion (`_core.unconverted`)
_raw_put_async = unconverted(fast.queue_put_async)
_raw_get_async = unconverted(fast.queue_get_async)

# key -> object, for every item inside some weft queue created here
_items: dict = {}

# what the async fast paths (`_get_at_once`) answer when they did nothing
NOT_NOW = object()
_next_key = itertools.count(1).__next__


@_lib.weft_item_destructor
def _drop_item(ctx, item):
    try:
        _items.pop(item or 0, None)
    except Exception:  # interpreter shutdown
        pass


def _check_timeout(block, timeout):
    if not block:
        return 0
    if timeout is not None and timeout < 0:
        raise ValueError("'timeout' must be a non-negative number")
    return timeout


class _WeftQueue(Handle):
    _prefix = "queue"
    _ptr_type = _lib.weft_queue_p
    __slots__ = ()
    _kind = _lib.QUEUE_FIFO
    _kind_tickets = False  # PriorityQueue: the weft queue carries NULL tickets

    def _new(self, capacity):
        h = _lib.weft_queue_p()
        _lib.check(fast.queue_new(self._kind, capacity, _drop_item, None, byref(h)),
                   "queue_new")
        self._adopt(h)

    # --- moving keys
    def _put_key(self, key, timeout):
        """Puts an int key; returns the status (OK, WOULD_BLOCK, TIMEOUT, CLOSED)."""
        wire = 0 if self._kind_tickets else key
        hp = self._hp
        st = _hot_try_put(hp, wire, 0)
        if st != WOULD_BLOCK or timeout == 0:
            return st
        h = self._h
        st, op = wait_blocking(
            lambda ns: _hot.queue_put(hp, wire, 0, ns),
            lambda port, opref: fast.queue_put_async(h, wire, 0, port, NULL_CB, None, opref),
            timeout, undo=KEEP, on_cancelled=lambda: self._unput(key))
        free_op(op)
        return st

    def _get_key(self, timeout):
        """Returns (status, key)."""
        hp = self._hp
        got = _hot_try_get(hp)  # the key (>= 0), or -status
        if got >= 0:
            return OK, got
        if got != -WOULD_BLOCK or timeout == 0:
            return -got, None
        h = self._h
        out = c_void_p()

        def blocking_get(ns):  # another thread than the main one: the plain C wait
            got = _hot.queue_get(hp, ns)
            out.value = got if got >= 0 else None
            return OK if got >= 0 else -got
        st, op = wait_blocking(
            blocking_get,
            lambda port, opref: fast.queue_get_async(h, byref(out), port, NULL_CB, None,
                                                     opref),
            timeout, undo=self._give_back)
        if op is not None:
            if st == OK:
                fast.op_item(op, byref(out))
            free_op(op)
        return st, out.value

    async def _async_put_key(self, key):
        h = self._h
        wire = c_void_p(0 if self._kind_tickets else key)
        # a put that landed cannot be withdrawn: if it won the race against a
        # cancellation, it completes normally (the cancellation comes at the next
        # checkpoint); a put that raises cancellation did not go in
        st, op = await async_wait(
            lambda port, k, opref: _raw_put_async(h, wire, _ZERO_I64, port, None, k, opref),
            undo=KEEP)
        if op is not None:
            raw_op_free(op)
        return st

    async def _async_get_key(self):
        h = self._h
        out = c_void_p()
        st, op = await async_wait(
            lambda port, k, opref: _raw_get_async(h, byref(out), port, None, k, opref),
            undo=self._give_back)
        if op is not None:
            if st == OK:
                raw_op_item(op, byref(out))
            raw_op_free(op)
        return st, out.value

    def _give_back(self, op):
        # a get that won the race against a cancel: the item goes back to be the next
        # one out (weft_queue_unget: in front, beyond the capacity, no new task)
        out = c_void_p()
        if fast.op_item(op, byref(out)) == OK:
            fast.queue_unget(self._h, out.value)

    def _unput(self, key):
        pass

    # --- the async faces' fast path under asyncio: one C call, no yield and no coroutine
    # of its own, tried first by every async put and get (the aiologic-style faces of
    # weft._aio included). Under trio each async call is a checkpoint instead, so there
    # is no fast path: the call goes the whole way (see `async_get`).
    def _get_at_once(self):
        """Under asyncio, the item if one can be taken now; else NOT_NOW (nothing
        happened)."""
        if self._leave_yields or running_trio() is not None:
            return NOT_NOW
        got = _hot_try_get(self._hp)
        if got < 0:
            return NOT_NOW
        return self._leave(got)

    def _try_get_key(self):
        """(status, key) of one try (the async gets, under trio or after the fast path)."""
        got = _hot_try_get(self._hp)
        return (OK, got) if got >= 0 else (-got, None)

    # PriorityQueue: a get's item may not be in the heap yet, and the async face waits
    # for it in `_async_leave` (a coroutine) instead of `_leave`
    _leave_yields = False

    # --- queries
    def qsize(self):
        out = c_size_t()
        fast.queue_size(self._h, byref(out))
        return out.value

    def empty(self):
        return self.qsize() == 0

    def __len__(self):
        return self.qsize()

    @property
    def is_shutdown(self):
        out = c_bool()
        fast.queue_is_shutdown(self._h, byref(out))
        return out.value


class Queue(_WeftQueue):
    """queue.Queue (FIFO) over a weft queue. ``maxsize <= 0``: unbounded."""

    __slots__ = ()
    _kind = _lib.QUEUE_FIFO

    def __init__(self, maxsize=0):
        self._new(maxsize if maxsize > 0 else _lib.UNBOUNDED)

    @property
    def maxsize(self):
        out = c_int64()
        fast.queue_capacity(self._h, byref(out))
        return max(out.value, 0)

    @maxsize.setter
    def maxsize(self, value):
        _lib.check(fast.queue_set_capacity(self._h, value if value > 0 else _lib.UNBOUNDED),
                   "queue_set_capacity")

    def full(self):
        m = self.maxsize
        return 0 < m <= self.qsize()

    # --- items <-> keys (PriorityQueue overrides these)
    def _enter(self, item):
        key = _next_key()
        _items[key] = item
        return key

    def _unput(self, key):
        _items.pop(key, None)

    def _leave(self, key):
        return _items.pop(key)

    def put(self, item, block=True, timeout=None):
        timeout = _check_timeout(block, timeout)  # before any effect
        key = self._enter(item)
        try:
            st = self._put_key(key, timeout)  # tries first, then waits
        except BaseException:
            # an exception (Ctrl-C) before or during the wait: the item did not go in (a
            # put that went in returns normally), so it leaves the table
            self._unput(key)
            raise
        if st == OK:
            self._entered(key)
            return
        self._unput(key)
        if st in (WOULD_BLOCK, TIMEOUT):
            raise Full
        if st == CLOSED:
            raise ShutDown
        raise WeftError(st, "queue_put")

    def _entered(self, key):
        pass

    def get(self, block=True, timeout=None):
        if timeout is None:
            # the common call: one try first (`block` does not matter when it succeeds)
            got = _hot_try_get(self._hp)
            if got >= 0:
                return self._leave(got)
        timeout = _check_timeout(block, timeout)
        st, key = self._get_key(timeout)
        if st == OK:
            return self._leave(key)
        if st in (WOULD_BLOCK, TIMEOUT):
            raise Empty
        if st == CLOSED:
            raise ShutDown
        raise WeftError(st, "queue_get")

    def put_nowait(self, item):
        return self.put(item, block=False)

    def put_many(self, items, block=True, timeout=None):
        """Puts the items in order with one C call (``weft_queue_put_many``), waiting up
        to ``timeout`` for room (``block=False``: what fits now). Returns how many went
        in (always a prefix of ``items``); raises Full if none did, ShutDown if the
        queue is shut down and none did. (A weft extension: not in the stdlib.)"""
        timeout = _check_timeout(block, timeout)
        items = list(items)
        if not items:
            return 0
        keys = [self._enter(item) for item in items]
        n = len(keys)
        wire = (c_void_p * n)(*([None] * n if self._kind_tickets else keys))
        done = c_size_t()
        ns = _core.timeout_ns(timeout)
        call = fast.queue_put_many if ns == 0 else lib.queue_put_many
        st = call(self._h, wire, None, n, ns, byref(done))
        k = done.value
        for key in keys[:k]:
            self._entered(key)
        for key in keys[k:]:
            self._unput(key)
        if k == 0:
            if st == CLOSED:
                raise ShutDown
            if st in (WOULD_BLOCK, TIMEOUT):
                raise Full
            raise WeftError(st, "queue_put_many")
        return k

    def get_many(self, max_items, block=True, timeout=None):
        """Takes up to ``max_items`` with one C call (``weft_queue_get_many``): waits up
        to ``timeout`` for the first, then takes whatever else is there. Returns a
        non-empty list; raises Empty on timeout, ShutDown if shut down and empty. (A weft
        extension: not in the stdlib.)"""
        timeout = _check_timeout(block, timeout)
        if max_items < 1:
            return []
        out = (c_void_p * max_items)()
        got = c_size_t()
        ns = _core.timeout_ns(timeout)
        call = fast.queue_get_many if ns == 0 else lib.queue_get_many
        st = call(self._h, out, max_items, ns, byref(got))
        k = got.value
        if k:
            return [self._leave(out[i]) for i in range(k)]
        if st == CLOSED:
            raise ShutDown
        if st in (WOULD_BLOCK, TIMEOUT):
            raise Empty
        raise WeftError(st, "queue_get_many")


    def get_nowait(self):
        return self.get(block=False)

    def task_done(self):
        st = fast.queue_task_done(self._h)
        if st == OVERFLOW:
            raise ValueError("task_done() called too many times")
        _lib.check(st, "queue_task_done")

    def join(self):
        h = self._h
        st, op = wait_blocking(
            lambda ns: lib.queue_join(h, ns),
            lambda port, opref: fast.queue_join_async(h, port, NULL_CB, None, opref),
            None)
        free_op(op)
        _lib.check(st, "queue_join")

    @property
    def unfinished_tasks(self):
        out = c_uint64()
        fast.queue_unfinished(self._h, byref(out))
        return out.value

    def shutdown(self, immediate=False):
        """As Python 3.13: puts raise ShutDown; gets drain what is left, then raise
        ShutDown; blocked callers wake. ``immediate``: discard the items (each counts as
        a finished task, so join() returns once the others are done)."""
        fast.queue_shutdown(self._h, bool(immediate))
        if immediate:
            self._discard_all()

    def _discard_all(self):
        pass

    # --- async faces (asyncio, trio, anyio)
    def _put_at_once(self, item):
        """Under asyncio, True if the item went in now; else False (nothing happened)."""
        if running_trio() is not None:
            return False
        key = self._enter(item)
        if _hot_try_put(self._hp, 0 if self._kind_tickets else key, 0) == OK:
            self._entered(key)
            return True
        self._unput(key)
        return False

    async def async_put(self, item):
        if self._put_at_once(item):
            return
        # under trio, a checkpoint whatever happens (trio's own channels do the same);
        # under asyncio, the queue was full a moment ago
        trio = running_trio()
        if trio is not None:
            await trio.checkpoint_if_cancelled()
        key = self._enter(item)
        st = _hot_try_put(self._hp, 0 if self._kind_tickets else key, 0)
        if st != WOULD_BLOCK:
            if trio is not None:
                await trio.cancel_shielded_checkpoint()
        else:
            try:
                st = await self._async_put_key(key)
            except GeneratorExit:
                raise  # the coroutine is being closed: the put may have landed; keep the key
            except BaseException:
                self._unput(key)  # a cancellation: it did not go in
                raise
        if st == OK:
            self._entered(key)
            return
        self._unput(key)
        if st == CLOSED:
            raise ShutDown
        raise WeftError(st, "queue_put_async")

    async def async_get(self):
        item = self._get_at_once()
        if item is not NOT_NOW:
            return item
        trio = running_trio()
        if trio is not None:
            await trio.checkpoint_if_cancelled()
        st, key = self._try_get_key()
        if st != WOULD_BLOCK:
            if trio is not None:
                await trio.cancel_shielded_checkpoint()
        else:
            st, key = await self._async_get_key()
        if st == OK:
            if self._leave_yields:
                return await self._async_leave(key)
            return self._leave(key)
        if st == CLOSED:
            raise ShutDown
        raise WeftError(st, "queue_get_async")

    async def async_join(self):
        h = self._h
        st, op = await async_wait(
            lambda port, k, opref: fast.queue_join_async(h, port, NULL_CB, k, opref))
        free_op(op)
        _lib.check(st, "queue_join_async")

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__qualname__} at {hex(id(self))} " \
               f"maxsize={self.maxsize} qsize={self.qsize()}>"


class LifoQueue(Queue):
    """queue.LifoQueue over a weft LIFO queue."""

    __slots__ = ()
    _kind = _lib.QUEUE_LIFO


class PriorityQueue(Queue):
    """queue.PriorityQueue: the stdlib's ordering (items compared with <, smallest
    first) kept in a Python heap; the weft queue carries one ticket per item and does the
    waiting, the bound, task_done/join and shutdown."""

    __slots__ = ("_heap", "_ready")
    _kind = _lib.QUEUE_FIFO
    _kind_tickets = True

    def __init__(self, maxsize=0):
        Queue.__init__(self, maxsize)
        self._heap = []
        self._ready = _threading.Condition(_threading.Lock())

    @classmethod
    def from_handle(cls, ptr):
        raise TypeError("a PriorityQueue's items live in Python: it cannot be shared "
                        "through its handle")

    def _enter(self, item):
        return item  # the "key" is the item itself until its ticket is in

    def _unput(self, item):
        pass

    def _entered(self, item):
        with self._ready:
            heapq.heappush(self._heap, item)
            self._ready.notify()

    def _leave(self, ticket):
        with self._ready:
            while not self._heap:  # the ticket's putter is between its put and its push
                self._ready.wait(0.01)
            return heapq.heappop(self._heap)

    _leave_yields = True

    async def _async_leave(self, ticket):
        # The ticket's putter may be a task of this very loop that has not run since its
        # ticket went in: wait for its push without blocking the loop.
        turns = 0
        try:
            while True:
                with self._ready:
                    if self._heap:
                        return heapq.heappop(self._heap)
                turns += 1
                await _core.sleep(0 if turns < 100 else 0.001)
        except BaseException:
            fast.queue_unget(self._h, None)  # cancelled meanwhile: the ticket goes back
            raise

    def _give_back(self, op):
        # the ticket goes back in front (the item never left the heap)
        fast.queue_unget(self._h, None)

    def put_many(self, items, block=True, timeout=None):
        """As Queue.put_many, one item at a time: an item joins the heap only once its
        ticket is in, and one C call for a whole batch would hold back the items whose
        tickets went in until the last one did (a getter holding their tickets would
        wait for them while the putter waits for room: a deadlock)."""
        import time
        timeout = _check_timeout(block, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        n = 0
        for item in items:
            left = None if deadline is None else max(deadline - time.monotonic(), 0)
            try:
                self.put(item, block and left != 0, None if not block else left)
            except (Full, ShutDown):
                if n == 0:
                    raise
                return n
            n += 1
        return n

    def _discard_all(self):
        with self._ready:
            del self._heap[:]

    def close(self):
        Handle.close(self)


class SimpleQueue(_WeftQueue):
    """queue.SimpleQueue: unbounded FIFO; put never blocks; no task tracking."""

    __slots__ = ()
    _kind = _lib.QUEUE_FIFO

    def __init__(self):
        self._new(_lib.UNBOUNDED)

    def put(self, item, block=True, timeout=None):
        key = _next_key()
        _items[key] = item
        st = fast.queue_try_put(self._h, key, 0)
        if st != OK:
            _items.pop(key, None)
            raise WeftError(st, "queue_put")

    put_nowait = put

    def get(self, block=True, timeout=None):
        timeout = _check_timeout(block, timeout)
        st, key = self._get_key(timeout)
        if st == OK:
            return _items.pop(key)
        if st in (WOULD_BLOCK, TIMEOUT):
            raise Empty
        raise WeftError(st, "queue_get")

    def get_nowait(self):
        return self.get(False)

    def _leave(self, key):
        return _items.pop(key)

    def _put_at_once(self, item):
        """Under asyncio, puts the item and returns True (it never waits); under trio,
        False (the put goes through `async_put`, a checkpoint)."""
        if running_trio() is not None:
            return False
        self.put(item)
        return True

    async def async_put(self, item):
        if self._put_at_once(item):
            return
        trio = running_trio()
        await trio.checkpoint_if_cancelled()
        self.put(item)
        await trio.cancel_shielded_checkpoint()

    async def async_get(self):
        item = self._get_at_once()
        if item is not NOT_NOW:
            return item
        trio = running_trio()
        if trio is not None:
            await trio.checkpoint_if_cancelled()
        st, key = self._try_get_key()
        if st != WOULD_BLOCK:
            if trio is not None:
                await trio.cancel_shielded_checkpoint()
        else:
            st, key = await self._async_get_key()
        if st == OK:
            return _items.pop(key)
        raise WeftError(st, "queue_get_async")
