"""aiologic's second example, with weft: waiting on a semaphore from asyncio with a zero
timeout, eight times. With threading.Semaphore through run_in_executor this leaks eight
blocked threads and hangs at exit; a weft semaphore waits on the loop itself, and each
timed-out wait is cancelled cleanly: no thread, no permit, no waiter left behind.

Run: WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
     python3 examples/python/seed_no_thread_leak.py
"""

import asyncio
import threading

import weft

semaphore = weft.Semaphore(0)


async def main():
    for _ in range(8):
        try:
            await asyncio.wait_for(semaphore.async_acquire(), 0)
        except asyncio.TimeoutError:
            pass


def run():
    before = threading.active_count()
    print("active threads:", before)
    asyncio.run(main())
    after = threading.active_count()
    print("active threads:", after)  # the same: no thread leak
    assert after == before, (before, after)
    assert semaphore.waiting == 0, semaphore.waiting  # every cancelled wait left the line
    semaphore.release()  # and the semaphore still works
    assert semaphore.green_acquire(timeout=1)
    print("ok: no thread leaked, no waiter left, no permit lost")


if __name__ == "__main__":
    run()
