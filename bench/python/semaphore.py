"""Scope `semaphore`: n trivial work items, at most 16 in flight.

Variants: py-sem-gather (`Semaphore(16)` + gather, the usual form), py-runners (16 tasks pulling
from one iterator).
"""

import asyncio
import time

from _harness import expect_equal, run_scenario

LIMIT = 16


async def work(i):
    return i


async def sem_gather(n):
    sem = asyncio.Semaphore(LIMIT)

    async def bounded(i):
        async with sem:
            return await work(i)

    t0 = time.perf_counter()
    results = await asyncio.gather(*[bounded(i) for i in range(n)])
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("sum(results)", sum(results), n * (n - 1) // 2)
    return {"ms": ms}


async def runners(n):
    results = [None] * n
    items = iter(range(n))

    async def runner():
        for i in items:
            results[i] = await work(i)

    t0 = time.perf_counter()
    await asyncio.gather(*[asyncio.create_task(runner()) for _ in range(LIMIT)])
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("sum(results)", sum(results), n * (n - 1) // 2)
    return {"ms": ms}


run_scenario("semaphore", {"py-sem-gather": sem_gather, "py-runners": runners})
