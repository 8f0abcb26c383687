"""The binding's hottest libweft calls (uncontended locks, queue put/get), made the
cheapest way available.

A ctypes call costs more than the libweft call it makes. When the optional C module
``weft._speedups`` was built (``pip install`` builds it when a C compiler and the Python
headers are there; CMake builds it for the test suite), these calls go through it and
take plain ints. Otherwise they go through ctypes, with ready-made C values where that
saves the argument conversion. Callers hold handles and tokens as ``handle_value(addr)``
and ``token_value(tok)`` and never need to know which way is in use.

``WEFT_SPEEDUPS=0`` forces the ctypes way (the test suite runs both); ``WEFT_SPEEDUPS=
/path/to/_speedups.so`` loads that build (an explicit choice that fails is an error).
``active`` says which way is in use: ``"speedups"`` or ``"ctypes"``.

Every function answers as libweft does: a status (``OK`` == 0, ...), or for a get the
item (an int >= 0, 0 for NULL) on ``OK`` and ``-status`` otherwise.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import importlib.util
import os
from ctypes import byref, c_int64, c_uint64, c_void_p

from . import _lib

__all__ = ["active", "handle_value", "token_value", "NULL_HANDLE", "NO_TOKEN",
           "lock_acquire_as", "lock_release_as", "rlock_acquire_as", "rlock_release_as",
           "queue_try_put", "queue_try_get",
           "queue_put", "queue_get"]

SPEEDUPS_API = 2  # weft/_speedups.c's SPEEDUPS_API
_FUNCTIONS = ("weft_lock_acquire_as", "weft_lock_release_as", "weft_rlock_acquire_as",
              "weft_rlock_release_as", "weft_queue_try_put",
              "weft_queue_try_get", "weft_queue_put", "weft_queue_get")


def _import_speedups(path):
    if path:
        loader = importlib.machinery.ExtensionFileLoader("weft._speedups", path)
        spec = importlib.util.spec_from_file_location("weft._speedups", path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
        return module
    from . import _speedups
    return _speedups


def _load_speedups():
    """weft._speedups bound to the libweft ctypes loaded, or None (not built, too old,
    or WEFT_SPEEDUPS=0)."""
    choice = os.environ.get("WEFT_SPEEDUPS", "")
    if choice == "0":
        return None
    try:
        module = _import_speedups(choice)
    except ImportError:
        if choice:
            raise
        return None
    if getattr(module, "API", None) != SPEEDUPS_API:
        if choice:
            raise ImportError(f"weft: {choice} is weft._speedups API "
                              f"{getattr(module, 'API', None)}; this binding needs "
                              f"{SPEEDUPS_API}")
        return None  # a stale build beside newer Python files: use ctypes
    module.bind({name: ctypes.cast(_lib._pydll[name], c_void_p).value
                 for name in _FUNCTIONS})
    return module


_speedups = _load_speedups()

if _speedups is not None:
    active = "speedups"

    def handle_value(address):
        return address or 0

    token_value = int
    lock_acquire_as = _speedups.lock_acquire_as   # (lock, owner, 0) -> status
    lock_release_as = _speedups.lock_release_as   # (lock, owner) -> status
    rlock_acquire_as = _speedups.rlock_acquire_as  # (rlock, owner, count, 0) -> status
    rlock_release_as = _speedups.rlock_release_as  # (rlock, owner, count) -> status
    queue_try_put = _speedups.queue_try_put       # (queue, item, priority) -> status
    queue_try_get = _speedups.queue_try_get       # (queue) -> item | -status
    queue_put = _speedups.queue_put               # (queue, item, priority, ns) -> status
    queue_get = _speedups.queue_get               # (queue, ns) -> item | -status
else:
    active = "ctypes"
    handle_value = c_void_p
    token_value = c_uint64

    def _bare(dll, name):
        # a fresh function object without argtypes: ctypes then passes the caller's
        # ready-made C values as they are (no per-argument conversion)
        fn = dll[name]
        fn.restype = _lib.weft_status
        return fn

    lock_acquire_as = _bare(_lib._pydll, "weft_lock_acquire_as")  # (c_void_p, c_uint64, c_int64)
    lock_release_as = _bare(_lib._pydll, "weft_lock_release_as")  # (c_void_p, c_uint64)
    _rlock_acquire = _bare(_lib._pydll, "weft_rlock_acquire_as")
    _rlock_release = _bare(_lib._pydll, "weft_rlock_release_as")

    def rlock_acquire_as(rlock, owner, count, timeout_ns):  # owner: a token_value
        return _rlock_acquire(rlock, owner, c_uint64(count), timeout_ns)

    def rlock_release_as(rlock, owner, count):
        return _rlock_release(rlock, owner, c_uint64(count))
    _try_put = _bare(_lib._pydll, "weft_queue_try_put")
    _try_get = _bare(_lib._pydll, "weft_queue_try_get")
    _put = _bare(_lib._cdll, "weft_queue_put")   # GIL released
    _get = _bare(_lib._cdll, "weft_queue_get")   # GIL released

    def queue_try_put(queue, item, priority):
        return _try_put(queue, c_void_p(item), c_int64(priority))

    def queue_try_get(queue):
        out = c_void_p()
        st = _try_get(queue, byref(out))
        return (out.value or 0) if st == _lib.OK else -st

    def queue_put(queue, item, priority, timeout_ns):
        st = _try_put(queue, c_void_p(item), c_int64(priority))
        if st == _lib.WOULD_BLOCK and timeout_ns != 0:
            st = _put(queue, c_void_p(item), c_int64(priority), c_int64(timeout_ns))
        return st

    def queue_get(queue, timeout_ns):
        out = c_void_p()
        st = _try_get(queue, byref(out))
        if st == _lib.WOULD_BLOCK and timeout_ns != 0:
            st = _get(queue, byref(out), c_int64(timeout_ns))
        return (out.value or 0) if st == _lib.OK else -st

NULL_HANDLE = handle_value(0)
NO_TOKEN = token_value(0)
ZERO_NS = 0 if _speedups is not None else c_int64(0)
