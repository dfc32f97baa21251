"""Scope `primitives`: asyncio Queue, Lock and Event throughput, n operations per run.

Variants mirror bench/scenarios/primitives.ts: py-queue-1p1c (unbounded), py-queue-bounded
(maxsize 16), py-queue-nowait (put_nowait x 1000 then get_nowait x 1000, repeated), py-lock
(uncontended), py-lock-16 (16 tasks, each holding the lock across one `sleep(0)`, the only way to
yield in asyncio), py-event-pingpong.
"""

import asyncio
import time

from _harness import expect_equal, run_scenario

CONTENDERS = 16
BATCH = 1000


async def producer_consumer(n, q):
    async def producer():
        for i in range(n):
            await q.put(i)

    async def consumer():
        total = 0
        for _ in range(n):
            total += await q.get()
        return total

    t0 = time.perf_counter()
    _, total = await asyncio.gather(producer(), consumer())
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("sum of items", total, n * (n - 1) // 2)
    return {"ms": ms}


async def queue_1p1c(n):
    return await producer_consumer(n, asyncio.Queue())


async def queue_bounded(n):
    return await producer_consumer(n, asyncio.Queue(16))


async def queue_nowait(n):
    q = asyncio.Queue()
    total = 0
    t0 = time.perf_counter()
    for done in range(0, n, BATCH):
        k = min(BATCH, n - done)
        for i in range(k):
            q.put_nowait(done + i)
        for _ in range(k):
            total += q.get_nowait()
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("sum of items", total, n * (n - 1) // 2)
    return {"ms": ms}


async def lock_uncontended(n):
    lock = asyncio.Lock()
    t0 = time.perf_counter()
    for _ in range(n):
        await lock.acquire()
        lock.release()
    return {"ms": (time.perf_counter() - t0) * 1000}


async def lock_contended(n):
    lock = asyncio.Lock()
    state = {"counter": 0, "left": n}
    per_task = -(-n // CONTENDERS)

    async def worker():
        for _ in range(per_task):
            if state["left"] <= 0:
                return
            state["left"] -= 1
            async with lock:
                state["counter"] += 1
                await asyncio.sleep(0)

    t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(CONTENDERS)])
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("critical sections run", state["counter"], n)
    return {"ms": ms}


async def event_pingpong(n):
    a, b = asyncio.Event(), asyncio.Event()
    rounds = 0

    async def ping():
        for _ in range(n):
            a.set()
            await b.wait()
            b.clear()

    async def pong():
        nonlocal rounds
        for _ in range(n):
            await a.wait()
            a.clear()
            rounds += 1
            b.set()

    t0 = time.perf_counter()
    await asyncio.gather(ping(), pong())
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("rounds", rounds, n)
    return {"ms": ms}


run_scenario(
    "primitives",
    {
        "py-queue-1p1c": queue_1p1c,
        "py-queue-bounded": queue_bounded,
        "py-queue-nowait": queue_nowait,
        "py-lock": lock_uncontended,
        "py-lock-16": lock_contended,
        "py-event-pingpong": event_pingpong,
    },
    warmup=0.1,
)
