"""weft.threading and weft.queue as drop-in replacements for threading's locks and queue.

Run: WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
     python3 examples/python/drop_in_stdlib.py
"""

import threading

import weft.queue as queue
import weft.threading as wthreading


def main():
    q = queue.Queue(maxsize=8)
    cond = wthreading.Condition()
    results = []
    barrier = wthreading.Barrier(3, action=lambda: print("all workers ready"))

    def worker():
        barrier.wait()
        while True:
            item = q.get()
            if item is None:
                q.task_done()
                return
            with cond:
                results.append(item * item)
                cond.notify_all()
            q.task_done()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    barrier.wait()
    for i in range(100):
        q.put(i)
    with cond:
        cond.wait_for(lambda: len(results) == 100, timeout=10)
    for _ in threads:
        q.put(None)
    q.join()
    for t in threads:
        t.join()
    q.shutdown()
    print("sum of squares:", sum(results))
    assert sum(results) == sum(i * i for i in range(100))


if __name__ == "__main__":
    main()
