"""Benchmarks of the Python binding against the stdlib, aiologic, janus and culsans.

    WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
        python3 bindings/python/bench.py [--quick] [--locks | --queues | --loops | --handoff]

Each figure is the best of 3 runs, in nanoseconds per operation (lock: one acquire +
release; queue: one item from producer to consumer).
"""

import asyncio
import os
import platform
import queue as stdqueue
import sys
import threading
import time
from os import sched_yield

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import weft  # noqa: E402
import weft.queue as wq  # noqa: E402
import weft.threading as wt  # noqa: E402

try:
    import aiologic
except ImportError:
    aiologic = None
try:
    import janus
except ImportError:
    janus = None
try:
    import culsans
except ImportError:
    culsans = None

QUICK = "--quick" in sys.argv
N_LOCK = 20_000 if QUICK else 200_000
N_Q = 10_000 if QUICK else 100_000
MAXSIZE = 64


def best(fn, n, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - t0)
    return min(times) / n * 1e9


# ---------------------------------------------------------------------------- locks
def lock_loop(acquire, release):
    def run(n):
        for _ in range(n):
            acquire()
            release()
    return run


def lock_with(lock):
    def run(n):
        for _ in range(n):
            with lock:
                pass
    return run


def contended(make_run, threads=2):
    def run(n):
        ts = [threading.Thread(target=make_run, args=(n // threads,)) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return run


def bench_locks():
    rows = []
    cases = [("threading.Lock", threading.Lock()),
             ("weft.threading.Lock", wt.Lock()),
             ("threading.RLock", threading.RLock()),
             ("weft.threading.RLock", wt.RLock()),
             ("weft.Lock (green)", weft.Lock())]
    if aiologic:
        cases.append(("aiologic.Lock (green)", aiologic.Lock()))
    for name, lock in cases:
        unc = best(lock_with(lock), N_LOCK)
        con = best(contended(lock_with(lock)), N_LOCK)
        rows.append((name, unc, con))
    return rows


def bench_fifo_handoff(threads=2, repeat=5):
    """What FIFO costs under the GIL: two threads run `with lock: owners.append(me);
    os.sched_yield()` (the GIL let go inside the critical section, as I/O under a lock
    does, so the other thread gets to wait for the lock); a *handoff* is an entry whose thread
    differs from the previous one. A FIFO lock hands itself to the waiter at each
    release: the owner changes (a sleeping thread must be woken and take the GIL) at every
    release; a barging lock (threading.Lock, weft's LOCK_THROUGHPUT) lets the running
    thread take it again. Every run counts: returns rows (name, one-thread ns/op, median ns/op,
    median handoffs per 1000 ops, ns per handoff), where ns per handoff is the time all runs
    spent above the same loop in one thread, divided by all their handoffs."""
    cases = [("threading.Lock", threading.Lock),
             ("weft.threading.Lock (FIFO, the default)", lambda: wt.Lock(weft._lib.LOCK_FIFO)),
             ("weft.threading.Lock (LOCK_THROUGHPUT)",
              lambda: wt.Lock(weft._lib.LOCK_THROUGHPUT))]
    rows = []
    for name, make in cases:
        lock = make()

        def run(n, owners, lock=lock):
            me = threading.get_ident()
            append = owners.append
            for _ in range(n):
                with lock:
                    append(me)
                    sched_yield()
        alone = best(lambda n: run(n, []), N_LOCK)
        times, rates, extra, total_handoffs = [], [], 0.0, 0
        for _ in range(repeat):
            owners = []
            t0 = time.perf_counter()
            contended(lambda n: run(n, owners), threads)(N_LOCK)
            per_op = (time.perf_counter() - t0) / N_LOCK * 1e9
            handoffs = sum(1 for a, b in zip(owners, owners[1:]) if a != b)
            times.append(per_op)
            rates.append(handoffs * 1000 / len(owners))
            extra += (per_op - alone) * len(owners)
            total_handoffs += handoffs
        per_handoff = extra / total_handoffs if total_handoffs else float("nan")
        rows.append((name, alone, sorted(times)[repeat // 2], sorted(rates)[repeat // 2],
                     per_handoff))
    return rows


def print_fifo_handoff():
    print("| lock | 1 thread ns/op | 2 threads ns/op (median of 5) "
          "| handoffs per 1000 ops (median) | ns per handoff (all runs) |")
    print("|---|---:|---:|---:|---:|")
    for name, alone, v, h, per in bench_fifo_handoff():
        print(f"| {name} | {alone:.0f} | {v:.0f} | {h:.1f} | {per:.0f} |")


# --------------------------------------------------------------------- thread→thread
def handoff(put, get, n):
    def producer():
        for i in range(n):
            put(i)

    t = threading.Thread(target=producer)
    t.start()
    for _ in range(n):
        get()
    t.join()


def bench_thread_queues():
    rows = []
    cases = [("queue.Queue", lambda: stdqueue.Queue(MAXSIZE), "put", "get"),
             ("weft.queue.Queue", lambda: wq.Queue(MAXSIZE), "put", "get"),
             ("weft.Queue (green)", lambda: weft.Queue(MAXSIZE), "green_put", "green_get")]
    if aiologic:
        cases.append(("aiologic.Queue (green)", lambda: aiologic.Queue(MAXSIZE),
                      "green_put", "green_get"))
    for name, make, p, g in cases:
        def run(n, make=make, p=p, g=g):
            q = make()
            handoff(getattr(q, p), getattr(q, g), n)
        rows.append((name, best(run, N_Q)))

    def batched(n, batch=64):
        q = wq.Queue(MAXSIZE)

        def producer():
            for i in range(0, n, batch):
                q.put_many(range(i, min(i + batch, n)))

        t = threading.Thread(target=producer)
        t.start()
        got = 0
        while got < n:
            got += len(q.get_many(batch))
        t.join()
    rows.append(("weft.queue.Queue put_many/get_many (batches of 64)", best(batched, N_Q)))
    return rows


# -------------------------------------------------------------------- thread→asyncio
def bench_thread_to_asyncio():
    rows = []

    def weft_case(n):
        async def main():
            q = weft.Queue(MAXSIZE)
            t = threading.Thread(target=lambda: [q.green_put(i) for i in range(n)])
            t.start()
            for _ in range(n):
                await q.async_get()
            t.join()
        asyncio.run(main())
    rows.append(("weft.Queue (green_put → async_get)", best(weft_case, N_Q)))

    if aiologic:
        def aio_case(n):
            async def main():
                q = aiologic.Queue(MAXSIZE)
                t = threading.Thread(target=lambda: [q.green_put(i) for i in range(n)])
                t.start()
                for _ in range(n):
                    await q.async_get()
                t.join()
            asyncio.run(main())
        rows.append(("aiologic.Queue (green_put → async_get)", best(aio_case, N_Q)))

    if janus:
        def janus_case(n):
            async def main():
                q = janus.Queue(MAXSIZE)
                t = threading.Thread(target=lambda: [q.sync_q.put(i) for i in range(n)])
                t.start()
                for _ in range(n):
                    await q.async_q.get()
                t.join()
                q.close()
                await q.wait_closed()
            asyncio.run(main())
        rows.append(("janus.Queue (sync_q.put → async_q.get)", best(janus_case, N_Q)))

    if culsans:
        def culsans_case(n):
            async def main():
                q = culsans.Queue(MAXSIZE)
                t = threading.Thread(target=lambda: [q.sync_q.put(i) for i in range(n)])
                t.start()
                for _ in range(n):
                    await q.async_q.get()
                t.join()
            asyncio.run(main())
        rows.append(("culsans.Queue (sync_q.put → async_q.get)", best(culsans_case, N_Q)))
    return rows


# -------------------------------------------------------------------- asyncio→thread
def bench_asyncio_to_thread():
    """The other direction: an asyncio task's async put, a thread's blocking get (the
    task waits for room whenever the thread falls behind)."""
    def case(make, aput, tget):
        def run(n):
            async def main():
                q = make()
                t = threading.Thread(target=lambda: [tget(q) for _ in range(n)])
                t.start()
                for i in range(n):
                    await aput(q, i)
                t.join()
                if janus and isinstance(q, janus.Queue):
                    q.close()
                    await q.wait_closed()
            asyncio.run(main())
        return run
    cases = [("weft.Queue (async_put → green_get)", lambda: weft.Queue(MAXSIZE),
              lambda q, i: q.async_put(i), lambda q: q.green_get())]
    if aiologic:
        cases.append(("aiologic.Queue (async_put → green_get)", lambda: aiologic.Queue(MAXSIZE),
                      lambda q, i: q.async_put(i), lambda q: q.green_get()))
    if janus:
        cases.append(("janus.Queue (async_q.put → sync_q.get)", lambda: janus.Queue(MAXSIZE),
                      lambda q, i: q.async_q.put(i), lambda q: q.sync_q.get()))
    if culsans:
        cases.append(("culsans.Queue (async_q.put → sync_q.get)",
                      lambda: culsans.Queue(MAXSIZE), lambda q, i: q.async_q.put(i),
                      lambda q: q.sync_q.get()))
    return [(name, best(case(*fns), N_Q)) for name, *fns in cases]


# ------------------------------------------------------------ thread→trio / anyio
def bench_thread_to_trio_and_anyio():
    """The thread → task handoff under trio and anyio (both backends): weft and aiologic
    (the peers that support these loops)."""
    import anyio
    import trio
    runners = [("trio", trio.run),
               ("anyio (asyncio)", lambda m: anyio.run(m, backend="asyncio")),
               ("anyio (trio)", lambda m: anyio.run(m, backend="trio"))]
    libs = [("weft", weft)] + ([("aiologic", aiologic)] if aiologic else [])
    rows = []
    for loop_name, run in runners:
        for lib_name, lib in libs:
            def case(n, lib=lib, run=run):
                async def main():
                    q = lib.Queue(MAXSIZE)
                    t = threading.Thread(target=lambda: [q.green_put(i) for i in range(n)])
                    t.start()
                    for _ in range(n):
                        await q.async_get()
                    t.join()
                run(main)
            case(1000)  # warm-up: the first run of a loop in a process pays its set-up
            rows.append((f"{lib_name}.Queue (green_put → async_get), {loop_name}",
                         best(case, N_Q)))
    return rows


def print_loops_table():
    print("| queue, loop | ns/item |")
    print("|---|---:|")
    for name, v in bench_thread_to_trio_and_anyio():
        print(f"| {name} | {v:.0f} |")


def main():
    if "--loops" in sys.argv:  # only the thread → trio / anyio table
        print_loops_table()
        return
    if "--locks" in sys.argv:  # only the lock table
        print(f"# the hot calls: {weft._hot.active}")
        print("| lock | 1 thread | 2 threads contending |")
        print("|---|---:|---:|")
        for name, unc, con in bench_locks():
            print(f"| {name} | {unc:.0f} | {con:.0f} |")
        return
    if "--handoff" in sys.argv:  # only the FIFO handoff table
        print_fifo_handoff()
        return
    if "--queues" in sys.argv:  # only the thread → thread queue table
        for name, v in bench_thread_queues():
            print(f"| {name} | {v:.0f} |")
        return
    print(f"# Python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPUs; libweft: {weft.load_path}")
    print(f"# N_LOCK={N_LOCK} N_QUEUE={N_Q} maxsize={MAXSIZE}; ns/op, best of 3\n")
    print("## Lock: `with lock: pass`\n")
    print("| lock | 1 thread | 2 threads contending |")
    print("|---|---:|---:|")
    for name, unc, con in bench_locks():
        print(f"| {name} | {unc:.0f} | {con:.0f} |")
    print("\n## FIFO handoff under the GIL: `with lock: owners.append(me)`, 2 threads\n")
    print_fifo_handoff()
    print("\n## Queue handoff thread → thread (bounded, maxsize 64)\n")
    print("| queue | ns/item |")
    print("|---|---:|")
    for name, v in bench_thread_queues():
        print(f"| {name} | {v:.0f} |")
    print("\n## Queue handoff thread → asyncio task (bounded, maxsize 64)\n")
    print("| queue | ns/item |")
    print("|---|---:|")
    for name, v in bench_thread_to_asyncio():
        print(f"| {name} | {v:.0f} |")
    print("\n## Queue handoff asyncio task → thread (bounded, maxsize 64)\n")
    print("| queue | ns/item |")
    print("|---|---:|")
    for name, v in bench_asyncio_to_thread():
        print(f"| {name} | {v:.0f} |")
    print("\n## Queue handoff thread → trio / anyio task (bounded, maxsize 64)\n")
    print_loops_table()


if __name__ == "__main__":
    main()
