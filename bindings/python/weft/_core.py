"""The base handle class and the three ways of waiting: blocking (GIL released, Ctrl-C
aware in the main thread), asyncio and trio (one port per event loop)."""

from __future__ import annotations

import _thread
import ctypes
import functools
import gc
import itertools
import os
import signal
import threading
import time
import weakref
from ctypes import byref, c_int32, c_size_t, c_void_p

import sniffio

from . import _hot, _lib
from ._lib import ANSWERED, CANCELLED, FOREVER, OK, PENDING, TIMEOUT, fast, lib, weft_op_p, weft_port_p

__all__ = ["Handle", "timeout_ns", "wait_blocking", "async_wait", "KEEP", "Port", "task_owner"]


# -------------------------------------------------------------------------------- handles
class _Closed:
    """What a closed object's handle becomes. Handing it to any ctypes call raises
    (``ctypes.ArgumentError: argument 1: ValueError: weft: ... is closed``), so every
    method of a closed object fails loudly, queries included, instead of passing NULL to
    libweft, whose WEFT_INVALID a query would drop (answering 0 or False)."""

    __slots__ = ()

    @property
    def _as_parameter_(self):
        raise ValueError("weft: this object is closed")

    def __repr__(self):
        return "<closed weft handle>"


CLOSED_HANDLE = _Closed()


class Handle:
    """Owns exactly one reference to a weft handle.

    ``close()`` drops it (idempotent); ``__del__`` drops it if you did not. Objects
    without a ``with`` meaning of their own (ports, events, queues, flags, latches) close
    at the end of a ``with`` block; for the others (locks, semaphores, conditions,
    limiters, aiologic-style barriers) ``with`` means acquire/release or wait, as in the
    libraries they replace: use ``contextlib.closing(obj)`` to scope their reference. ``handle`` is the raw pointer as an int, to pass to C (which must
    take its own reference with ``weft_*_clone`` if it keeps it); ``from_handle(ptr)``
    wraps a pointer coming from C, taking a new reference (the caller keeps its own).
    """

    _prefix = ""          # e.g. "lock": weft_lock_clone / weft_lock_free
    _ptr_type = None      # e.g. weft_lock_p
    __slots__ = ("_h", "_hp", "__weakref__")

    def __init_subclass__(cls, **kwargs):
        # a subclass's repr shows its state (queries into libweft): once closed, say so
        # instead (a repr must not raise)
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__repr__")
        if own is not None:
            def __repr__(self, _own=own):
                if getattr(self, "_h", None) is CLOSED_HANDLE:
                    return (f"<closed {type(self).__module__}.{type(self).__qualname__} "
                            f"object at {hex(id(self))}>")
                return _own(self)
            cls.__repr__ = __repr__

    def _create(self, *args):
        """Makes a new handle with ``weft_<prefix>_new(*args, &out)`` and owns it."""
        h = self._ptr_type()
        _lib.check(getattr(fast, self._prefix + "_new")(*args, byref(h)),
                   self._prefix + "_new")
        self._adopt(h)

    def _adopt(self, ptr):
        self._h = ptr
        # The handle as the hot calls take it (`_hot`: an int, or a ready-made C value).
        # `close` turns it to NULL (weft then says WEFT_INVALID).
        self._hp = _hot.handle_value(ctypes.cast(ptr, c_void_p).value)

    @classmethod
    def from_handle(cls, ptr):
        """Wraps a handle shared from C (an int address or a ctypes pointer): takes one
        new reference, which this object owns."""
        if isinstance(ptr, int):
            if not ptr:
                raise ValueError("NULL handle")
            ptr = ctypes.cast(c_void_p(ptr), cls._ptr_type)
        else:
            ptr = ctypes.cast(ptr, cls._ptr_type)
        _lib.check(getattr(fast, cls._prefix + "_clone")(ptr), cls._prefix + "_clone")
        self = cls.__new__(cls)
        self._h = None
        self._from_handle_init(ptr)
        return self

    def _from_handle_init(self, ptr):
        self._adopt(ptr)

    @property
    def handle(self) -> int:
        """The raw pointer (borrowed: valid while this object is open)."""
        if self.closed:
            raise ValueError("weft: this object is closed")
        return ctypes.cast(self._h, c_void_p).value

    def close(self) -> None:
        self._hp = _hot.NULL_HANDLE  # the hot calls: NULL, which libweft answers INVALID
        h, self._h = getattr(self, "_h", None), CLOSED_HANDLE
        if h is not None and h is not CLOSED_HANDLE:
            getattr(fast, self._prefix + "_free")(h)

    @property
    def closed(self) -> bool:
        return self._h is None or self._h is CLOSED_HANDLE

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            if _lib is None or getattr(_lib, "fast", None) is None:
                return  # interpreter shutdown: the library may be half gone
            if _collecting:
                # The cyclic garbage collector is finalizing a group of unreachable
                # objects, in no particular order, and every one of them stays usable
                # until all have been finalized (PEP 442): another's __del__ may still
                # use this one (put to this queue). It is closed once the collection is
                # over (`_after_collection`).
                _close_after_collection.append(self)
                return
            self.close()
        except Exception:  # interpreter shutdown: the library may be half gone
            pass


# True while the cyclic garbage collector runs (set by `_after_collection`).
_collecting = False
_close_after_collection: list = []  # handles whose __del__ ran during a collection


def _after_collection(phase, info):
    """A `gc.callbacks` hook: marks a collection's start, and at its end closes the
    handles whose __del__ it ran (each is then released for good: a finalizer runs once)."""
    global _collecting
    try:
        if phase == "start":
            _collecting = True
            return
        _collecting = False
        while _close_after_collection:
            _close_after_collection.pop().close()
    except Exception:  # interpreter shutdown
        pass


gc.callbacks.append(_after_collection)


def timeout_ns(timeout) -> int:
    """seconds (None or negative: forever) → nanoseconds for weft."""
    if timeout is None:
        return FOREVER
    if timeout < 0:
        return FOREVER
    ns = int(timeout * 1e9)
    if timeout > 0 and ns == 0:
        ns = 1
    return min(ns, (1 << 63) - 1)


# ------------------------------------------------------------------------------- owners
_task_tokens: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_thread_tok = threading.local()


# owner token -> (library, ident, thread ident): aiologic's identity of the thread or task
# a token stands for ("threading", thread ident) / ("asyncio" or "trio", id(task)), and
# the thread it runs on. An entry goes with its thread or task.
_owner_idents: dict = {}


def _register_owner(token, library, ident, holder):
    entry = _owner_idents[token] = (library, ident, threading.get_ident())
    weakref.finalize(holder, _forget_owner, token, entry)


def _forget_owner(token, entry):
    # only this registration: a thread's token is its pthread id, which a later thread
    # may carry again (and register) before this thread's object goes
    if _owner_idents.get(token) is entry:
        del _owner_idents[token]


def owner_ident(token):
    """aiologic's shape of an owner token: ``(library, ident)``; ``("weft", token)`` for
    an owner that is no thread or task of this process's Python (C code, a token of
    weft.threading's locks); None for 0 (nobody)."""
    if not token:
        return None
    info = _owner_idents.get(token)
    return ("weft", token) if info is None else info[:2]


def owner_is_task_of_this_thread(token):
    """True if ``token`` is an async task running on the calling thread's event loop."""
    info = _owner_idents.get(token)
    return info is not None and info[0] != "threading" and info[2] == threading.get_ident()


def thread_token() -> int:
    try:
        return _thread_tok.t
    except AttributeError:
        _thread_tok.t = t = _lib.thread_owner()
        _thread_tok.c = _hot.token_value(t)
        _register_owner(t, "threading", threading.get_ident(), threading.current_thread())
        return t


# `thread_token_c()` without a Python call when this thread has one already (a C-level
# getattr; None before the thread's first): `thread_token_now() or thread_token_c()`
thread_token_now = functools.partial(getattr, _thread_tok, "c", None)


def thread_token_c():
    """`thread_token()` as the hot calls take it (`_hot.token_value`)."""
    try:
        return _thread_tok.c
    except AttributeError:
        thread_token()
        return _thread_tok.c


def task_owner() -> int:
    """The owner token of the current asyncio/trio task (one per task, never reused)."""
    task = current_task()
    try:
        return _task_tokens[task]
    except KeyError:
        t = _task_tokens[task] = _lib.new_owner()
        _register_owner(t, _library(), id(task), task)
        return t


# ------------------------------------------------------------------------------ blocking
_main_ident = threading.main_thread().ident
_main_port = None


def _get_main_port():
    global _main_port
    if _main_port is None:
        _main_port = Port()
    return _main_port


# The longest a main-thread wait stays in C before Python looks at its signals (Ctrl-C).
_SIGNAL_SLICE = 0.05


def wait_blocking(blocking_call, async_start, timeout, undo=None, on_cancelled=None):
    """Blocks the calling thread until granted or ``timeout`` (seconds, None: forever).

    ``blocking_call(ns)`` is the plain blocking C call (GIL released). In the main thread
    the wait goes through ``async_start(port, op_ref)`` and ``weft_op_wait`` on the op in
    slices of ``_SIGNAL_SLICE`` instead, so that Ctrl-C (KeyboardInterrupt) interrupts it
    within a slice without losing the waiter's place in line. On an exception the op is
    cancelled; ``on_cancelled()`` runs when the cancel won (e.g. a condition wait
    re-acquiring its lock, a put forgetting its item) and the exception propagates. When
    the grant won the race, ``undo`` says what it becomes, as in `async_wait`: a callable
    ``undo(op)`` gives it back and the exception propagates; None: nothing to give back;
    ``KEEP`` (it cannot be given back: a put whose item went in): the call completes
    normally with ``(OK, op)`` and the exception is raised once the call has returned
    (`_hold_until_returned`). Returns ``(status, op)``: op is a weft_op_p the caller must
    free with ``fast.op_free`` (None when the call completed without one).
    """
    ns = timeout_ns(timeout)
    if ns == 0 or threading.get_ident() != _main_ident or async_start is None:
        return blocking_call(ns), None
    if _held is not None:
        _raise_held()  # held back for a call that has returned: raised before this one acts
    port = _get_main_port()
    op = weft_op_p()
    st = async_start(port._h, byref(op))
    if st != PENDING:
        return st, None
    deadline = None if ns < 0 else time.monotonic() + ns / 1e9
    status = c_int32()
    try:
        while True:
            fast.op_status(op, byref(status))
            if status.value != PENDING:
                port.drain()
                return status.value, op
            if deadline is None:
                slice_ = 1.0
            else:
                slice_ = deadline - time.monotonic()
                if slice_ <= 0:
                    st = fast.op_cancel(op)
                    port.drain()
                    if st == CANCELLED:
                        if on_cancelled is not None:
                            on_cancelled()
                        return TIMEOUT, op
                    return st, op
            # A futex wait on the op itself, GIL released (no poll of the fd), in slices short
            # enough that Ctrl-C is seen within one: the C call is not ended by a signal.
            lib.op_wait(op, int(min(slice_, _SIGNAL_SLICE) * 1e9))
            port.drain()
    except BaseException as exc:
        st = fast.op_cancel(op)
        port.drain()
        if st == OK and undo is KEEP:
            # granted before the cancel, and what was granted cannot be given back (a
            # put whose item went in): the call completes, and the exception comes once
            # it has returned
            _hold_until_returned(exc)
            return OK, op
        if st == OK and undo is not None:
            undo(op)
        elif st == CANCELLED and on_cancelled is not None:
            on_cancelled()
        fast.op_free(op)
        raise


# ------------------------------------------------------------- an exception held back
# Python has no hook for "once this call has returned", so the signal machinery carries
# a held exception: SIGINT is tripped again (`_thread.interrupt_main`) with
# `_held_handler` as its handler, which Python runs at its next check for signals. While
# weft code is on the stack (the rest of the interrupted call) the handler trips SIGINT
# again and returns; at the first check outside weft it puts the previous handler back
# and raises the exception there, in the caller, after the call returned. A blocking wait
# that starts meanwhile raises it first, before it acts (`wait_blocking`).
_PACKAGE_DIR = os.path.dirname(__file__) + os.sep
_held = None  # (the exception, the SIGINT handler to put back) while one is held back


def _hold_until_returned(exc):
    """Holds ``exc`` back until the weft call running in the main thread has returned."""
    global _held
    if _held is None:  # (a second one meanwhile is the same interrupt: the first stands)
        previous = signal.getsignal(signal.SIGINT)
        # None: a handler not installed from Python, which cannot be put back as it was;
        # Python's own stands in for it
        _held = (exc, signal.default_int_handler if previous is None else previous)
        signal.signal(signal.SIGINT, _held_handler)
    _thread.interrupt_main()


class _TripsSigintWhenReleased:
    """Trips SIGINT from C as it is released (``__del__`` is the builtin itself, so no
    Python frame runs, and Python does not check for signals in between)."""

    __slots__ = ()
    __del__ = _thread.interrupt_main


def _held_handler(signum, frame):
    while frame is not None:
        if frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            # still inside weft: again at the next check. Tripping here would run this
            # handler again at once, inside itself (Python checks for signals after each
            # call of a builtin); a local released as this handler returns trips it after.
            again = _TripsSigintWhenReleased()  # noqa: F841
            return
        frame = frame.f_back
    _raise_held()


def _raise_held():
    global _held
    exc, previous = _held
    _held = None
    if signal.getsignal(signal.SIGINT) is not _held_handler:
        return  # SIGINT's handler was replaced meanwhile: the tripped SIGINT is its now
    signal.signal(signal.SIGINT, previous)
    raise exc


# --------------------------------------------------------------------------------- ports
class Port(Handle):
    """A completion port (one per event loop)."""

    _prefix = "port"
    _ptr_type = weft_port_p
    __slots__ = ("fd", "_buf", "waiters")
    BATCH = 64

    def __init__(self):
        self._create()
        self._watch()

    def _from_handle_init(self, ptr):
        self._adopt(ptr)
        self._watch()

    def _watch(self):
        fd = c_int32()
        fast.port_fd(self._h, byref(fd))
        self.fd = fd.value
        self._buf = (_lib.weft_completion * self.BATCH)()
        self.waiters = {}

    def drain(self):
        """Takes every pending completion; returns a list of (key, status)."""
        out = []
        buf = self._buf
        n = c_size_t()
        while True:
            _raw_port_poll(self._h, buf, _BATCH_C, byref(n))
            k = n.value
            for i in range(k):
                c = buf[i]
                out.append((c.arg or 0, c.status))
            if k < self.BATCH:
                return out


_BATCH_C = c_size_t(Port.BATCH)


def unconverted(fn):
    """``fn``, a function of `_lib.fast`, once more without argument conversion (as the
    functions of `_lib.raw`; made here from its address so that the loader stays as it
    is): the GIL held, and the caller passes ready-made C values only (c_void_p, c_int64,
    c_size_t, ctypes pointers, ``byref(...)``, None for NULL), never a bare int, which
    ctypes would pass as a 32-bit C int. For the calls of the async hot paths, where the
    conversion of each argument costs more than the call."""
    return ctypes.PYFUNCTYPE(_lib.weft_status)(ctypes.cast(fn, c_void_p).value)


_raw_port_poll = unconverted(fast.port_poll)
raw_op_item = unconverted(fast.op_item)
raw_op_free = unconverted(fast.op_free)


_keys = itertools.count(1)

# `async_wait(..., undo=KEEP)`: a grant that won the race against a cancellation stays,
# and the call completes normally (see async_wait)
KEEP = object()


# ----------------------------------------------------------------- the running library
# Asked on every async call, so asked cheaply: sniffio's own order (its thread-local name,
# which trio sets while it runs; then its context variable, which other libraries may
# set), without `sniffio.current_async_library()`'s last step (asking asyncio for its
# current task): a task of no library sniffio knows is asyncio's, as it always was here.
_sniffio_thread = sniffio.thread_local
_sniffio_cvar = sniffio.current_async_library_cvar
_trio_lowlevel = None  # trio.lowlevel, imported at the first call under trio


def _library():
    """The async library of the calling task: "trio", else "asyncio"."""
    name = _sniffio_thread.name
    if name is None:
        name = _sniffio_cvar.get()
        if name is None:
            return "asyncio"
    return name


def running_trio():
    """``trio.lowlevel`` if the calling task runs under trio, else None (asyncio). The
    async fast paths call its ``checkpoint_if_cancelled`` before they take effect and
    ``cancel_shielded_checkpoint`` after (trio's checkpoint rule, as in trio's own
    channels); under asyncio a call that completes at once does not yield."""
    global _trio_lowlevel
    name = _sniffio_thread.name
    if name is None:
        name = _sniffio_cvar.get()
    if name != "trio":
        return None
    if _trio_lowlevel is None:
        import trio.lowlevel
        _trio_lowlevel = trio.lowlevel
    return _trio_lowlevel


async def sleep(seconds):
    """Sleeps on the running event loop (asyncio or trio); 0: yields to it once (under
    trio a full checkpoint: a pending cancellation is raised)."""
    if _library() == "trio":
        import trio
        await trio.sleep(seconds)
    else:
        import asyncio
        await asyncio.sleep(seconds)


def current_task():
    lib_ = _library()
    if lib_ == "trio":
        import trio
        return trio.lowlevel.current_task()
    import asyncio
    return asyncio.current_task()


# ------------------------------------------------------------------------------- asyncio
class _AsyncioPort:
    def __init__(self, loop):
        self.port = Port()
        self.waiters = {}
        loop.add_reader(self.port.fd, self._ready)
        # the port goes with the loop (nothing here may refer to the loop strongly, or
        # it would never go)
        weakref.finalize(loop, self.port.close)

    def _ready(self):
        waiters = self.waiters
        for key, status in self.port.drain():
            fut = waiters.pop(key, None)
            if fut is not None and not fut.done():
                fut.set_result(status)


_asyncio_ports: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _asyncio_port(loop):
    p = _asyncio_ports.get(loop)
    if p is None:
        p = _asyncio_ports[loop] = _AsyncioPort(loop)
    return p


async def _asyncio_wait(start, undo, timeout, releases_others=False):
    global _asyncio
    if _asyncio is None:
        import asyncio as _asyncio
    loop = _asyncio.get_running_loop()
    p = _asyncio_port(loop)
    key = next(_keys)
    op = weft_op_p()
    st = start(p.port._h, c_void_p(key), byref(op))
    if st != PENDING:
        if releases_others:
            p._ready()  # wake the waiters this call released, in their order
            try:
                await _asyncio.sleep(0)  # and let them run first, as aiologic's
            except _asyncio.CancelledError as exc:
                _asyncio_cancel_later(loop, exc)  # the call took effect: it completes
        return st, None
    fut = loop.create_future()
    p.waiters[key] = fut
    if timeout is None:  # the common case, without a timer
        try:
            return await fut, op
        except BaseException as exc:
            if _asyncio_withdraw(loop, p, key, op, undo, exc, None):
                return OK, op
            raise
    timer_answer = []  # what the timer's cancel was told (only the first cancel answers)
    # the timer cancels the op; its completion (CANCELLED, or the grant that won) still
    # comes through the port and settles the future
    timer = loop.call_later(max(timeout, 0), lambda: timer_answer.append(fast.op_cancel(op)))
    try:
        st = await fut
        if st == CANCELLED:
            st = TIMEOUT
    except BaseException as exc:
        if _asyncio_withdraw(loop, p, key, op, undo, exc, timer_answer):
            return OK, op
        raise
    finally:
        timer.cancel()
    return st, op


_asyncio = None  # the asyncio module, imported at the first wait under asyncio


def _asyncio_withdraw(loop, p, key, op, undo, exc, timer_answer):
    """The awaiting task was cancelled (or interrupted) while its op waited, or after
    the op's completion had settled the future but before the task ran again: the op may
    have been granted already, and op_cancel says which side won. Returns True if the
    call completes normally (a grant ``undo=KEEP`` keeps; the cancellation comes again
    at the task's next suspension); otherwise the op is freed and the caller re-raises."""
    p.waiters.pop(key, None)
    answer = fast.op_cancel(op)
    if answer == ANSWERED and timer_answer:
        answer = timer_answer[0]  # the timer cancelled first: its answer stands
    if answer == OK:
        if undo is KEEP and isinstance(exc, _asyncio.CancelledError):
            _asyncio_cancel_later(loop, exc)
            return True
        if undo is not None and undo is not KEEP:
            undo(op)
    fast.op_free(op)
    return False


def _asyncio_cancel_later(loop, exc):
    """The current task swallowed ``exc`` (a CancelledError) because its call had taken
    effect: the cancellation is delivered again at the task's next suspension, unless
    whoever requested it withdrew it meanwhile (``asyncio.timeout`` leaving its block
    uncancels the task; `Task.cancelling()` then no longer counts the request)."""
    import asyncio
    task = asyncio.current_task()
    msg = exc.args[0] if exc.args else None
    counted = hasattr(task, "cancelling")  # Python 3.11+

    def again():
        if task.done():
            return
        if counted:
            if task.cancelling() == 0:
                return
            task.uncancel()  # cancel() below counts the same request again
        task.cancel(msg)

    loop.call_soon(again)


# ---------------------------------------------------------------------------------- trio
class _TrioPort:
    def __init__(self):
        import trio
        self.port = Port()
        self.waiters = {}
        trio.lowlevel.spawn_system_task(self._run, name="weft-port")

    def _ready(self):
        import outcome
        import trio
        for key, status in self.port.drain():
            task = self.waiters.pop(key, None)
            if task is not None:
                trio.lowlevel.reschedule(task, outcome.Value(status))

    async def _run(self):
        import trio
        try:
            while True:
                await trio.lowlevel.wait_readable(self.port.fd)
                self._ready()
        finally:
            # the run is ending: cancel what still waits, then close the port
            self.port.close()


_trio_port_var = None
_trio_port_var_lock = threading.Lock()


def _trio_port():
    global _trio_port_var
    if _trio_port_var is None:
        import trio
        with _trio_port_var_lock:
            if _trio_port_var is None:
                _trio_port_var = trio.lowlevel.RunVar("weft_port")
    try:
        return _trio_port_var.get()
    except LookupError:
        p = _TrioPort()
        _trio_port_var.set(p)
        return p


async def _trio_wait(start, undo, timeout=None, releases_others=False):
    ll = running_trio()  # trio.lowlevel
    # every call is a checkpoint, as trio's own (and aiologic's under trio): a pending
    # cancellation is raised before anything happens ...
    await ll.checkpoint_if_cancelled()
    p = _trio_port()
    key = next(_keys)
    op = weft_op_p()
    st = start(p.port._h, c_void_p(key), byref(op))
    if st != PENDING:
        # ... and a call that completed at once yields to the others without raising
        # one (the grant must reach the caller)
        if releases_others:
            p._ready()  # the waiters this call released are rescheduled before it
        await ll.cancel_shielded_checkpoint()
        return st, None
    p.waiters[key] = ll.current_task()

    def abort(raise_cancel):
        granted = fast.op_cancel(op) == OK
        if granted and undo is KEEP:
            # granted first and it cannot be undone: the wait completes (the port task
            # reschedules this task with the grant); trio delivers the cancellation at
            # the next checkpoint
            return ll.Abort.FAILED
        p.waiters.pop(key, None)
        if granted and undo is not None:
            undo(op)
        fast.op_free(op)
        return ll.Abort.SUCCEEDED

    if timeout is None:
        st = await ll.wait_task_rescheduled(abort)
        return st, op
    # the timeout counts only once the op waits (a grant at once is no timeout)
    import trio
    with trio.move_on_after(timeout):
        st = await ll.wait_task_rescheduled(abort)
        return st, op
    return TIMEOUT, None  # the op was cancelled (and freed) by `abort`


async def async_wait(start, undo=None, timeout=None, releases_others=False):
    """Runs ``start(port_ptr, key, op_ref)`` (an ``*_async`` call with the current loop's
    port) and waits for its completion. Returns ``(status, op)`` (op None on a fast path;
    otherwise the caller frees it). ``timeout`` (seconds, None: none) ends the wait with
    ``(TIMEOUT, op)``.

    Cancelling the awaiting task cancels the op. If the op was granted before the cancel
    could win (``weft_op_cancel`` answers OK), ``undo`` says what the grant becomes, so
    that a call that raises cancellation has had no effect:

    * a callable: ``undo(op)`` gives the grant back (releases the permit, puts the item
      back in front, passes the notification on) and the cancellation propagates;
    * None: the wait only observed something (an event set, a count reached): nothing
      to give back; the cancellation propagates;
    * ``KEEP``: the effect cannot be undone (a put that landed, an arrival that completed
      a barrier's phase): the call completes normally with ``(OK, op)`` and the
      cancellation is delivered at the task's next checkpoint (trio: ``Abort.FAILED``;
      asyncio: the task is cancelled again at its next suspension).

    ``releases_others``: a call that completes at once may release waiters of this
    loop (the arrival that completes a barrier's phase): their completions are
    delivered first and the call yields once, so they resume before it, in order.
    """
    if timeout is not None and timeout < 0:
        timeout = None
    if _library() == "trio":
        return await _trio_wait(start, undo, timeout, releases_others)
    return await _asyncio_wait(start, undo, timeout, releases_others)


def free_op(op):
    if op is not None:
        fast.op_free(op)


async def async_wait_uncancellable(start):
    """async_wait that runs to completion even if the awaiting task is cancelled meanwhile
    (e.g. taking a lock back while a cancellation propagates); the cancellation is
    re-raised afterwards."""
    if _library() == "trio":
        import trio
        with trio.CancelScope(shield=True):
            return await _trio_wait(start, None)
    import asyncio
    fut = asyncio.ensure_future(async_wait(start))
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(fut)
            break
        except asyncio.CancelledError:
            if fut.cancelled():
                raise
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result


# ---------------------------------------------------------------------------------- fork
def _after_fork_in_child():
    """A fork child must not use its parent's ports: their fds are shared with the parent
    (libweft answers WEFT_CLOSED for them in the child). Forget them, and the main thread,
    which after a fork is the thread that forked; each is made again on first use."""
    global _main_port, _main_ident
    _main_port = None
    _main_ident = threading.get_ident()
    _asyncio_ports.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
