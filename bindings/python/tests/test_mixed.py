"""One lock shared by "C" threads and an asyncio task: the threads call libweft directly
through ctypes with the raw handle (as a C thread would: weft_lock_acquire /
weft_lock_release as the calling thread, its own reference via weft_lock_clone), while
an asyncio task uses weft.Lock's async face on the same handle."""

import asyncio
import ctypes
import threading

import weft
from weft import _lib


def c_thread(handle_int, n, counter, errors):
    # what C code would do with a weft_lock * it was given
    libweft = ctypes.CDLL(_lib.load_path)
    for name in ("weft_lock_clone", "weft_lock_free", "weft_lock_release"):
        getattr(libweft, name).argtypes = [ctypes.c_void_p]
    libweft.weft_lock_acquire.argtypes = [ctypes.c_void_p, ctypes.c_int64]
    lock = ctypes.c_void_p(handle_int)
    assert libweft.weft_lock_clone(lock) == 0
    try:
        for _ in range(n):
            st = libweft.weft_lock_acquire(lock, -1)
            if st != 0:
                errors.append(st)
                return
            v = counter[0]
            counter[0] = v + 1
            if libweft.weft_lock_release(lock) != 0:
                errors.append("release")
    finally:
        libweft.weft_lock_free(lock)


def test_c_threads_and_an_asyncio_task_share_one_lock():
    lock = weft.Lock()
    counter = [0]
    errors = []
    n = 3000

    async def task():
        for _ in range(n):
            async with lock:
                v = counter[0]
                await asyncio.sleep(0)  # yield while holding: the threads must wait
                counter[0] = v + 1

    threads = [threading.Thread(target=c_thread, args=(lock.handle, n, counter, errors))
               for _ in range(2)]
    for t in threads:
        t.start()
    asyncio.run(task())
    for t in threads:
        t.join()
    assert errors == []
    assert counter[0] == 3 * n
    assert not lock.locked()


def test_green_and_async_on_one_condition():
    cond = weft.Condition(weft.Lock())
    items = []

    def producer():
        for i in range(100):
            with cond:
                items.append(i)
                cond.notify()

    async def consumer():
        got = []
        t = threading.Thread(target=producer)
        t.start()
        while len(got) < 100:
            async with cond:
                await cond.for_(lambda: items, timeout=5)
                got.extend(items)
                items.clear()
        t.join()
        return got

    assert asyncio.run(consumer()) == list(range(100))
