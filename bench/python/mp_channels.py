"""Scope `channels`: multiprocessing.Queue and multiprocessing.Pipe, the seed's reference point.

Variants mirror bench/scenarios/channels.ts: one producer Process sends n messages
{"i": i, "v": "x"} and then None to one consumer Process, which counts them, sums "i" and puts
(count, sum) on a result queue.
- py-mp-queue: through a multiprocessing.Queue() (pickled by the producer's feeder thread).
- py-mp-pipe: through a multiprocessing.Pipe(duplex=False) (send / recv).

Both processes are started (the default start method: fork on Linux) and report ready before the
timing; ms runs from setting the producer's go Event to the consumer's result arriving. Both
processes are joined (exit code 0) before the variant returns.
"""

import multiprocessing as mp
import time

from _harness import expect_equal, run_scenario


def queue_producer(q, ready, go, n):
    ready.put("producer")
    go.wait()
    for i in range(n):
        q.put({"i": i, "v": "x"})
    q.put(None)


def queue_consumer(q, ready, result):
    ready.put("consumer")
    count = total = 0
    while True:
        m = q.get()
        if m is None:
            break
        count += 1
        total += m["i"]
    result.put((count, total))


def pipe_producer(conn, ready, go, n):
    ready.put("producer")
    go.wait()
    for i in range(n):
        conn.send({"i": i, "v": "x"})
    conn.send(None)
    conn.close()


def pipe_consumer(conn, ready, result):
    ready.put("consumer")
    count = total = 0
    while True:
        m = conn.recv()
        if m is None:
            break
        count += 1
        total += m["i"]
    result.put((count, total))


def transfer(n, producer_args, consumer_args, producer, consumer, close_in_parent=()):
    ready, result, go = mp.Queue(), mp.Queue(), mp.Event()
    procs = [
        mp.Process(target=producer, args=(*producer_args, ready, go, n)),
        mp.Process(target=consumer, args=(*consumer_args, ready, result)),
    ]
    for p in procs:
        p.start()
    for c in close_in_parent:
        c.close()
    try:
        started = sorted([ready.get(timeout=60), ready.get(timeout=60)])
        expect_equal("processes ready", started, ["consumer", "producer"])
        t0 = time.perf_counter()
        go.set()
        count, total = result.get(timeout=150)
        ms = (time.perf_counter() - t0) * 1000
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.exitcode is None:
                p.kill()
                p.join()
    for p in procs:
        expect_equal("exit code", p.exitcode, 0)
    expect_equal("messages received", count, n)
    expect_equal("sum of i", total, n * (n - 1) // 2)
    return {"ms": ms}


async def mp_queue(n):
    q = mp.Queue()
    return transfer(n, (q,), (q,), queue_producer, queue_consumer)


async def mp_pipe(n):
    recv_end, send_end = mp.Pipe(duplex=False)
    return transfer(
        n, (send_end,), (recv_end,), pipe_producer, pipe_consumer, (recv_end, send_end)
    )


run_scenario("channels", {"py-mp-queue": mp_queue, "py-mp-pipe": mp_pipe})
