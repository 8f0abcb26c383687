"""The thread ↔ asyncio queue handoff against culsans and janus, robust to a noisy machine.

    WEFT_LIBRARY=target/release/libweft.so PYTHONPATH=bindings/python \
        python3 bindings/python/bench_async.py [--rounds N] [--pieces]

bench.py's two handoff tables (thread → asyncio task, asyncio task → thread; bounded,
maxsize 64; best of 3 per case, ns per item) run ``--rounds`` times (default 9), every
case in turn, so that weft and its peers meet the same load; printed: each row's median
and best, and for weft against each peer the median of the per-round ratios and in how
many rounds weft was faster. ``--pieces``: instead, ns per call of the pieces of the
handoff (an async get or put that completes at once, a thread's put with no waiter),
weft against culsans.
"""

import asyncio
import statistics
import sys
import time

import bench  # noqa: E402  (bench.py beside this file: same cases, same peers)

weft = bench.weft
culsans = bench.culsans


def _rounds():
    if "--rounds" in sys.argv:
        return int(sys.argv[sys.argv.index("--rounds") + 1])
    return 9


def handoff_rounds(rounds):
    rows = {}
    for _ in range(rounds):
        for name, v in bench.bench_thread_to_asyncio() + bench.bench_asyncio_to_thread():
            rows.setdefault(name, []).append(v)
    print("| queue | median ns/item | best ns/item |")
    print("|---|---:|---:|")
    for name, vs in rows.items():
        print(f"| {name} | {statistics.median(vs):.0f} | {min(vs):.0f} |")
    print()
    print("| weft against | median ratio | rounds weft faster |")
    print("|---|---:|---:|")
    for name, vs in rows.items():
        if name.startswith("weft.") or name.startswith("aiologic."):
            continue
        mine = "weft.Queue (green_put → async_get)" if "async_q.get" in name \
            else "weft.Queue (async_put → green_get)"
        ratios = [w / p for w, p in zip(rows[mine], vs)]
        print(f"| {name} | {statistics.median(ratios):.2f}× | "
              f"{sum(r < 1 for r in ratios)}/{len(ratios)} |")


def _per_call(fn, n):
    return min(fn(n) for _ in range(3)) / n * 1e9


def pieces():
    n = bench.N_Q

    async def ready_get(make, fill, get, n):
        q = make(n + 1)
        for i in range(n):
            fill(q, i)
        t0 = time.perf_counter()
        for _ in range(n):
            await get(q)
        return time.perf_counter() - t0

    async def ready_put(make, put, n):
        q = make(n + 1)
        t0 = time.perf_counter()
        for i in range(n):
            await put(q, i)
        return time.perf_counter() - t0

    async def thread_put(make, put, n):  # from the loop's thread: no waiter to wake
        q = make(n + 1)
        t0 = time.perf_counter()
        for i in range(n):
            put(q, i)
        return time.perf_counter() - t0

    cases = [
        ("weft `await q.async_get()`, item there", lambda k: asyncio.run(ready_get(
            weft.Queue, lambda q, i: q.green_put(i), lambda q: q.async_get(), k))),
        ("culsans `await q.async_q.get()`, item there", lambda k: asyncio.run(ready_get(
            culsans.Queue, lambda q, i: q.sync_q.put(i), lambda q: q.async_q.get(), k))),
        ("weft `await q.async_put(x)`, room there", lambda k: asyncio.run(ready_put(
            weft.Queue, lambda q, i: q.async_put(i), k))),
        ("culsans `await q.async_q.put(x)`, room there", lambda k: asyncio.run(ready_put(
            culsans.Queue, lambda q, i: q.async_q.put(i), k))),
        ("weft `q.green_put(x)`, no waiter", lambda k: asyncio.run(thread_put(
            weft.Queue, lambda q, i: q.green_put(i), k))),
        ("culsans `q.sync_q.put(x)`, no waiter", lambda k: asyncio.run(thread_put(
            culsans.Queue, lambda q, i: q.sync_q.put(i), k))),
    ]
    print("| piece | ns/call |")
    print("|---|---:|")
    for name, fn in cases:
        print(f"| {name} | {_per_call(fn, n):.0f} |")


def main():
    if culsans is None or bench.janus is None:
        sys.exit("bench_async.py compares against culsans and janus: pip install them")
    if "--pieces" in sys.argv:
        pieces()
    else:
        handoff_rounds(_rounds())


if __name__ == "__main__":
    main()
