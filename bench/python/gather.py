"""Scope `gather`: n trivial coroutines gathered at once.

Variants: py-gather-coros (`gather(*[f() for ...])`), py-gather-tasks (`create_task` each first).
"""

import asyncio
import time

from _harness import expect_equal, run_scenario


async def f():
    return 1


async def gather_coros(n):
    t0 = time.perf_counter()
    results = await asyncio.gather(*[f() for _ in range(n)])
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("len(results)", len(results), n)
    return {"ms": ms}


async def gather_tasks(n):
    t0 = time.perf_counter()
    results = await asyncio.gather(*[asyncio.create_task(f()) for _ in range(n)])
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("len(results)", len(results), n)
    return {"ms": ms}


run_scenario("gather", {"py-gather-coros": gather_coros, "py-gather-tasks": gather_tasks})
