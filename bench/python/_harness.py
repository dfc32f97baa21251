"""The Python side of the benchmark: the same protocol as bench/scenarios/harness.ts.

`python3 bench/python/<scenario>.py <variant> <n>` warms the variant up once at a small size in
the same event loop, runs it once at full size, and prints one JSON line:
{"scenario", "variant", "n", "ms", ...extra, "maxRssKB"}.
"""

import asyncio
import json
import resource
import sys


def warmup_size(n, fraction):
    return min(n, max(100, int(n * fraction)))


def run_scenario(scenario, variants, warmup=0.01):
    if len(sys.argv) != 3 or sys.argv[1] not in variants or not sys.argv[2].isdigit():
        sys.stderr.write(
            f"usage: python3 {sys.argv[0]} <variant> <n>\nvariants: {', '.join(variants)}\n"
        )
        sys.exit(2)
    name, n = sys.argv[1], int(sys.argv[2])
    variant = variants[name]

    async def main():
        await variant(warmup_size(n, warmup))
        return await variant(n)

    measured = asyncio.run(main())
    line = {"scenario": scenario, "variant": name, "n": n, **measured}
    line["maxRssKB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(json.dumps(line) + "\n")


def expect_equal(what, actual, expected):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected}, got {actual}")
