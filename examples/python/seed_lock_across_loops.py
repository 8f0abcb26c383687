"""aiologic's first example, with weft: two threads, each running its own anyio event loop
with two tasks, share one lock. Every task gets it in turn; no loop blocks (with anyio's
own Lock this raises RuntimeError, with threading.Lock it deadlocks).

Run: WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
     python3 examples/python/seed_lock_across_loops.py
"""

import threading
import time

import anyio

from weft import Lock

HOLD = 0.2  # seconds each task holds the lock (aiologic's example: 1)

lock = Lock()
events = []  # (time, "started"/"stopped", thread, task), appended under the GIL
holders = []  # who holds the lock now (never more than one)


async def func(i, j):
    print(f"started thread={i} task={j}", flush=True)
    events.append((time.monotonic(), "started", i, j))

    async with lock:
        holders.append((i, j))
        assert len(holders) == 1, ("two tasks hold the lock at once", holders)
        await anyio.sleep(HOLD)
        holders.remove((i, j))

    print(f"stopped thread={i} task={j}", flush=True)
    events.append((time.monotonic(), "stopped", i, j))


async def main(i):
    async with anyio.create_task_group() as tasks:
        for j in range(2):
            tasks.start_soon(func, i, j)


def run():
    threads = [threading.Thread(target=anyio.run, args=[main, i]) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stops = sorted(t for t, what, _, _ in events if what == "stopped")
    assert len(stops) == 4, events  # every task got the lock (a failed assert shows here)
    print("ok: 4 tasks on 2 event loops in 2 threads took one lock in turn")


if __name__ == "__main__":
    run()
