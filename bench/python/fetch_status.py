"""The seed's aiohttp `fetch_status` (asyncio-basics.txt, "python 3.9 之后版本的asyncio 使用最佳实践")
over many URLs, for bench/scenarios/cli.ts against `tsio status`.

    /usr/bin/python3 bench/python/fetch_status.py URL_FILE CONCURRENCY per-fetch|shared

per-fetch: the seed's code as written, one ClientSession per fetch. shared: one ClientSession for
every fetch (aiohttp's advice). Both: one task per URL (`create_task`), at most CONCURRENCY in
flight (an asyncio.Semaphore; the seed has two URLs and no bound), results printed as they
complete (`as_completed`, the seed's third way). Needs aiohttp (Debian's python3-aiohttp).
"""

import asyncio
import sys
from asyncio import Task

import aiohttp


# ---- the seed's code, verbatim ----
async def fetch_status(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            status = response.status
            return {"status": status, "url": url}
# ---- end of the seed's code ----


async def fetch_status_shared(session: aiohttp.ClientSession, url: str) -> dict:
    async with session.get(url) as response:
        status = response.status
        return {"status": status, "url": url}


async def main(urls: list, concurrency: int, variant: str) -> None:
    semaphore = asyncio.Semaphore(concurrency)
    # aiohttp's own connection limit (100 by default) must not be the bound: the semaphore is.
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as shared:

        async def bounded(url: str) -> dict:
            async with semaphore:
                if variant == "shared":
                    return await fetch_status_shared(shared, url)
                return await fetch_status(url)

        tasks: list[Task] = [asyncio.create_task(bounded(url)) for url in urls]
        for future in asyncio.as_completed(tasks):
            result = await future
            print(result)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[3] not in ("per-fetch", "shared"):
        sys.stderr.write(f"usage: {sys.argv[0]} URL_FILE CONCURRENCY per-fetch|shared\n")
        sys.exit(2)
    with open(sys.argv[1]) as f:
        urls = [line.strip() for line in f if line.strip()]
    asyncio.run(main(urls, int(sys.argv[2]), sys.argv[3]))
