"""Sharing one weft object between Python and C code.

`obj.handle` is the raw `weft_* *` pointer (an int) to hand to C; C takes its own
reference with `weft_*_clone` if it keeps it. `Cls.from_handle(ptr)` wraps a pointer that
came from C (taking a reference of its own). Here the "C side" is libweft called directly
through ctypes from plain threads, exactly the calls a C library would make.

Run: WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
     python3 examples/python/share_with_c.py
"""

import asyncio
import ctypes
import threading
import time

import weft
from weft import _lib

libweft = ctypes.CDLL(_lib.load_path)
vp, i64 = ctypes.c_void_p, ctypes.c_int64
libweft.weft_sem_clone.argtypes = [vp]
libweft.weft_sem_free.argtypes = [vp]
libweft.weft_sem_acquire.argtypes = [vp, i64]
libweft.weft_sem_release.argtypes = [vp, ctypes.c_uint64]
libweft.weft_event_new.argtypes = [ctypes.c_uint32, ctypes.POINTER(vp)]
libweft.weft_event_set.argtypes = [vp, vp]
libweft.weft_event_free.argtypes = [vp]


def c_worker(sem_ptr, active, peak, guard):
    """What a C thread does with a `weft_sem *` it was given."""
    sem = vp(sem_ptr)
    libweft.weft_sem_clone(sem)                  # its own reference
    for _ in range(50):
        libweft.weft_sem_acquire(sem, -1)        # WEFT_FOREVER, GIL released
        with guard:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.001)                        # hold it a while
        with guard:
            active[0] -= 1
        libweft.weft_sem_release(sem, 1)
    libweft.weft_sem_free(sem)


async def main():
    sem = weft.Semaphore(2)                      # at most two holders, C or Python
    active, peak, guard = [0], [0], threading.Lock()
    threads = [threading.Thread(target=c_worker, args=(sem.handle, active, peak, guard))
               for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(50):
        async with sem:                          # the asyncio side of the same semaphore
            with guard:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            await asyncio.sleep(0.001)
            with guard:
                active[0] -= 1
    for t in threads:
        t.join()
    print("peak holders:", peak[0])
    assert peak[0] <= 2

    # and the other way: an event created by "C", waited on by Python
    ev_ptr = vp()
    assert libweft.weft_event_new(1, ctypes.byref(ev_ptr)) == 0   # WEFT_EVENT_REUSABLE
    ev = weft.REvent.from_handle(ev_ptr.value)                     # Python's own reference
    threading.Timer(0.05, libweft.weft_event_set, args=(ev_ptr, None)).start()
    assert await ev.async_wait(timeout=5)
    libweft.weft_event_free(ev_ptr)                                # C drops its reference
    print("event set by C seen by asyncio:", ev.is_set())
    ev.close()


if __name__ == "__main__":
    asyncio.run(main())
