"""Scope `scale`: the memory a pending asyncio task costs.

Variant: py-pending-memory (n tasks, each waiting on one shared Event; RSS delta per task after
gc.collect(), the list holding the tasks included).
"""

import asyncio
import gc
import os
import time

from _harness import expect_equal, run_scenario

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


async def pending_memory(n):
    event = asyncio.Event()

    async def body():
        await event.wait()
        return 1

    gc.collect()
    before = rss_bytes()
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(body()) for _ in range(n)]
    await asyncio.sleep(0)  # every task runs up to event.wait()
    create_ms = (time.perf_counter() - t0) * 1000
    gc.collect()
    after = rss_bytes()
    event.set()
    results = await asyncio.gather(*tasks)
    ms = (time.perf_counter() - t0) * 1000
    expect_equal("len(results)", len(results), n)
    return {"ms": ms, "createMs": create_ms, "rssPerTask": (after - before) / n}


run_scenario("scale", {"py-pending-memory": pending_memory})
