"""The aiologic-style API (aiologic 0.17 names): every primitive has green_* faces
(blocking the thread, GIL released) and async_* faces (asyncio, trio, anyio), and can be
used from both at once."""

from __future__ import annotations

import queue as _stdqueue
from types import MappingProxyType
import threading as _threading
from ctypes import byref, c_bool, c_size_t, c_uint64, c_void_p

from . import _hot, _lib
from . import queue as _wq
from ._core import (KEEP, Handle, async_wait, async_wait_uncancellable, free_op,
                    owner_ident, owner_is_task_of_this_thread, task_owner, thread_token,
                    thread_token_c, thread_token_now as _token_now, wait_blocking)
from ._core import _owner_idents as _core_owner_idents
from ._lib import (BUSY, DEADLOCK, FOREVER, INVALID, NOT_LOCKED, NOT_OWNER, NULL_CB, OK,
                   OVERFLOW, TIMEOUT, WOULD_BLOCK, WeftError, fast, lib)

BrokenBarrierError = _threading.BrokenBarrierError


def _green_enter(self):
    """`with` for the lock-likes: the green face."""
    self.green_acquire()
    return self


def _green_exit(self, *exc):
    self.green_release()


def _granted(st, what):
    """A wait's answer: True (OK), False (the wait ended without it: WOULD_BLOCK,
    TIMEOUT); anything else (a closed handle, an overflowing depth) raises."""
    if st == OK:
        return True
    if st in (WOULD_BLOCK, TIMEOUT):
        return False
    raise WeftError(st, what)


_hot_acquire = _hot.lock_acquire_as
_hot_release = _hot.lock_release_as
_hot_racquire = _hot.rlock_acquire_as
_hot_rrelease = _hot.rlock_release_as
_ZERO_NS = _hot.ZERO_NS


class BusyResourceError(RuntimeError):
    """A ResourceGuard was entered while in use."""


class QueueEmpty(_stdqueue.Empty):
    """A get found the queue empty (also a queue.Empty)."""


class QueueFull(_stdqueue.Full):
    """A put found the queue full (also a queue.Full)."""


# Timeouts as aiologic takes them: seconds; None, math.inf or anything beyond what weft
# counts in nanoseconds (2**63 ns, 292 years) waits forever; negative or NaN is an error.
_FOREVER_AFTER = 9.2e9


def _seconds(timeout):
    """A validated timeout: None (forever) or a finite number of seconds >= 0."""
    if timeout is None:
        return None
    if timeout != timeout:
        raise ValueError("timeout must be non-NaN")
    if timeout < 0:
        raise ValueError("timeout must be non-negative")
    if timeout >= _FOREVER_AFTER:
        return None
    return timeout


def _timeout(blocking, timeout):
    if not blocking:
        return 0
    return _seconds(timeout)


def _green(blocking_call, async_start, blocking, timeout, undo=None, on_cancelled=None):
    st, op = wait_blocking(blocking_call, async_start, _timeout(blocking, timeout), undo,
                           on_cancelled)
    return st, op


async def _async(start, try_call, blocking, timeout, undo=None):
    """Fast path through ``try_call()`` when not blocking; else the async op."""
    if not blocking:
        return try_call(), None
    return await async_wait(start, undo, _timeout(blocking, timeout))


def _check_not_held_by_own_loop(owner):
    """A thread that blocks for a lock held by a task of the event loop it runs would
    wait forever (that task cannot run): RuntimeError, as aiologic."""
    if owner_is_task_of_this_thread(owner):
        raise RuntimeError("the current thread is already holding this lock")


def _repr(obj, state):
    return f"<weft.{type(obj).__qualname__} at {hex(id(obj))} [{state}]>"


# ------------------------------------------------------------------------------ semaphores
class Semaphore(Handle):
    """A counting semaphore (weft_sem). ``Semaphore(initial, max)`` with a max gives a
    BoundedSemaphore."""

    _prefix = "sem"
    _ptr_type = _lib.weft_sem_p
    __slots__ = ("_initial", "_max")

    def __new__(cls, initial_value=None, max_value=None):
        if cls is Semaphore and max_value is not None:
            return BoundedSemaphore.__new__(BoundedSemaphore)
        return object.__new__(cls)

    def __init__(self, initial_value=1, max_value=None):
        if initial_value is None:
            initial_value = 1
        if initial_value < 0:
            raise ValueError("initial_value must be >= 0")
        self._initial = initial_value
        self._max = -1 if max_value is None else max_value
        self._create(initial_value, self._max)

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._initial = None
        self._max = -1

    @property
    def initial_value(self):
        return self._initial

    @property
    def value(self):
        out = c_uint64()
        fast.sem_value(self._h, byref(out))
        return out.value

    @property
    def waiting(self):
        out = c_size_t()
        fast.sem_waiting(self._h, byref(out))
        return out.value

    def green_acquire(self, *, blocking=True, timeout=None):
        h = self._h
        st = fast.sem_try_acquire(h)
        if st == WOULD_BLOCK and blocking:
            st, op = _green(lambda ns: lib.sem_acquire(h, ns),
                            lambda port, r: fast.sem_acquire_async(h, port, NULL_CB, None, r),
                            blocking, timeout, undo=lambda op: fast.sem_release(h, 1))
            free_op(op)
        return _granted(st, "sem_acquire")

    async def async_acquire(self, *, blocking=True, timeout=None):
        h = self._h
        st, op = await _async(
            lambda port, k, r: fast.sem_acquire_async(h, port, NULL_CB, k, r),
            lambda: fast.sem_try_acquire(h), blocking, timeout,
            undo=lambda op: fast.sem_release(h, 1))
        free_op(op)
        return _granted(st, "sem_acquire")

    def release(self, count=1):
        if count <= 0:
            return
        st = fast.sem_release(self._h, count)
        if st == OVERFLOW:
            raise RuntimeError("semaphore released too many times")
        _lib.check(st, "sem_release")

    green_release = async_release = release

    def __enter__(self):
        self.green_acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    async def __aenter__(self):
        await self.async_acquire()
        return self

    async def __aexit__(self, *exc):
        self.release()

    def __repr__(self):
        return _repr(self, f"value={self.value}, waiting={self.waiting}")


class BoundedSemaphore(Semaphore):
    """Releasing past ``max_value`` raises RuntimeError (the value is unchanged)."""

    __slots__ = ()

    def __new__(cls, initial_value=None, max_value=None):
        return object.__new__(cls)

    def __init__(self, initial_value=None, max_value=None):
        if initial_value is None and max_value is None:
            initial_value = max_value = 1
        elif initial_value is None:
            initial_value = max_value
        elif max_value is None:
            max_value = initial_value
        if max_value < initial_value:
            raise ValueError("max_value must be >= initial_value")
        Semaphore.__init__(self, initial_value, max_value)

    @property
    def max_value(self):
        return self._max

    def release(self, count=1):
        if count != 1:
            raise ValueError("count must be 1")
        Semaphore.release(self, 1)

    green_release = async_release = release


class BinarySemaphore(Semaphore):
    """A semaphore whose initial value is 0 or 1 (no upper cap, as aiologic's)."""

    __slots__ = ()

    def __new__(cls, initial_value=None, max_value=None):
        return object.__new__(cls)

    def __init__(self, initial_value=1, max_value=None):
        if initial_value not in (0, 1):
            raise ValueError("initial_value must be 0 or 1")
        Semaphore.__init__(self, initial_value, max_value)

    def release(self, count=1):
        if count != 1:
            raise ValueError("count must be 1")
        Semaphore.release(self, 1)

    green_release = async_release = release


class BoundedBinarySemaphore(BinarySemaphore, BoundedSemaphore):
    __slots__ = ()

    def __init__(self, initial_value=1, max_value=1):
        BoundedSemaphore.__init__(self, initial_value, max_value)

    release = green_release = async_release = BoundedSemaphore.release


# ----------------------------------------------------------------------------------- locks
class Lock(Handle):
    """An ownable lock (weft_lock): a thread (green faces) or a task (async faces) owns
    it; re-acquiring it as its owner, or releasing it as another, is RuntimeError."""

    _prefix = "lock"
    _ptr_type = _lib.weft_lock_p
    __slots__ = ()

    def __init__(self):
        h = _lib.weft_lock_p()
        _lib.check(fast.lock_new(_lib.LOCK_FIFO, byref(h)), "lock_new")
        self._adopt(h)

    def _owner_token(self):
        out = c_uint64()
        fast.lock_owner(self._h, byref(out))
        return out.value

    @property
    def owner(self):
        """aiologic's shape: ("threading", thread ident), ("asyncio" or "trio",
        id(task)), or None when unlocked (("weft", token) for an owner outside Python)."""
        return owner_ident(self._owner_token())

    def locked(self):
        return self._owner_token() != 0

    __bool__ = locked

    @property
    def waiting(self):
        out = c_size_t()
        fast.lock_waiting(self._h, byref(out))
        return out.value

    def _check(self, st):
        if st == DEADLOCK:
            raise RuntimeError("the current task is already holding this lock")
        if st == INVALID:
            raise WeftError(st, "lock_acquire")  # a closed lock
        return st == OK

    def green_acquire(self, *, blocking=True, timeout=None):
        h = self._h
        tok = thread_token()
        st = fast.lock_acquire_as(h, tok, 0)
        if st == WOULD_BLOCK and blocking:
            _check_not_held_by_own_loop(self._owner_token())
            st, op = _green(lambda ns: lib.lock_acquire_as(h, tok, ns),
                            lambda port, r: fast.lock_acquire_async(h, tok, port, NULL_CB,
                                                                    None, r),
                            blocking, timeout, undo=lambda op: fast.lock_release_as(h, tok))
            free_op(op)
        return self._check(st)

    async def async_acquire(self, *, blocking=True, timeout=None):
        h = self._h
        tok = task_owner()
        st, op = await _async(
            lambda port, k, r: fast.lock_acquire_async(h, tok, port, NULL_CB, k, r),
            lambda: fast.lock_acquire_as(h, tok, 0), blocking, timeout,
            undo=lambda op: fast.lock_release_as(h, tok))
        free_op(op)
        return self._check(st)

    def _release(self, tok):
        st = fast.lock_release_as(self._h, tok)
        if st == NOT_LOCKED:
            raise RuntimeError("release unlocked lock")
        if st == NOT_OWNER:
            raise RuntimeError("the current task is not holding this lock")
        _lib.check(st, "lock_release")

    def green_release(self):
        self._release(thread_token())

    def async_release(self):
        self._release(task_owner())

    def green_owned(self):
        return self._owner_token() == thread_token()

    def async_owned(self):
        return self._owner_token() == task_owner()

    def __enter__(self):
        # the uncontended try through `_hot` (no ctypes argument conversion); anything
        # else (wait, DEADLOCK, a closed handle) goes the full way
        if _hot_acquire(self._hp, _token_now() or thread_token_c(), _ZERO_NS) != 0:
            self.green_acquire()
        return self

    def __exit__(self, *exc):
        if _hot_release(self._hp, _token_now() or thread_token_c()) != 0:
            self.green_release()  # raises the right error

    async def __aenter__(self):
        await self.async_acquire()
        return self

    async def __aexit__(self, *exc):
        self.async_release()

    def __repr__(self):
        return _repr(self, f"locked={self.locked()}, waiting={self.waiting}")


class RLock(Handle):
    """A reentrant ownable lock (weft_rlock) with counts."""

    _prefix = "rlock"
    _ptr_type = _lib.weft_rlock_p
    __slots__ = ()

    def __init__(self):
        self._create(_lib.LOCK_FIFO)

    def _owner_token(self):
        out = c_uint64()
        fast.rlock_owner(self._h, byref(out))
        return out.value

    owner = Lock.owner

    @property
    def count(self):
        owner = self._owner_token()
        return self._count(owner) if owner else 0

    def _count(self, tok):
        out = c_uint64()
        fast.rlock_count(self._h, tok, byref(out))
        return out.value

    def locked(self):
        return self._owner_token() != 0

    __bool__ = locked

    @property
    def waiting(self):
        out = c_size_t()
        fast.rlock_waiting(self._h, byref(out))
        return out.value

    def green_acquire(self, count=1, *, blocking=True, timeout=None):
        if count < 1:
            raise ValueError("count must be >= 1")
        h = self._h
        tok = thread_token()
        st = fast.rlock_acquire_as(h, tok, count, 0)
        if st == WOULD_BLOCK and blocking:
            _check_not_held_by_own_loop(self._owner_token())
            st, op = _green(lambda ns: lib.rlock_acquire_as(h, tok, count, ns),
                            lambda port, r: fast.rlock_acquire_async(h, tok, count, port,
                                                                     NULL_CB, None, r),
                            blocking, timeout,
                            undo=lambda op: fast.rlock_release_as(h, tok, count))
            free_op(op)
        return _granted(st, "rlock_acquire")

    async def async_acquire(self, count=1, *, blocking=True, timeout=None):
        if count < 1:
            raise ValueError("count must be >= 1")
        h = self._h
        tok = task_owner()
        st, op = await _async(
            lambda port, k, r: fast.rlock_acquire_async(h, tok, count, port, NULL_CB, k, r),
            lambda: fast.rlock_acquire_as(h, tok, count, 0), blocking, timeout,
            undo=lambda op: fast.rlock_release_as(h, tok, count))
        free_op(op)
        return _granted(st, "rlock_acquire_async")

    def _release(self, tok, count):
        if count < 1:
            raise ValueError("count must be >= 1")
        st = fast.rlock_release_as(self._h, tok, count)
        if st == NOT_LOCKED:
            raise RuntimeError("release unlocked lock")
        if st == NOT_OWNER:
            raise RuntimeError("the current task is not holding this lock")
        if st == OVERFLOW:
            raise RuntimeError("lock released too many times")
        _lib.check(st, "rlock_release")

    def green_release(self, count=1):
        self._release(thread_token(), count)

    def async_release(self, count=1):
        self._release(task_owner(), count)

    def green_count(self):
        return self._count(thread_token())

    def async_count(self):
        return self._count(task_owner())

    def green_owned(self):
        return self.green_count() > 0

    def async_owned(self):
        return self.async_count() > 0

    def __enter__(self):
        # the uncontended try through `_hot`; anything else goes the full way
        if _hot_racquire(self._hp, _token_now() or thread_token_c(), 1, _ZERO_NS) != 0:
            self.green_acquire()
        return self

    def __exit__(self, *exc):
        if _hot_rrelease(self._hp, _token_now() or thread_token_c(), 1) != 0:
            self.green_release()  # raises the right error

    __aenter__ = Lock.__aenter__
    __aexit__ = Lock.__aexit__

    def __repr__(self):
        return _repr(self, f"count={self.count}, waiting={self.waiting}")


# ---------------------------------------------------------------------------- limiters
class CapacityLimiter(Handle):
    """At most ``total_tokens`` owners (threads or tasks) hold a token at once."""

    _prefix = "limiter"
    _ptr_type = _lib.weft_limiter_p
    __slots__ = ()
    _flags = _lib.LIMITER_PLAIN

    def __init__(self, total_tokens=1):
        if total_tokens < 0:
            raise ValueError("total_tokens must be >= 0")
        self._create(total_tokens, self._flags)

    def _counts(self):
        t, b, w = c_uint64(), c_uint64(), c_size_t()
        fast.limiter_counts(self._h, byref(t), byref(b), byref(w))
        return t.value, b.value, w.value

    @property
    def total_tokens(self):
        return self._counts()[0]

    @total_tokens.setter
    def total_tokens(self, value):
        _lib.check(fast.limiter_set_total(self._h, value), "limiter_set_total")

    @property
    def borrowed_tokens(self):
        return self._counts()[1]

    @property
    def available_tokens(self):
        t, b, _ = self._counts()
        return max(t - b, 0)

    @property
    def waiting(self):
        return self._counts()[2]

    def __bool__(self):
        return self.borrowed_tokens > 0

    @property
    def borrowers(self):
        """A read-only mapping ``{owner ident: tokens held}`` (aiologic's shape, see
        ``Lock.owner``) of the threads and tasks of this process that hold tokens: a
        snapshot taken from weft's own counts (holders outside Python do not show)."""
        held = {}
        for tok in list(_core_owner_idents):
            n = self._held(tok)
            if n:
                held[owner_ident(tok)] = n
        return MappingProxyType(held)

    def _held(self, tok):
        out = c_uint64()
        fast.limiter_held(self._h, tok, byref(out))
        return out.value

    def _check(self, st):
        if st == DEADLOCK:
            raise RuntimeError("the current task is already holding one of this capacity "
                               "limiter's tokens")
        return _granted(st, "limiter_acquire")

    def _green_acquire(self, count, blocking, timeout):
        h = self._h
        tok = thread_token()
        st = fast.limiter_acquire_as(h, tok, count, 0)
        if st == WOULD_BLOCK and blocking:
            st, op = _green(lambda ns: lib.limiter_acquire_as(h, tok, count, ns),
                            lambda port, r: fast.limiter_acquire_async(h, tok, count, port,
                                                                       NULL_CB, None, r),
                            blocking, timeout,
                            undo=lambda op: fast.limiter_release_as(h, tok, count))
            free_op(op)
        return self._check(st)

    async def _async_acquire(self, count, blocking, timeout):
        h = self._h
        tok = task_owner()
        st, op = await _async(
            lambda port, k, r: fast.limiter_acquire_async(h, tok, count, port, NULL_CB, k, r),
            lambda: fast.limiter_acquire_as(h, tok, count, 0), blocking, timeout,
            undo=lambda op: fast.limiter_release_as(h, tok, count))
        free_op(op)
        return self._check(st)

    def green_acquire(self, *, blocking=True, timeout=None):
        return self._green_acquire(1, blocking, timeout)

    async def async_acquire(self, *, blocking=True, timeout=None):
        return await self._async_acquire(1, blocking, timeout)

    def _release(self, tok, count):
        st = fast.limiter_release_as(self._h, tok, count)
        if st == NOT_OWNER:
            raise RuntimeError("the current task is not holding any of this capacity "
                               "limiter's tokens")
        if st == OVERFLOW:
            raise RuntimeError("capacity limiter released too many times")
        _lib.check(st, "limiter_release")

    def green_release(self):
        self._release(thread_token(), 1)

    def async_release(self):
        self._release(task_owner(), 1)

    def green_borrowed(self):
        return self._held(thread_token()) > 0

    def async_borrowed(self):
        return self._held(task_owner()) > 0

    __enter__ = _green_enter
    __exit__ = _green_exit
    __aenter__ = Lock.__aenter__
    __aexit__ = Lock.__aexit__

    def __repr__(self):
        t, b, w = self._counts()
        return _repr(self, f"total={t}, borrowed={b}, waiting={w}")


class RCapacityLimiter(CapacityLimiter):
    __slots__ = ()
    _flags = _lib.LIMITER_REENTRANT

    def green_acquire(self, count=1, *, blocking=True, timeout=None):
        if count < 1:
            raise ValueError("count must be >= 1")
        return self._green_acquire(count, blocking, timeout)

    async def async_acquire(self, count=1, *, blocking=True, timeout=None):
        if count < 1:
            raise ValueError("count must be >= 1")
        return await self._async_acquire(count, blocking, timeout)

    def green_release(self, count=1):
        if count < 1:
            raise ValueError("count must be >= 1")
        self._release(thread_token(), count)

    def async_release(self, count=1):
        if count < 1:
            raise ValueError("count must be >= 1")
        self._release(task_owner(), count)

    def green_count(self):
        return self._held(thread_token())

    def async_count(self):
        return self._held(task_owner())


# ------------------------------------------------------------------------------ condition
_DEFAULT = object()


class Condition(Handle):
    """A condition bound to a weft Lock or RLock (default: a new RLock), or lockless
    (``Condition(None)``). A notified waiter wakes holding the lock again."""

    _prefix = "cond"
    _ptr_type = _lib.weft_cond_p
    __slots__ = ("_lock",)

    def __init__(self, lock=_DEFAULT):
        self._h = None
        if lock is _DEFAULT:
            lock = RLock()
        self._lock = lock
        h = _lib.weft_cond_p()
        if lock is None:
            _lib.check(fast.cond_new(None, byref(h)), "cond_new")
        elif isinstance(lock, RLock):
            _lib.check(fast.cond_new_reentrant(lock._h, byref(h)), "cond_new")
        elif isinstance(lock, Lock):
            _lib.check(fast.cond_new(lock._h, byref(h)), "cond_new")
        else:
            raise TypeError("weft.Condition needs a weft.Lock, weft.RLock or None")
        self._adopt(h)

    @classmethod
    def from_handle(cls, ptr):
        raise TypeError("a weft_cond handle does not say which lock it is bound to: wrap "
                        "the lock (Lock/RLock.from_handle) and create the Condition here")

    @property
    def lock(self):
        return self._lock

    @property
    def waiting(self):
        out = c_size_t()
        fast.cond_waiting(self._h, byref(out))
        return out.value

    def __bool__(self):
        return self._lock is not None and self._lock.locked()

    def __enter__(self):
        self._lock.__enter__()
        return self

    def __exit__(self, *exc):
        self._lock.__exit__(*exc)

    async def __aenter__(self):
        await self._lock.__aenter__()
        return self

    async def __aexit__(self, *exc):
        await self._lock.__aexit__(*exc)

    def _reacquire(self, tok, depth):
        lock = self._lock
        if isinstance(lock, RLock):
            lib.rlock_acquire_as(lock._h, tok, depth, FOREVER)
        elif lock is not None:
            lib.lock_acquire_as(lock._h, tok, FOREVER)

    def _depth(self, tok):
        lock = self._lock
        if lock is None:
            return 0
        if isinstance(lock, RLock):
            return lock._count(tok)
        return 1 if lock._owner_token() == tok else 0

    def _owner_for(self, tok):
        if self._lock is not None and self._depth(tok) == 0:
            raise RuntimeError("cannot wait on un-acquired lock")
        return tok if self._lock is not None else (tok or 1)

    def green_wait(self, timeout=None):
        timeout = _seconds(timeout)
        tok = thread_token()
        self._owner_for(tok)
        depth = self._depth(tok)
        h = self._h
        st, op = wait_blocking(
            lambda ns: lib.cond_wait_as(h, tok, ns),
            lambda port, r: fast.cond_wait_async(h, tok, port, NULL_CB, None, r),
            timeout, on_cancelled=lambda: self._reacquire(tok, depth),
            # notified and holding the lock when interrupted: the notification goes on
            undo=lambda op: fast.cond_notify(h, 1, None))
        free_op(op)
        return st == OK

    wait = green_wait

    async def async_wait(self, timeout=None):
        timeout = _seconds(timeout)
        tok = task_owner()
        self._owner_for(tok)
        depth = self._depth(tok)
        h = self._h
        passed_on = []

        def pass_on(op):
            # notified (and holding the lock again) before a cancellation could win: the
            # cancellation goes on, the notification goes to the next waiter
            passed_on.append(op)
            fast.cond_notify(h, 1, None)

        try:
            st, op = await async_wait(
                lambda port, k, r: fast.cond_wait_async(h, tok, port, NULL_CB, k, r),
                undo=pass_on, timeout=timeout)
        except BaseException:
            if not passed_on:
                # the cancel won: the lock is not held any more; take it back (shielded,
                # without blocking the loop) before the cancellation goes on
                await self._async_reacquire(tok, depth)
            raise
        free_op(op)
        if st != OK and not passed_on:
            # timed out: take the lock back (when a trio timeout came just after the
            # grant, the notification was passed on and the lock is held already)
            await self._async_reacquire(tok, depth)
        return st == OK

    async def _async_reacquire(self, tok, depth):
        lock = self._lock
        if lock is None:
            return
        h = lock._h
        if isinstance(lock, RLock):
            def start(port, k, r):
                return fast.rlock_acquire_async(h, tok, depth, port, NULL_CB, k, r)
        else:
            def start(port, k, r):
                return fast.lock_acquire_async(h, tok, port, NULL_CB, k, r)
        st, op = await async_wait_uncancellable(start)
        free_op(op)
        _lib.check(st, "condition: taking the lock back")

    def __await__(self):
        return self.async_wait().__await__()

    async def with_(self, timeout=None):
        return await self.async_wait(timeout)

    def wait_for(self, predicate, timeout=None):
        import time
        timeout = _seconds(timeout)
        end = None if timeout is None else time.monotonic() + timeout
        result = predicate()
        while not result:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                break
            self.green_wait(left)
            result = predicate()
        return result

    async def for_(self, predicate, timeout=None):
        import time
        timeout = _seconds(timeout)
        end = None if timeout is None else time.monotonic() + timeout
        result = predicate()
        while not result:
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                break
            await self.async_wait(left)
            result = predicate()
        return result

    def notify(self, count=1):
        if self._lock is not None and not self._lock.locked():
            raise RuntimeError("cannot notify on un-acquired lock")
        if count <= 0:
            return 0
        out = c_size_t()
        fast.cond_notify(self._h, count, byref(out))
        return out.value

    def notify_all(self):
        if self._lock is not None and not self._lock.locked():
            raise RuntimeError("cannot notify on un-acquired lock")
        out = c_size_t()
        fast.cond_notify_all(self._h, byref(out))
        return out.value

    def __repr__(self):
        return _repr(self, f"lock={self._lock!r}, waiting={self.waiting}")


# --------------------------------------------------------------------------------- events
class _WaitsUntilDone(Handle):
    """The wait faces of the objects whose wait is ``weft_<prefix>_wait(h, ns)`` /
    ``weft_<prefix>_wait_async``, done when ``_done()`` says so (events, countdowns)."""

    __slots__ = ()

    def _done(self):
        raise NotImplementedError

    def green_wait(self, timeout=None):
        timeout = _seconds(timeout)
        if self._done():
            return True
        if timeout == 0:
            return False
        h, prefix = self._h, self._prefix
        wait, wait_async = getattr(lib, prefix + "_wait"), getattr(fast, prefix + "_wait_async")
        st, op = wait_blocking(lambda ns: wait(h, ns),
                               lambda port, r: wait_async(h, port, NULL_CB, None, r), timeout)
        free_op(op)
        return _granted(st, self._prefix + "_wait")

    def wait(self, timeout=None):
        return self.green_wait(timeout)

    async def async_wait(self, timeout=None):
        timeout = _seconds(timeout)
        h, wait_async = self._h, getattr(fast, self._prefix + "_wait_async")
        st, op = await async_wait(lambda port, k, r: wait_async(h, port, NULL_CB, k, r),
                                  timeout=timeout)
        free_op(op)
        return _granted(st, self._prefix + "_wait")

    def __await__(self):
        return self.async_wait().__await__()

    async def with_(self, timeout=None):
        return await self.async_wait(timeout)


class Event(_WaitsUntilDone):
    """A one-time event: set once, never cleared."""

    _prefix = "event"
    _ptr_type = _lib.weft_event_p
    __slots__ = ()
    _flags = _lib.EVENT_ONE_TIME

    def __init__(self):
        self._create(self._flags)

    def is_set(self):
        out = c_bool()
        _lib.check(fast.event_is_set(self._h, byref(out)), "event_is_set")  # closed: raises
        return out.value

    __bool__ = is_set

    def set(self):
        out = c_size_t()
        fast.event_set(self._h, byref(out))
        return out.value

    @property
    def waiting(self):
        out = c_size_t()
        fast.event_waiting(self._h, byref(out))
        return out.value

    def _done(self):
        return self.is_set()

    def __repr__(self):
        return _repr(self, f"set={self.is_set()}, waiting={self.waiting}")


class REvent(Event):
    """A reusable event: set() / clear()."""

    __slots__ = ()
    _flags = _lib.EVENT_REUSABLE

    def clear(self):
        fast.event_clear(self._h)


class CountdownEvent(_WaitsUntilDone):
    """Waiters wait for the value to reach zero; up() / down() / clear()."""

    _prefix = "countdown"
    _ptr_type = _lib.weft_countdown_p
    __slots__ = ("_initial",)

    def __init__(self, initial_value=0):
        if initial_value < 0:
            raise ValueError("initial_value must be >= 0")
        self._initial = initial_value
        self._create(initial_value)

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._initial = None

    @property
    def initial_value(self):
        return self._initial

    @property
    def value(self):
        out = c_uint64()
        _lib.check(fast.countdown_value(self._h, byref(out)), "countdown_value")
        return out.value

    @property
    def waiting(self):
        out = c_size_t()
        fast.countdown_waiting(self._h, byref(out))
        return out.value

    def __bool__(self):
        return self.value == 0

    def up(self, count=1):
        if count <= 0:
            return
        _lib.check(fast.countdown_up(self._h, count), "countdown_up")

    def down(self):
        st = fast.countdown_down(self._h)
        if st == OVERFLOW:
            raise RuntimeError("down() called too many times")
        _lib.check(st, "countdown_down")

    def clear(self):
        fast.countdown_clear(self._h)

    def _done(self):
        return self.value == 0

    def __repr__(self):
        return _repr(self, f"value={self.value}, waiting={self.waiting}")


# ------------------------------------------------------------------------------- barriers
class _BarrierBase(Handle):
    _prefix = "barrier"
    _ptr_type = _lib.weft_barrier_p
    __slots__ = ("_parties",)
    _kind = _lib.BARRIER_CYCLIC

    def __init__(self, parties=0):
        if parties < 0:
            raise ValueError("parties must be >= 0")
        self._parties = parties
        self._create(parties, self._kind)

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._parties = None  # weft has no query for it

    @property
    def parties(self):
        return self._parties

    @property
    def broken(self):
        out = c_bool()
        fast.barrier_is_broken(self._h, byref(out))
        return out.value

    @property
    def waiting(self):
        out = c_size_t()
        fast.barrier_waiting(self._h, byref(out))
        return out.value

    def abort(self):
        fast.barrier_abort(self._h)

    def green_wait(self, timeout=None):
        timeout = _seconds(timeout)
        h = self._h
        idx = c_uint64()
        st, op = wait_blocking(
            lambda ns: lib.barrier_wait(h, ns, byref(idx)),
            lambda port, r: fast.barrier_wait_async(h, port, NULL_CB, None, r, byref(idx)),
            timeout, undo=KEEP)  # a passed phase cannot be undone: the wait returns its index
        if op is not None:
            if st == OK:
                fast.op_value(op, byref(idx))
            free_op(op)
        if st != OK:
            raise BrokenBarrierError
        return idx.value

    wait = green_wait

    async def async_wait(self, timeout=None):
        timeout = _seconds(timeout)
        h = self._h
        idx = c_uint64()
        # an arrival that completed the phase (the grant won the race against a
        # cancellation) cannot be taken back: it completes and returns its index
        st, op = await async_wait(
            lambda port, k, r: fast.barrier_wait_async(h, port, NULL_CB, k, r, byref(idx)),
            undo=KEEP, timeout=timeout, releases_others=True)
        if op is not None:
            if st == OK:
                fast.op_value(op, byref(idx))
            free_op(op)
        if st != OK:
            raise BrokenBarrierError
        return idx.value

    def __await__(self):
        return self.async_wait().__await__()

    async def with_(self, timeout=None):
        return await self.async_wait(timeout)

    def __repr__(self):
        return _repr(self, f"parties={self._parties}, waiting={self.waiting}, "
                           f"broken={self.broken}")


class Latch(_BarrierBase):
    """Single use: once ``parties`` have arrived it stays open. ``bool``: passed or
    broken (passed as seen by this object's waits: weft has no query for it)."""

    __slots__ = ("_open",)
    _kind = _lib.BARRIER_LATCH

    def __init__(self, parties=0):
        _BarrierBase.__init__(self, parties)
        self._open = False

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._open = False
        self._parties = None

    def green_wait(self, timeout=None):
        _BarrierBase.green_wait(self, timeout)
        self._open = True

    wait = green_wait

    async def async_wait(self, timeout=None):
        await _BarrierBase.async_wait(self, timeout)
        self._open = True

    def __bool__(self):
        return self._open or self.broken


class Barrier(_BarrierBase):
    """Cyclic; a broken barrier stays broken. ``with barrier as index``."""

    __slots__ = ()
    _kind = _lib.BARRIER_CYCLIC

    def __enter__(self):
        return self.green_wait()

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            self.abort()

    async def __aenter__(self):
        return await self.async_wait()

    async def __aexit__(self, exc_type, *exc):
        if exc_type is not None:
            self.abort()


class RBarrier(Barrier):
    """Cyclic and resettable: reset() breaks current waiters and starts afresh."""

    __slots__ = ()
    _kind = _lib.BARRIER_RESETTABLE

    def reset(self):
        _lib.check(fast.barrier_reset(self._h), "barrier_reset")


# ------------------------------------------------------------------- flag / resource guard
_flag_values: dict = {}


class Flag(Handle):
    """First-writer-wins slot for one object. The flag stores the object's id; the object
    is kept alive in a process-wide table (shared by every wrapper of the handle) until
    clear() (weft_flag has no destructor: a flag freed while set keeps its object)."""

    _prefix = "flag"
    _ptr_type = _lib.weft_flag_p
    __slots__ = ()
    _MISSING = object()
    _values = _flag_values

    def __init__(self, marker=_MISSING):
        self._create()
        if marker is not Flag._MISSING:
            self.set(marker)

    def set(self, marker=_MISSING):
        """Stores ``marker`` if the flag is empty; True if ``marker`` is the stored one."""
        if marker is Flag._MISSING:
            marker = object()
        key = id(marker)
        entry = self._values.get(key)
        if entry is None:
            entry = self._values[key] = [marker, 0]
        entry[1] += 1
        won = c_bool()
        fast.flag_set(self._h, key, byref(won))
        if won.value:
            return True
        entry[1] -= 1
        if entry[1] <= 0:
            self._values.pop(key, None)
        isset = c_bool()
        cur = c_void_p()
        fast.flag_get(self._h, byref(isset), byref(cur))
        return isset.value and cur.value == key

    def get(self, default=_MISSING, *, default_factory=_MISSING):
        isset = c_bool()
        cur = c_void_p()
        fast.flag_get(self._h, byref(isset), byref(cur))
        if isset.value:
            return self._values[cur.value or 0][0]
        if default is not Flag._MISSING:
            return default
        if default_factory is not Flag._MISSING:
            return default_factory()
        raise LookupError(self)

    def clear(self):
        isset = c_bool()
        cur = c_void_p()
        fast.flag_get(self._h, byref(isset), byref(cur))
        was = c_bool()
        fast.flag_clear(self._h, byref(was))
        if isset.value and was.value:
            entry = self._values.get(cur.value or 0)
            if entry is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    self._values.pop(cur.value or 0, None)

    def __bool__(self):
        isset = c_bool()
        cur = c_void_p()
        fast.flag_get(self._h, byref(isset), byref(cur))
        return isset.value

    def __copy__(self):
        """A new flag holding the same marker (if any), as aiologic's."""
        unset = object()
        marker = self.get(unset)
        return Flag() if marker is unset else Flag(marker)

    copy = __copy__


class ResourceGuard(Handle):
    """Non-blocking exclusive use: ``with guard:`` raises BusyResourceError if in use."""

    _prefix = "guard"
    _ptr_type = _lib.weft_guard_p
    __slots__ = ("_action",)

    def __init__(self, *args, action="using"):
        if args:
            raise ValueError("the first argument should not have been passed")
        self._action = action
        self._create()

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._action = "using"

    @property
    def action(self):
        return self._action

    def __bool__(self):
        out = c_bool()
        fast.guard_in_use(self._h, byref(out))
        return out.value

    def __enter__(self):
        st = fast.guard_enter(self._h)
        if st == BUSY:
            raise BusyResourceError(f"another task is already {self._action} this resource")
        _lib.check(st, "guard_enter")
        return self

    def __exit__(self, *exc):
        fast.guard_exit(self._h)


# ---------------------------------------------------------------------------------- queues
class _AioQueueMixin:
    __slots__ = ()

    def green_put(self, item, *, blocking=True, timeout=None):
        if timeout is not None:
            timeout = _timeout(blocking, timeout)
        try:
            self.put(item, blocking, timeout)
        except _stdqueue.Full:
            raise QueueFull from None

    def green_get(self, *, blocking=True, timeout=None):
        timeout = _timeout(blocking, timeout)
        try:
            return self.get(blocking, timeout)
        except _stdqueue.Empty:
            raise QueueEmpty from None

    async def async_put(self, item, *, blocking=True, timeout=None):
        if blocking and timeout is None:  # the common case first, with nothing to check
            if self._put_at_once(item):  # asyncio, and there was room (weft.queue)
                return
            return await super().async_put(item)
        timeout = _timeout(blocking, timeout)
        if not blocking:
            return self.green_put(item, blocking=False)
        if timeout is None:
            return await super().async_put(item)
        ok = await _with_timeout(super().async_put(item), timeout)
        if not ok:
            raise QueueFull

    async def async_get(self, *, blocking=True, timeout=None):
        if blocking and timeout is None:  # the common case first, with nothing to check
            item = self._get_at_once()  # asyncio, and an item was there (weft.queue)
            if item is not _wq.NOT_NOW:
                return item
            return await super().async_get()
        timeout = _timeout(blocking, timeout)
        if not blocking:
            return self.green_get(blocking=False)
        if timeout is None:
            return await super().async_get()
        box = []

        async def get():
            box.append(await super(_AioQueueMixin, self).async_get())
        if not await _with_timeout(get(), timeout):
            raise QueueEmpty
        return box[0]

    def _waiting(self):
        p, g = c_size_t(), c_size_t()
        fast.queue_waiting(self._h, byref(p), byref(g))
        return p.value, g.value

    @property
    def putting(self):
        return self._waiting()[0]

    @property
    def getting(self):
        return self._waiting()[1]

    @property
    def waiting(self):
        return sum(self._waiting())

    def __bool__(self):
        return self.qsize() > 0


async def _with_timeout(coro, timeout):
    """Runs coro with a timeout; True if it finished (the cancel path of the queue ops
    gives a won grant back, so nothing is lost)."""
    from ._core import _library
    if _library() == "trio":
        import trio
        with trio.move_on_after(timeout):
            await coro
            return True
        return False
    import asyncio
    try:
        await asyncio.wait_for(coro, timeout)
        return True
    except asyncio.TimeoutError:
        return False


def _aio_maxsize(args, maxsize):
    if args:
        if len(args) > 1:
            raise TypeError("too many arguments")
        a = args[0]
        if a is None or isinstance(a, int):
            maxsize = a
            items = ()
        else:
            items = a
    else:
        items = ()
    if maxsize is not None and maxsize <= 0:
        raise ValueError("maxsize must be >= 1 or None")
    return items, (0 if maxsize is None else maxsize)


class Queue(_AioQueueMixin, _wq.Queue):
    """aiologic-style FIFO queue: ``Queue(maxsize)`` / ``Queue(items, maxsize=...)``;
    ``None``: unbounded; ``0``: ValueError."""

    __slots__ = ()

    def __init__(self, *args, maxsize=None):
        items, m = _aio_maxsize(args, maxsize)
        _wq.Queue.__init__(self, m)
        for item in items:
            self.put(item)


class LifoQueue(_AioQueueMixin, _wq.LifoQueue):
    __slots__ = ()
    __init__ = Queue.__init__


class PriorityQueue(_AioQueueMixin, _wq.PriorityQueue):
    __slots__ = ()

    def __init__(self, *args, maxsize=None):
        items, m = _aio_maxsize(args, maxsize)
        _wq.PriorityQueue.__init__(self, m)
        for item in items:
            self.put(item)


class SimpleQueue(_AioQueueMixin, _wq.SimpleQueue):
    __slots__ = ()

    def __init__(self, *args):
        _wq.SimpleQueue.__init__(self)
        for item in (args[0] if args else ()):
            self.put(item)

    async def async_put(self, item, *, blocking=True, timeout=None):
        if not blocking:
            self.put(item)
        elif not self._put_at_once(item):  # under asyncio it went in
            await _wq.SimpleQueue.async_put(self, item)  # a checkpoint under trio

    def green_put(self, item, *, blocking=True, timeout=None):
        self.put(item)


class SimpleLifoQueue(SimpleQueue):
    """SimpleQueue, last in first out."""

    __slots__ = ()
    _kind = _lib.QUEUE_LIFO


# ------------------------------------------------------------------------------- copying
# copy.copy(primitive), as aiologic: a new primitive with the same initial values (not
# a second reference to the same handle: that is `from_handle`). Queues do not copy
# (a weft queue cannot list its items without taking them).
def _copies_as(make):
    def __copy__(self):
        return make(self)
    return __copy__


Semaphore.__copy__ = _copies_as(lambda s: type(s)(s._initial))
BoundedSemaphore.__copy__ = _copies_as(lambda s: type(s)(s._initial, s._max))
Lock.__copy__ = _copies_as(lambda s: type(s)())
RLock.__copy__ = _copies_as(lambda s: type(s)())
CapacityLimiter.__copy__ = _copies_as(lambda s: type(s)(s.total_tokens))
Condition.__copy__ = _copies_as(lambda s: type(s)(s.lock))
Event.__copy__ = _copies_as(lambda s: type(s)())
CountdownEvent.__copy__ = _copies_as(lambda s: type(s)(s._initial))
_BarrierBase.__copy__ = _copies_as(lambda s: type(s)(s._parties))
ResourceGuard.__copy__ = _copies_as(lambda s: type(s)(action=s._action))
