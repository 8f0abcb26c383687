"""Worker threads feed an asyncio task through one weft queue, and share one lock with it.

Run: WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
     python3 examples/python/threads_to_asyncio.py
"""

import asyncio
import threading

import weft

queue = weft.Queue(16)          # bounded: fast producers wait for the loop
lock = weft.Lock()              # owned by a thread or by a task
totals = {"threads": 0, "task": 0}


def worker(n):
    for i in range(n):
        queue.green_put(i)      # blocks this thread (GIL released) while full
        with lock:
            totals["threads"] += 1
    queue.green_put(None)


async def main(workers=4, n=1000):
    threads = [threading.Thread(target=worker, args=(n,)) for _ in range(workers)]
    for t in threads:
        t.start()
    done = got = 0
    while done < workers:
        item = await queue.async_get()   # completes through the loop's weft port
        if item is None:
            done += 1
            continue
        got += 1
        async with lock:                 # the same lock, from the loop
            totals["task"] += 1
    for t in threads:
        t.join()
    print(f"got {got} items; {totals}")
    assert got == workers * n == totals["threads"] == totals["task"]


if __name__ == "__main__":
    asyncio.run(main())
