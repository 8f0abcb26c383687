"""Drop-in replacements for the locks of :mod:`threading`, over weft.

``Lock``, ``RLock``, ``Condition``, ``Semaphore``, ``BoundedSemaphore``, ``Event`` and
``Barrier`` keep the stdlib signatures and semantics (CPython's ``test.lock_tests`` run
against them), and their handles can be shared with C (``.handle``/``from_handle``).

* ``Lock``: a ``weft_lock``. threading's Lock may be released by any thread while
  weft_lock is owner-checked, so every acquire takes a fresh owner token
  (``weft_owner_new``) and ``release`` releases as whatever token holds it now
  (``weft_lock_owner`` + ``weft_lock_release_as``).
* ``RLock``: a ``weft_rlock`` owned by the calling thread (``weft_thread_owner``).
* ``Condition``: a ``weft_cond`` bound to a weft Lock/RLock; with any other ("foreign")
  lock, e.g. ``threading.Lock()``, it is threading's own Condition algorithm.
* ``Barrier``: a resettable ``weft_barrier``; with an ``action``, a second barrier holds
  everyone until the action has run (as the stdlib does).

Blocking calls release the GIL; in the main thread they wait on a weft port's fd with
select(), so Ctrl-C interrupts them without losing the waiter's place in line.
"""

from __future__ import annotations

import threading as _threading
from ctypes import byref, c_bool, c_size_t, c_uint64
from time import monotonic as _time

from . import _hot, _lib
from ._core import (KEEP, Handle, async_wait, free_op, thread_token, thread_token_c,
                    wait_blocking)
from ._core import thread_token_now as _token_now
from ._lib import (BROKEN, DEADLOCK, FOREVER, NOT_OWNER, NULL_CB, OK, OVERFLOW, TIMEOUT,
                   WOULD_BLOCK, WeftError, fast, lib)

__all__ = ["Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event",
           "Barrier", "BrokenBarrierError", "TIMEOUT_MAX"]

TIMEOUT_MAX = _threading.TIMEOUT_MAX
# Lock(flags) / RLock(flags): strict FIFO handoff (the default), or a running thread may
# take a just-released lock ahead of a sleeping waiter, as threading.Lock lets it (README)
LOCK_FIFO = _lib.LOCK_FIFO
LOCK_THROUGHPUT = _lib.LOCK_THROUGHPUT
_toks = _threading.local()
_hot_acquire = _hot.lock_acquire_as
_hot_release = _hot.lock_release_as
_hot_racquire = _hot.rlock_acquire_as
_hot_rrelease = _hot.rlock_release_as
_ZERO_NS = _hot.ZERO_NS
_token = _hot.token_value
BrokenBarrierError = _threading.BrokenBarrierError


def _name(obj):
    return f"{type(obj).__module__.rpartition('.')[2]}.{type(obj).__qualname__}"


def _check_lock_args(blocking, timeout):
    if not blocking:
        if timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        return 0
    if timeout < 0 and timeout != -1:
        raise ValueError("timeout value must be a non-negative number")
    if timeout > TIMEOUT_MAX:
        raise OverflowError("timeout value is too large")
    return None if timeout == -1 else timeout


# ------------------------------------------------------------------------------------ Lock
def _new_lock_token():
    """This thread's weft_owner_new token for Lock (``_toks.t``; ``_toks.c`` as the hot
    calls take it), made on its first acquire."""
    _toks.t = t = _lib.new_owner()
    _toks.c = c = _token(t)
    return c


class Lock(Handle):
    """threading.Lock over weft_lock (any thread may release)."""

    _prefix = "lock"
    _ptr_type = _lib.weft_lock_p
    __slots__ = ("_tokc",)

    def __init__(self, flags=_lib.LOCK_FIFO):
        h = _lib.weft_lock_p()
        _lib.check(fast.lock_new(flags, byref(h)), "lock_new")
        self._set_handle(h)

    def _from_handle_init(self, ptr):
        self._set_handle(ptr)

    def _set_handle(self, h):
        # the uncontended path goes through `_hot`: the handle (`_hp`) and the tokens
        # are kept as the hot calls take them
        self._adopt(h)
        self._tokc = _hot.NO_TOKEN

    def acquire(self, blocking=True, timeout=-1):
        # this thread's own weft_owner_new token (not its thread token, so that any
        # thread may release): one call for an uncontended acquire
        try:
            tokc = _toks.c
        except AttributeError:
            tokc = _new_lock_token()
        if blocking is True and timeout == -1:
            if _hot_acquire(self._hp, tokc, _ZERO_NS) == 0:  # OK
                self._tokc = tokc
                return True
        return self._acquire_slow(blocking, timeout, _toks.t)

    def __enter__(self):
        # acquire() for `with`, without its arguments (the common path, kept short)
        try:
            tokc = _toks.c
        except AttributeError:
            tokc = _new_lock_token()
        if _hot_acquire(self._hp, tokc, _ZERO_NS) == 0:  # OK
            self._tokc = tokc
            return True
        return self._acquire_slow(True, -1, _toks.t)

    def _acquire_slow(self, blocking, timeout, tok):
        timeout = _check_lock_args(blocking, timeout)
        h = self._h
        st = fast.lock_acquire_as(h, tok, 0)
        if st == OK:
            self._tokc = _token(tok)
            return True
        if st == DEADLOCK:
            # this thread holds it already: threading semantics wait for another thread
            # to release it, so wait as a fresh owner
            tok = _lib.new_owner()
            st = fast.lock_acquire_as(h, tok, 0)
            if st == OK:
                self._tokc = _token(tok)
                return True
        if st != WOULD_BLOCK:
            raise WeftError(st, "lock_acquire")
        if timeout == 0:
            return False
        st, op = wait_blocking(
            lambda ns: lib.lock_acquire_as(h, tok, ns),
            lambda port, opref: fast.lock_acquire_async(h, tok, port, NULL_CB, None, opref),
            timeout, undo=lambda op: fast.lock_release_as(h, tok))
        free_op(op)
        if st == OK:
            self._tokc = _token(tok)
            return True
        if st in (TIMEOUT, WOULD_BLOCK):
            return False
        raise WeftError(st, "lock_acquire")

    def release(self):
        # the token of the last acquire through this object; if it is not the holder
        # (the lock was taken through another wrapper, or by C), release as the holder
        if _hot_release(self._hp, self._tokc) == 0:  # OK
            return
        h = self._h
        owner = c_uint64()
        fast.lock_owner(h, byref(owner))
        if owner.value == 0 or fast.lock_release_as(h, owner.value) != OK:
            raise RuntimeError("release unlocked lock")

    def __exit__(self, *exc):
        if _hot_release(self._hp, self._tokc) != 0:  # release()'s fast path, inline
            self.release()

    def locked(self):
        owner = c_uint64()
        fast.lock_owner(self._h, byref(owner))
        return owner.value != 0

    def _owner_token(self):
        owner = c_uint64()
        fast.lock_owner(self._h, byref(owner))
        return owner.value

    # threading.Lock has these too
    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

    def _at_fork_reinit(self):
        old = self._h
        h = _lib.weft_lock_p()
        _lib.check(fast.lock_new(_lib.LOCK_FIFO, byref(h)), "lock_new")
        self._set_handle(h)
        fast.lock_free(old)

    # async face
    async def async_acquire(self):
        h = self._h
        tok = _lib.new_owner()
        st, op = await async_wait(
            lambda port, key, opref: fast.lock_acquire_async(h, tok, port, NULL_CB, key, opref),
            undo=lambda op: fast.lock_release_as(h, tok))
        free_op(op)
        if st != OK:
            raise WeftError(st, "lock_acquire_async")
        self._tokc = _token(tok)
        return True

    async def __aenter__(self):
        await self.async_acquire()

    async def __aexit__(self, *exc):
        self.release()

    def __repr__(self):
        return (f"<{'locked' if self.locked() else 'unlocked'} {type(self).__module__}."
                f"{type(self).__qualname__} object at {hex(id(self))}>")


# ----------------------------------------------------------------------------------- RLock
class RLock(Handle):
    """threading.RLock over weft_rlock (owned by the calling thread)."""

    _prefix = "rlock"
    _ptr_type = _lib.weft_rlock_p
    __slots__ = ()

    def __init__(self, flags=_lib.LOCK_FIFO):
        self._create(flags)

    def _acquire_n(self, n, timeout):
        h = self._h
        st = fast.rlock_try_acquire(h, n)
        if st == OK:
            return True
        if st != WOULD_BLOCK:
            raise WeftError(st, "rlock_acquire")
        if timeout == 0:
            return False
        tok = thread_token()
        st, op = wait_blocking(
            lambda ns: lib.rlock_acquire(h, n, ns),
            lambda port, opref: fast.rlock_acquire_async(h, tok, n, port, NULL_CB, None, opref),
            timeout, undo=lambda op: fast.rlock_release_as(h, tok, n))
        free_op(op)
        if st == OK:
            return True
        if st in (TIMEOUT, WOULD_BLOCK):
            return False
        raise WeftError(st, "rlock_acquire")

    def acquire(self, blocking=True, timeout=-1):
        if timeout == -1:  # the uncontended call through `_hot` (`blocking` does not matter)
            if _hot_racquire(self._hp, _token_now() or thread_token_c(), 1, _ZERO_NS) == 0:
                return True
        return self._acquire_n(1, _check_lock_args(blocking, timeout))

    def __enter__(self):
        if _hot_racquire(self._hp, _token_now() or thread_token_c(), 1, _ZERO_NS) == 0:  # OK
            return True
        return self._acquire_n(1, None)

    def release(self):
        if _hot_rrelease(self._hp, _token_now() or thread_token_c(), 1) != OK:
            raise RuntimeError("cannot release un-acquired lock")

    def __exit__(self, *exc):
        self.release()

    def _recursion_count(self):
        out = c_uint64()
        fast.rlock_count(self._h, thread_token(), byref(out))
        return out.value

    def _is_owned(self):
        return self._recursion_count() > 0

    def _release_save(self):
        count = self._recursion_count()
        if count == 0:
            raise RuntimeError("cannot release un-acquired lock")
        fast.rlock_release(self._h, count)
        return count

    def _acquire_restore(self, count):
        self._acquire_n(count, None)

    def _at_fork_reinit(self):
        old = self._h
        self._create(_lib.LOCK_FIFO)
        fast.rlock_free(old)

    def locked(self):
        owner = c_uint64()
        fast.rlock_owner(self._h, byref(owner))
        return owner.value != 0

    def __repr__(self):
        owner = c_uint64()
        fast.rlock_owner(self._h, byref(owner))
        count = c_uint64()
        fast.rlock_count(self._h, owner.value, byref(count))
        return (f"<{'locked' if owner.value else 'unlocked'} {type(self).__module__}."
                f"{type(self).__qualname__} object owner={owner.value} count={count.value}"
                f" at {hex(id(self))}>")


# ------------------------------------------------------------------------------- Condition
class Condition(Handle):
    """threading.Condition. Native (a weft_cond) over a weft.threading Lock or RLock;
    threading's own algorithm over any other lock."""

    _prefix = "cond"
    _ptr_type = _lib.weft_cond_p
    __slots__ = ("_lock", "_py", "acquire", "release", "_reentrant")

    def __init__(self, lock=None):
        self._h = None
        if lock is None:
            lock = RLock()
        self._lock = lock
        self.acquire = lock.acquire
        self.release = lock.release
        if isinstance(lock, (Lock, RLock)):
            self._py = None
            h = _lib.weft_cond_p()
            if isinstance(lock, RLock):
                self._reentrant = True
                _lib.check(fast.cond_new_reentrant(lock._h, byref(h)), "cond_new")
            else:
                self._reentrant = False
                _lib.check(fast.cond_new(lock._h, byref(h)), "cond_new")
            self._adopt(h)
        else:
            self._py = _threading.Condition(lock)
            self._reentrant = False

    @classmethod
    def from_handle(cls, ptr):
        raise TypeError("a weft_cond handle does not say which lock it is bound to: wrap "
                        "the lock (Lock/RLock.from_handle) and create the Condition here")

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __repr__(self):
        return f"<Condition({self._lock}, {self.waiting})>"

    @property
    def waiting(self):
        if self._py is not None:
            return len(self._py._waiters)
        out = c_size_t()
        fast.cond_waiting(self._h, byref(out))
        return out.value

    # RLock face (ConditionAsRLockTests)
    def _is_owned(self):
        if self._py is not None:
            return self._py._is_owned()
        if self._reentrant:
            return self._lock._is_owned()
        return self._lock.locked()

    def _release_save(self):
        if self._py is not None:
            return self._py._release_save()
        return self._lock._release_save()

    def _acquire_restore(self, state):
        if self._py is not None:
            return self._py._acquire_restore(state)
        return self._lock._acquire_restore(state)

    def _at_fork_reinit(self):
        self._lock._at_fork_reinit()

    def wait(self, timeout=None):
        if self._py is not None:
            return self._py.wait(timeout)
        lock = self._lock
        if self._reentrant:
            owner = thread_token()
            depth = lock._recursion_count()
            if depth == 0:
                raise RuntimeError("cannot wait on un-acquired lock")

            def reacquire():
                lib.rlock_acquire_as(lock._h, owner, depth, FOREVER)
        else:
            owner = lock._owner_token()
            if owner == 0:
                raise RuntimeError("cannot wait on un-acquired lock")

            def reacquire():
                lib.lock_acquire_as(lock._h, owner, FOREVER)
        h = self._h
        if timeout is not None and timeout <= 0:
            st = lib.cond_wait_as(h, owner, 0)
            return st == OK
        st, op = wait_blocking(
            lambda ns: lib.cond_wait_as(h, owner, ns),
            lambda port, opref: fast.cond_wait_async(h, owner, port, NULL_CB, None, opref),
            timeout, on_cancelled=reacquire,
            # notified and holding the lock when interrupted: the notification goes on
            undo=lambda op: fast.cond_notify(h, 1, None))
        free_op(op)
        if st == OK:
            return True
        if st == TIMEOUT:
            return False
        if st == NOT_OWNER:
            raise RuntimeError("cannot wait on un-acquired lock")
        raise WeftError(st, "cond_wait")

    def wait_for(self, predicate, timeout=None):
        endtime = None
        waittime = timeout
        result = predicate()
        while not result:
            if waittime is not None:
                if endtime is None:
                    endtime = _time() + waittime
                else:
                    waittime = endtime - _time()
                    if waittime <= 0:
                        break
            self.wait(waittime)
            result = predicate()
        return result

    def notify(self, n=1):
        if self._py is not None:
            return self._py.notify(n)
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        if n <= 0:
            return
        fast.cond_notify(self._h, n, None)

    def notify_all(self):
        if self._py is not None:
            return self._py.notify_all()
        if not self._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        fast.cond_notify_all(self._h, None)

    notifyAll = notify_all

    def close(self):
        if getattr(self, "_h", None) is not None:
            Handle.close(self)


# ------------------------------------------------------------------------------- Semaphore
class Semaphore(Handle):
    """threading.Semaphore over weft_sem (unbounded)."""

    _prefix = "sem"
    _ptr_type = _lib.weft_sem_p
    __slots__ = ()
    _max = -1

    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._create(value, value if self._max is None else -1)

    def acquire(self, blocking=True, timeout=None):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        h = self._h
        st = fast.sem_try_acquire(h)
        if st == OK:
            return True
        if not blocking or (timeout is not None and timeout <= 0):
            return False
        st, op = wait_blocking(
            lambda ns: lib.sem_acquire(h, ns),
            lambda port, opref: fast.sem_acquire_async(h, port, NULL_CB, None, opref),
            timeout, undo=lambda op: fast.sem_release(h, 1))
        free_op(op)
        if st == OK:
            return True
        if st in (TIMEOUT, WOULD_BLOCK):
            return False
        raise WeftError(st, "sem_acquire")

    __enter__ = acquire

    def release(self, n=1):
        if n < 1:
            raise ValueError("n must be one or more")
        st = fast.sem_release(self._h, n)
        if st == OVERFLOW:
            raise ValueError("Semaphore released too many times")
        if st != OK:
            raise WeftError(st, "sem_release")

    def __exit__(self, t, v, tb):
        self.release()

    @property
    def _value(self):
        out = c_uint64()
        fast.sem_value(self._h, byref(out))
        return out.value

    async def async_acquire(self):
        h = self._h
        st, op = await async_wait(
            lambda port, key, opref: fast.sem_acquire_async(h, port, NULL_CB, key, opref),
            undo=lambda op: fast.sem_release(h, 1))
        free_op(op)
        if st != OK:
            raise WeftError(st, "sem_acquire_async")
        return True

    async def __aenter__(self):
        await self.async_acquire()

    async def __aexit__(self, *exc):
        self.release()

    def __repr__(self):
        return f"<{_name(self)} at {hex(id(self))}: value={self._value}>"


class BoundedSemaphore(Semaphore):
    """threading.BoundedSemaphore: releasing past the initial value is ValueError."""

    __slots__ = ("_initial_value",)
    _max = None

    def __init__(self, value=1):
        Semaphore.__init__(self, value)
        self._initial_value = value

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._initial_value = None

    def __repr__(self):
        return (f"<{_name(self)} at {hex(id(self))}: "
                f"value={self._value}/{self._initial_value}>")


# ----------------------------------------------------------------------------------- Event
class Event(Handle):
    """threading.Event over a reusable weft_event."""

    _prefix = "event"
    _ptr_type = _lib.weft_event_p
    __slots__ = ()

    def __init__(self):
        self._create(_lib.EVENT_REUSABLE)

    def is_set(self):
        out = c_bool()
        fast.event_is_set(self._h, byref(out))
        return out.value

    isSet = is_set

    def set(self):
        fast.event_set(self._h, None)

    def clear(self):
        fast.event_clear(self._h)

    def wait(self, timeout=None):
        h = self._h
        if self.is_set():
            return True
        if timeout is not None and timeout <= 0:
            return False
        st, op = wait_blocking(
            lambda ns: lib.event_wait(h, ns),
            lambda port, opref: fast.event_wait_async(h, port, NULL_CB, None, opref),
            timeout)
        free_op(op)
        return st == OK

    async def async_wait(self):
        h = self._h
        st, op = await async_wait(
            lambda port, key, opref: fast.event_wait_async(h, port, NULL_CB, key, opref))
        free_op(op)
        return st == OK

    def _at_fork_reinit(self):
        old = self._h
        self._create(_lib.EVENT_REUSABLE)
        fast.event_free(old)

    def __repr__(self):
        return f"<{_name(self)} at {hex(id(self))}: {'set' if self.is_set() else 'unset'}>"


# --------------------------------------------------------------------------------- Barrier
def _new_barrier(parties):
    h = _lib.weft_barrier_p()
    _lib.check(fast.barrier_new(parties, _lib.BARRIER_RESETTABLE, byref(h)), "barrier_new")
    return h


def _barrier_wait(h, timeout):
    idx = c_uint64()
    st, op = wait_blocking(
        lambda ns: lib.barrier_wait(h, ns, byref(idx)),
        lambda port, opref: fast.barrier_wait_async(h, port, NULL_CB, None, opref,
                                                    byref(idx)),
        timeout, undo=KEEP)  # a passed phase cannot be undone: the wait returns its index
    if op is not None:
        if st == OK:
            fast.op_value(op, byref(idx))
        free_op(op)
    if st == OK:
        return idx.value
    if st in (BROKEN, TIMEOUT, WOULD_BLOCK, _lib.CANCELLED):
        raise BrokenBarrierError
    raise WeftError(st, "barrier_wait")


class Barrier(Handle):
    """threading.Barrier over a resettable weft_barrier. With an ``action``, a second
    barrier keeps every party waiting until the last arrival has run it."""

    _prefix = "barrier"
    _ptr_type = _lib.weft_barrier_p
    __slots__ = ("_parties", "_action", "_timeout", "_h2")

    def __init__(self, parties, action=None, timeout=None):
        self._h = None
        self._h2 = None
        if parties < 1:
            raise ValueError("parties must be > 0")
        self._parties = parties
        self._action = action
        self._timeout = timeout
        self._adopt(_new_barrier(parties))
        if action is not None:
            self._h2 = _new_barrier(parties)

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._h2 = None
        self._action = None
        self._timeout = None
        self._parties = None

    def wait(self, timeout=None):
        if timeout is None:
            timeout = self._timeout
        index = _barrier_wait(self._h, timeout)
        if self._h2 is not None:
            if index == self._parties - 1:
                try:
                    self._action()
                except BaseException:
                    self.abort()
                    raise
            _barrier_wait(self._h2, timeout)
        return index

    def reset(self):
        fast.barrier_reset(self._h)
        if self._h2 is not None:
            fast.barrier_reset(self._h2)

    def abort(self):
        fast.barrier_abort(self._h)
        if self._h2 is not None:
            fast.barrier_abort(self._h2)

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        out = c_size_t()
        fast.barrier_waiting(self._h, byref(out))
        return out.value

    @property
    def broken(self):
        out = c_bool()
        fast.barrier_is_broken(self._h, byref(out))
        return out.value

    def close(self):
        h2, self._h2 = getattr(self, "_h2", None), None
        if h2 is not None:
            fast.barrier_free(h2)
        Handle.close(self)

    def __repr__(self):
        if self.broken:
            return f"<{_name(self)} at {hex(id(self))}: broken>"
        return (f"<{_name(self)} at {hex(id(self))}: waiters={self.n_waiting}/"
                f"{self.parties}>")


def __getattr__(name):
    # everything else (Thread, current_thread, local, ...) is threading's own, so that
    # `import weft.threading as threading` is a drop-in
    return getattr(_threading, name)
