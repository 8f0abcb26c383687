"""A trio task and a thread wait on the same weft event and take turns on one semaphore.

Run: WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
     python3 examples/python/trio_and_threads.py
"""

import threading

import trio

import weft

start = weft.Event()
sem = weft.Semaphore(1)
log = []


def thread_side():
    start.green_wait()
    for i in range(3):
        with sem:
            log.append(f"thread {i}")


async def main():
    t = threading.Thread(target=thread_side)
    t.start()
    start.set()
    for i in range(3):
        async with sem:
            log.append(f"task {i}")
            await trio.sleep(0.01)
    await trio.to_thread.run_sync(t.join)
    print("\n".join(log))
    assert len(log) == 6


if __name__ == "__main__":
    trio.run(main)
