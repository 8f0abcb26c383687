"""Loading libweft and the one declarative table of its C signatures.

Everything that crosses into C goes through the module-level ``lib`` (GIL released
during the call: for calls that may block) or ``fast`` (GIL held: for calls that never
block, where releasing and re-taking the GIL would cost more than the call itself).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_bool, c_char_p, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)

__all__ = ["lib", "fast", "WeftError", "status_name", "load_path"]

# ----------------------------------------------------------------------------- statuses
OK = 0
PENDING = 1
WOULD_BLOCK = 2
TIMEOUT = 3
CANCELLED = 4
BROKEN = 5
CLOSED = 6
NOT_OWNER = 7
NOT_LOCKED = 8
DEADLOCK = 9
OVERFLOW = 10
BUSY = 11
INVALID = 12
NO_MEMORY = 13
SYSTEM = 14
INTERNAL = 15
ANSWERED = 16  # weft_op_cancel: an earlier cancel of the same op already answered

FOREVER = -1
UNBOUNDED = -1

LOCK_FIFO = 0
LOCK_THROUGHPUT = 1
EVENT_ONE_TIME = 0
EVENT_REUSABLE = 1
LIMITER_PLAIN = 0
LIMITER_REENTRANT = 1
BARRIER_LATCH = 0
BARRIER_CYCLIC = 1
BARRIER_RESETTABLE = 2
QUEUE_FIFO = 0
QUEUE_LIFO = 1
QUEUE_PRIORITY = 2


# ------------------------------------------------------------------ opaque handle types
class _Opaque(Structure):
    _fields_: list = []


def _opaque(name):
    return POINTER(type(name, (_Opaque,), {}))


weft_lock_p = _opaque("weft_lock")
weft_rlock_p = _opaque("weft_rlock")
weft_sem_p = _opaque("weft_sem")
weft_cond_p = _opaque("weft_cond")
weft_event_p = _opaque("weft_event")
weft_countdown_p = _opaque("weft_countdown")
weft_barrier_p = _opaque("weft_barrier")
weft_limiter_p = _opaque("weft_limiter")
weft_flag_p = _opaque("weft_flag")
weft_guard_p = _opaque("weft_guard")
weft_queue_p = _opaque("weft_queue")
weft_port_p = _opaque("weft_port")
weft_op_p = _opaque("weft_op")

weft_status = c_int32
weft_callback = CFUNCTYPE(None, c_void_p, c_int32)
weft_item_destructor = CFUNCTYPE(None, c_void_p, c_void_p)
weft_port_notify_fn = CFUNCTYPE(None, c_void_p)


class weft_completion(Structure):
    _fields_ = [("arg", c_void_p), ("status", c_int32)]


P = POINTER
s = weft_status
i64, u64, u32, sz, b, vp = c_int64, c_uint64, c_uint32, c_size_t, c_bool, c_void_p
CB = weft_callback

# name: (argtypes, may_block). Every function returns weft_status except weft_status_str.
SIGNATURES = {
    # barrier
    "weft_barrier_new": ([i64, u32, P(weft_barrier_p)], False),
    "weft_barrier_clone": ([weft_barrier_p], False),
    "weft_barrier_free": ([weft_barrier_p], False),
    "weft_barrier_wait": ([weft_barrier_p, i64, P(u64)], True),
    "weft_barrier_wait_async": ([weft_barrier_p, weft_port_p, CB, vp, P(weft_op_p), P(u64)], False),
    "weft_barrier_abort": ([weft_barrier_p], False),
    "weft_barrier_reset": ([weft_barrier_p], False),
    "weft_barrier_is_broken": ([weft_barrier_p, P(b)], False),
    "weft_barrier_waiting": ([weft_barrier_p, P(sz)], False),
    # cond
    "weft_cond_new": ([weft_lock_p, P(weft_cond_p)], False),
    "weft_cond_new_reentrant": ([weft_rlock_p, P(weft_cond_p)], False),
    "weft_cond_clone": ([weft_cond_p], False),
    "weft_cond_free": ([weft_cond_p], False),
    "weft_cond_wait_as": ([weft_cond_p, u64, i64], True),
    "weft_cond_wait": ([weft_cond_p, i64], True),
    "weft_cond_wait_async": ([weft_cond_p, u64, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_cond_notify": ([weft_cond_p, sz, P(sz)], False),
    "weft_cond_notify_all": ([weft_cond_p, P(sz)], False),
    "weft_cond_waiting": ([weft_cond_p, P(sz)], False),
    # countdown
    "weft_countdown_new": ([i64, P(weft_countdown_p)], False),
    "weft_countdown_clone": ([weft_countdown_p], False),
    "weft_countdown_free": ([weft_countdown_p], False),
    "weft_countdown_up": ([weft_countdown_p, u64], False),
    "weft_countdown_down": ([weft_countdown_p], False),
    "weft_countdown_clear": ([weft_countdown_p], False),
    "weft_countdown_value": ([weft_countdown_p, P(u64)], False),
    "weft_countdown_wait": ([weft_countdown_p, i64], True),
    "weft_countdown_wait_async": ([weft_countdown_p, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_countdown_waiting": ([weft_countdown_p, P(sz)], False),
    # event
    "weft_event_new": ([u32, P(weft_event_p)], False),
    "weft_event_clone": ([weft_event_p], False),
    "weft_event_free": ([weft_event_p], False),
    "weft_event_set": ([weft_event_p, P(sz)], False),
    "weft_event_clear": ([weft_event_p], False),
    "weft_event_is_set": ([weft_event_p, P(b)], False),
    "weft_event_wait": ([weft_event_p, i64], True),
    "weft_event_wait_async": ([weft_event_p, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_event_waiting": ([weft_event_p, P(sz)], False),
    # flag
    "weft_flag_new": ([P(weft_flag_p)], False),
    "weft_flag_clone": ([weft_flag_p], False),
    "weft_flag_free": ([weft_flag_p], False),
    "weft_flag_set": ([weft_flag_p, vp, P(b)], False),
    "weft_flag_get": ([weft_flag_p, P(b), P(vp)], False),
    "weft_flag_clear": ([weft_flag_p, P(b)], False),
    # guard
    "weft_guard_new": ([P(weft_guard_p)], False),
    "weft_guard_clone": ([weft_guard_p], False),
    "weft_guard_free": ([weft_guard_p], False),
    "weft_guard_enter": ([weft_guard_p], False),
    "weft_guard_exit": ([weft_guard_p], False),
    "weft_guard_in_use": ([weft_guard_p, P(b)], False),
    # limiter
    "weft_limiter_new": ([i64, u32, P(weft_limiter_p)], False),
    "weft_limiter_clone": ([weft_limiter_p], False),
    "weft_limiter_free": ([weft_limiter_p], False),
    "weft_limiter_acquire_as": ([weft_limiter_p, u64, u64, i64], True),
    "weft_limiter_acquire": ([weft_limiter_p, u64, i64], True),
    "weft_limiter_acquire_async": ([weft_limiter_p, u64, u64, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_limiter_release_as": ([weft_limiter_p, u64, u64], False),
    "weft_limiter_release": ([weft_limiter_p, u64], False),
    "weft_limiter_set_total": ([weft_limiter_p, i64], False),
    "weft_limiter_counts": ([weft_limiter_p, P(u64), P(u64), P(sz)], False),
    "weft_limiter_held": ([weft_limiter_p, u64, P(u64)], False),
    # owners
    "weft_thread_owner": ([P(u64)], False),
    "weft_owner_new": ([P(u64)], False),
    # lock
    "weft_lock_new": ([u32, P(weft_lock_p)], False),
    "weft_lock_clone": ([weft_lock_p], False),
    "weft_lock_free": ([weft_lock_p], False),
    "weft_lock_acquire": ([weft_lock_p, i64], True),
    "weft_lock_try_acquire": ([weft_lock_p], False),
    "weft_lock_acquire_as": ([weft_lock_p, u64, i64], True),
    "weft_lock_acquire_async": ([weft_lock_p, u64, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_lock_release": ([weft_lock_p], False),
    "weft_lock_release_as": ([weft_lock_p, u64], False),
    "weft_lock_owner": ([weft_lock_p, P(u64)], False),
    "weft_lock_waiting": ([weft_lock_p, P(sz)], False),
    # op
    "weft_op_cancel": ([weft_op_p], False),
    "weft_op_wait": ([weft_op_p, i64], True),
    "weft_op_status": ([weft_op_p, P(s)], False),
    "weft_op_value": ([weft_op_p, P(u64)], False),
    "weft_op_item": ([weft_op_p, P(vp)], False),
    "weft_op_free": ([weft_op_p], False),
    # port
    "weft_port_new": ([P(weft_port_p)], False),
    "weft_port_clone": ([weft_port_p], False),
    "weft_port_free": ([weft_port_p], False),
    "weft_port_fd": ([weft_port_p, P(c_int32)], False),
    "weft_port_pending": ([weft_port_p, P(sz)], False),
    "weft_port_poll": ([weft_port_p, P(weft_completion), sz, P(sz)], False),
    "weft_port_run": ([weft_port_p, sz, P(sz)], False),
    "weft_port_wait": ([weft_port_p, i64], True),
    "weft_port_set_notify": ([weft_port_p, weft_port_notify_fn, c_void_p], False),
    # queue
    "weft_queue_new": ([u32, i64, weft_item_destructor, vp, P(weft_queue_p)], False),
    "weft_queue_clone": ([weft_queue_p], False),
    "weft_queue_free": ([weft_queue_p], False),
    "weft_queue_put": ([weft_queue_p, vp, i64, i64], True),
    "weft_queue_try_put": ([weft_queue_p, vp, i64], False),
    "weft_queue_put_async": ([weft_queue_p, vp, i64, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_queue_get": ([weft_queue_p, P(vp), i64], True),
    "weft_queue_try_get": ([weft_queue_p, P(vp)], False),
    "weft_queue_get_async": ([weft_queue_p, P(vp), weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_queue_put_many": ([weft_queue_p, P(vp), P(i64), sz, i64, P(sz)], True),
    "weft_queue_get_many": ([weft_queue_p, P(vp), sz, i64, P(sz)], True),
    "weft_queue_shutdown": ([weft_queue_p, b], False),
    "weft_queue_is_shutdown": ([weft_queue_p, P(b)], False),
    "weft_queue_task_done": ([weft_queue_p], False),
    "weft_queue_unfinished": ([weft_queue_p, P(u64)], False),
    "weft_queue_join": ([weft_queue_p, i64], True),
    "weft_queue_join_async": ([weft_queue_p, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_queue_peek": ([weft_queue_p, P(vp)], False),
    "weft_queue_clear": ([weft_queue_p, P(sz)], False),
    "weft_queue_unget": ([weft_queue_p, vp], False),
    "weft_queue_size": ([weft_queue_p, P(sz)], False),
    "weft_queue_capacity": ([weft_queue_p, P(i64)], False),
    "weft_queue_set_capacity": ([weft_queue_p, i64], False),
    "weft_queue_waiting": ([weft_queue_p, P(sz), P(sz)], False),
    # rlock
    "weft_rlock_new": ([u32, P(weft_rlock_p)], False),
    "weft_rlock_clone": ([weft_rlock_p], False),
    "weft_rlock_free": ([weft_rlock_p], False),
    "weft_rlock_acquire": ([weft_rlock_p, u64, i64], True),
    "weft_rlock_try_acquire": ([weft_rlock_p, u64], False),
    "weft_rlock_acquire_as": ([weft_rlock_p, u64, u64, i64], True),
    "weft_rlock_acquire_async": ([weft_rlock_p, u64, u64, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_rlock_release": ([weft_rlock_p, u64], False),
    "weft_rlock_release_as": ([weft_rlock_p, u64, u64], False),
    "weft_rlock_owner": ([weft_rlock_p, P(u64)], False),
    "weft_rlock_count": ([weft_rlock_p, u64, P(u64)], False),
    "weft_rlock_waiting": ([weft_rlock_p, P(sz)], False),
    # sem
    "weft_sem_new": ([i64, i64, P(weft_sem_p)], False),
    "weft_sem_clone": ([weft_sem_p], False),
    "weft_sem_free": ([weft_sem_p], False),
    "weft_sem_acquire": ([weft_sem_p, i64], True),
    "weft_sem_try_acquire": ([weft_sem_p], False),
    "weft_sem_acquire_async": ([weft_sem_p, weft_port_p, CB, vp, P(weft_op_p)], False),
    "weft_sem_release": ([weft_sem_p, u64], False),
    "weft_sem_value": ([weft_sem_p, P(u64)], False),
    "weft_sem_waiting": ([weft_sem_p, P(sz)], False),
}

NULL_CB = weft_callback()  # a NULL function pointer, for calls that complete via a port


# ------------------------------------------------------------------------------ loading
def _candidates():
    # WEFT_LIBRARY overrides the copy that setup.py builds into weft/_native/
    env = os.environ.get("WEFT_LIBRARY")
    if env:
        yield "WEFT_LIBRARY", env
    here = os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(here, "_native", "libweft.so")
    if os.path.exists(bundled):
        yield "bundled", bundled
    found = ctypes.util.find_library("weft")
    if found:
        yield "system", found          # the soname, e.g. libweft.so.0
    if found != "libweft.so":
        yield "system", "libweft.so"   # a directory holding only the development name


def _load():
    tried = []
    for origin, path in _candidates():
        try:
            cdll = ctypes.CDLL(path)
            pydll = ctypes.PyDLL(path)
            return path, cdll, pydll
        except OSError as exc:
            tried.append(f"  {origin}: {path}: {exc}")
            if origin == "WEFT_LIBRARY":
                break  # an explicit choice that fails must not silently fall back
    raise ImportError(
        "weft: cannot load libweft.so. Looked in (1) the WEFT_LIBRARY environment "
        "variable (path to libweft.so), (2) a copy bundled in the package "
        "(weft/_native/libweft.so, which `pip install ./bindings/python` builds with "
        "cargo), (3) the system library path (ld.so / LD_LIBRARY_PATH). Tried:\n"
        + "\n".join(tried))


load_path, _cdll, _pydll = _load()


# The oldest libweft this binding works with: the version that has every function in
# SIGNATURES. A library of another major version, or an older one, is refused (the
# contract every binding follows: docs/abi.md).
REQUIRED_VERSION = (0, 1, 0)


def _check_version(path, cdll, required=REQUIRED_VERSION):
    """The loaded library's (major, minor, patch); ImportError if this binding cannot use it."""
    need = ".".join(map(str, required))
    try:
        version = cdll.weft_version
    except AttributeError:
        raise ImportError(f"weft: {path} is too old: it has no weft_version() "
                          f"(this binding needs libweft {need} or newer)") from None
    version.argtypes = []
    version.restype = c_uint32
    number = version()
    found = (number // 1000000, number // 1000 % 1000, number % 1000)
    if found[0] != required[0] or found < required:
        raise ImportError(f"weft: {path} is libweft {'.'.join(map(str, found))}; this "
                          f"binding needs {need} or a later {required[0]}.x")
    return found


library_version = _check_version(load_path, _cdll)
_version_string = _cdll.weft_version_string
_version_string.argtypes = []
_version_string.restype = ctypes.c_char_p


class _Table:
    pass


lib = _Table()   # GIL released during the call
fast = _Table()  # GIL held during the call: only for calls that never block (or timeout 0)
for _name, (_argtypes, _may_block) in SIGNATURES.items():
    for _dll, _table in ((_cdll, lib), (_pydll, fast)):
        _fn = getattr(_dll, _name)
        _fn.argtypes = _argtypes
        _fn.restype = weft_status
        setattr(_table, _name[5:], _fn)

_status_str = _pydll.weft_status_str
_status_str.argtypes = [weft_status]
_status_str.restype = c_char_p


def status_name(status: int) -> str:
    return _status_str(status).decode()


class WeftError(RuntimeError):
    """An unexpected weft status (a bug, or WEFT_NO_MEMORY / WEFT_SYSTEM / WEFT_INTERNAL)."""

    def __init__(self, status: int, what: str = ""):
        self.status = status
        super().__init__(f"{what}: {status_name(status)}" if what else status_name(status))


def check(status: int, what: str = "") -> int:
    if status != OK:
        raise WeftError(status, what)
    return status


def new_owner() -> int:
    out = c_uint64()
    fast.owner_new(ctypes.byref(out))
    return out.value


def thread_owner() -> int:
    out = c_uint64()
    fast.thread_owner(ctypes.byref(out))
    return out.value
