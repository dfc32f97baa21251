/**
 * Scope `executors`: tsio's ThreadPoolExecutor and ProcessPoolExecutor against piscina, poolifier,
 * tinypool and workerpool, and against bare `new Worker` / `fork`.
 *
 * - `<lib>-throughput` (threads, 2 workers) and `<lib>-process` (2 child processes): n tiny tasks
 *   (`x => x + 1`) submitted at once, then awaited. The pool is started and warmed up with a few
 *   tasks first; the time covers submitting and awaiting the n tasks.
 * - `tsio-map`: `pool.map(x => x * 2, items, { chunksize })` over n items, 2 threads.
 * - `<lib>-latency`: n round trips of one task, one at a time (2 workers); reports the per-call
 *   p50/p99 (`p50Us`, `p99Us`). `bare-worker-latency`: a bare `postMessage` echo worker.
 * - `<what>-startup`: n cycles of constructor -> first result of a trivial task -> shutdown
 *   complete (1 worker); `p50Us` is the median cycle, `firstUs` the median time to the result.
 * - `cpu-main`, `cpu-thread`, `cpu-process`: n calls of a ~150 ms prime count, sequentially on the
 *   main thread or at once on a pool of `os.cpus().length` workers.
 *
 * Peer worker scripts live in `bench/workers/` (plain `.mjs`, not compiled); every pool is shut
 * down and every child waited for before the variant returns.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { FixedClusterPool, FixedThreadPool } from 'poolifier';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { gather } from 'tsio';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';
import { expectEqual, range, runScenario, sumTo, timed, type Measured } from './harness.js';

/** Workers per pool in the throughput and latency cases. */
const WORKERS = 2;
/** Items per chunk in `tsio-map`. */
const CHUNKSIZE = 10_000;
/** Tasks run at once to start and warm a pool before the measured part. */
const WARM_TASKS = 200;
/** Sequential round trips before the latency measurement. */
const WARM_ROUND_TRIPS = 500;
/** The CPU-bound task's input: ~150 ms of trial division on this kind of machine. */
const PRIME_LIMIT = 1_200_000;

/** A peer worker script, resolved from `build/bench/scenarios/` back to `bench/workers/`. */
const workerFile = (name: string): URL =>
  new URL(`../../../bench/workers/${name}`, import.meta.url);
const workerPath = (name: string): string => fileURLToPath(workerFile(name));

/** The tiny task (tsio ships it as source; the peers' worker scripts define the same). */
const inc = (x: number): number => x + 1;
const double = (x: number): number => x * 2;

/** The CPU-bound task: counts the primes below `limit`; returns the count and its own run time. */
const countPrimes = (limit: number): [number, number] => {
  const t0 = performance.now();
  let count = 0;
  for (let i = 2; i < limit; i++) {
    let prime = true;
    for (let d = 2; d * d <= i; d++) {
      if (i % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return [count, performance.now() - t0];
};

/** One pool, seen the same way for every library: run one `x => x + 1` task; shut down. */
interface Runner {
  run(x: number): PromiseLike<number>;
  /** Every task in `xs` at once, awaited together (tsio uses its own `gather`). */
  all(xs: number[]): PromiseLike<number[]>;
  close(): Promise<void>;
}

function runner(run: (x: number) => PromiseLike<number>, close: () => Promise<void>): Runner {
  return { run, all: (xs) => Promise.all(xs.map(run)), close };
}

/**
 * Poolifier 5.3's `destroy()` can stay pending for ever (seen in about half the runs): a worker
 * that answers the kill message exits, and its node is removed, before `terminate()` registers its
 * `exit` listener. With nothing else holding the event loop the process then quits with exit code
 * 13 (unsettled top-level await). So: destroy, and count the pool as closed once it has no worker
 * left (`info.workerNodes === 0`); the ref'd poll timer keeps the loop alive meanwhile.
 */
async function destroyPoolifier(pool: {
  destroy(): Promise<void>;
  readonly info: { readonly workerNodes: number };
}): Promise<void> {
  let poll: NodeJS.Timeout | undefined;
  const gone = new Promise<void>((resolve) => {
    poll = setInterval(() => {
      if (pool.info.workerNodes === 0) resolve();
    }, 5);
  });
  try {
    await Promise.race([pool.destroy(), gone]);
  } finally {
    clearInterval(poll);
  }
}

function tsioRunner(pool: ThreadPoolExecutor | ProcessPoolExecutor): Runner {
  return {
    run: (x) => pool.submit(inc, x),
    all: (xs) => gather(xs.map((x) => pool.submit(inc, x))),
    close: () => pool.shutdown(),
  };
}

/** A workerpool pool of threads or processes running `inc`. */
function workerpoolRunner(workerType: 'thread' | 'process'): Runner {
  const pool = workerpool.pool(workerPath('workerpool-worker.mjs'), {
    workerType,
    minWorkers: WORKERS,
    maxWorkers: WORKERS,
  });
  return runner(
    (x) => pool.exec('inc', [x]) as PromiseLike<number>,
    async () => {
      await pool.terminate();
    },
  );
}

const makers: Record<string, () => Runner> = {
  'tsio-thread': () => tsioRunner(new ThreadPoolExecutor({ maxWorkers: WORKERS })),
  'tsio-process': () => tsioRunner(new ProcessPoolExecutor({ maxWorkers: WORKERS })),
  'piscina-thread': () => {
    const pool = new Piscina<number, number>({
      filename: workerFile('inc.mjs').href,
      minThreads: WORKERS,
      maxThreads: WORKERS,
    });
    return runner(
      (x) => pool.run(x),
      () => pool.destroy(),
    );
  },
  'poolifier-thread': () => {
    const pool = new FixedThreadPool<number, number>(WORKERS, workerPath('poolifier-thread.mjs'));
    return runner(
      (x) => pool.execute(x),
      () => destroyPoolifier(pool),
    );
  },
  'poolifier-cluster': () => {
    const pool = new FixedClusterPool<number, number>(WORKERS, workerPath('poolifier-cluster.cjs'));
    return runner(
      (x) => pool.execute(x),
      () => destroyPoolifier(pool),
    );
  },
  'tinypool-thread': () => {
    const pool = new Tinypool({
      filename: workerFile('inc.mjs').href,
      minThreads: WORKERS,
      maxThreads: WORKERS,
    });
    return runner(
      (x) => pool.run(x) as Promise<number>,
      () => pool.destroy(),
    );
  },
  'tinypool-process': () => {
    const pool = new Tinypool({
      filename: workerFile('inc.mjs').href,
      runtime: 'child_process',
      minThreads: WORKERS,
      maxThreads: WORKERS,
    });
    return runner(
      (x) => pool.run(x) as Promise<number>,
      () => pool.destroy(),
    );
  },
  'workerpool-thread': () => workerpoolRunner('thread'),
  'workerpool-process': () => workerpoolRunner('process'),
  'bare-worker': () => {
    // No pool: one thread echoing messages, one message in flight at a time.
    const worker = new Worker(workerFile('echo-thread.mjs'));
    let answer: ((m: number) => void) | null = null;
    worker.on('message', (m: number) => answer?.(m));
    const run = (x: number): Promise<number> =>
      new Promise<number>((resolve) => {
        answer = (m) => resolve(m + 1);
        worker.postMessage(x);
      });
    return {
      run,
      all: async (xs) => {
        const out: number[] = [];
        for (const x of xs) out.push(await run(x));
        return out;
      },
      close: async () => {
        await worker.terminate();
      },
    };
  },
};

function make(name: string): Runner {
  const maker = makers[name];
  if (maker === undefined) throw new Error(`no runner ${name}`);
  return maker();
}

/** Starts the pool and runs a few tasks on it, so start-up stays out of the timing. */
async function warm(pool: Runner): Promise<void> {
  const out = await pool.all(range(WARM_TASKS));
  expectEqual(
    'warm-up sum',
    out.reduce((a, b) => a + b, 0),
    sumTo(WARM_TASKS) + WARM_TASKS,
  );
}

/** n tasks submitted at once, then awaited. */
async function throughput(name: string, n: number): Promise<Measured> {
  const pool = make(name);
  try {
    await warm(pool);
    const items = range(n);
    const { ms, value } = await timed(async () => pool.all(items));
    expectEqual('results.length', value.length, n);
    let sum = 0;
    for (const v of value) sum += v;
    expectEqual('sum of results', sum, sumTo(n) + n);
    return { ms };
  } finally {
    await pool.close();
  }
}

/** The p-th percentile (0..1) of `xs`, sorted in place. */
function percentile(xs: number[], p: number): number {
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
}

/** n round trips of one task, one at a time; per-call p50/p99 in microseconds. */
async function latency(name: string, n: number): Promise<Measured> {
  const pool = make(name);
  try {
    await warm(pool);
    for (let i = 0; i < WARM_ROUND_TRIPS; i++) expectEqual('result', await pool.run(i), i + 1);
    const times = new Array<number>(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const v = await pool.run(i);
      times[i] = performance.now() - t;
      if (v !== i + 1) expectEqual('result', v, i + 1);
    }
    const ms = performance.now() - t0;
    const p50Us = percentile(times, 0.5) * 1000;
    const p99Us = percentile(times, 0.99) * 1000;
    return { ms, p50Us, p99Us };
  } finally {
    await pool.close();
  }
}

/** `pool.map(x => x * 2, items, { chunksize })` over n items. */
async function map(n: number): Promise<Measured> {
  const pool = new ThreadPoolExecutor({ maxWorkers: WORKERS });
  try {
    await warm(tsioRunner(pool));
    const items = range(n);
    const { ms, value } = await timed(async () => {
      let sum = 0;
      let count = 0;
      for await (const v of pool.map(double, items, { chunksize: CHUNKSIZE })) {
        sum += v;
        count++;
      }
      return { sum, count };
    });
    expectEqual('results', value.count, n);
    expectEqual('sum of results', value.sum, 2 * sumTo(n));
    return { ms, chunksize: CHUNKSIZE };
  } finally {
    await pool.shutdown();
  }
}

/** One start-up cycle: the time to the first result and to shutdown complete, in ms. */
type Cycle = () => Promise<{ first: number; total: number }>;

async function startups(n: number, cycle: Cycle): Promise<Measured> {
  const totals: number[] = [];
  const firsts: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const { first, total } = await cycle();
    totals.push(total);
    firsts.push(first);
  }
  const ms = performance.now() - t0;
  return {
    ms,
    p50Us: percentile(totals, 0.5) * 1000,
    firstUs: percentile(firsts, 0.5) * 1000,
  };
}

function tsioStartup(make: () => ThreadPoolExecutor | ProcessPoolExecutor): Cycle {
  return async () => {
    const t0 = performance.now();
    const pool = make();
    const v = await pool.submit(inc, 1);
    const first = performance.now() - t0;
    await pool.shutdown();
    const total = performance.now() - t0;
    expectEqual('result', v, 2);
    return { first, total };
  };
}

const bareWorkerStartup: Cycle = async () => {
  const t0 = performance.now();
  const worker = new Worker(workerFile('echo-thread.mjs'));
  worker.postMessage(1);
  const [v] = (await once(worker, 'message')) as [number];
  const first = performance.now() - t0;
  await worker.terminate();
  const total = performance.now() - t0;
  expectEqual('result', v, 1);
  return { first, total };
};

const bareForkStartup: Cycle = async () => {
  const t0 = performance.now();
  const child = fork(workerPath('echo-process.mjs'), ['once']);
  const exited = once(child, 'exit');
  child.send(1);
  const [v] = (await once(child, 'message')) as [number];
  const first = performance.now() - t0;
  const [code] = (await exited) as [number | null];
  const total = performance.now() - t0;
  expectEqual('result', v, 1);
  expectEqual('exit code', code, 0);
  return { first, total };
};

/** n calls of the CPU-bound task at once on `pool` (started and warmed first), or on the main thread. */
async function cpuBound(
  n: number,
  pool: ThreadPoolExecutor | ProcessPoolExecutor | null,
  workers: number,
): Promise<Measured> {
  try {
    if (pool !== null) {
      // Start every worker and let its JIT see the task.
      await gather(range(2 * workers).map(() => pool.submit(countPrimes, PRIME_LIMIT / 10)));
    }
    const { ms, value } = await timed(async () => {
      if (pool !== null) return gather(range(n).map(() => pool.submit(countPrimes, PRIME_LIMIT)));
      const out: [number, number][] = [];
      for (let i = 0; i < n; i++) out.push(countPrimes(PRIME_LIMIT));
      return out;
    });
    const expected = value[0]?.[0];
    let busyMs = 0;
    for (const [count, taskMs] of value) {
      expectEqual('prime count', count, expected);
      busyMs += taskMs;
    }
    return {
      ms,
      workers,
      cpus: os.cpus().length,
      parallelism: os.availableParallelism(),
      taskMs: busyMs / n,
      busy: busyMs / ms,
    };
  } finally {
    await pool?.shutdown();
  }
}

const cpuWorkers = os.cpus().length;

await runScenario('executors', {
  'tsio-throughput': (n) => throughput('tsio-thread', n),
  'piscina-throughput': (n) => throughput('piscina-thread', n),
  'poolifier-throughput': (n) => throughput('poolifier-thread', n),
  'tinypool-throughput': (n) => throughput('tinypool-thread', n),
  'workerpool-throughput': (n) => throughput('workerpool-thread', n),
  'tsio-map': (n) => map(n),
  'tsio-latency': (n) => latency('tsio-thread', n),
  'piscina-latency': (n) => latency('piscina-thread', n),
  'poolifier-latency': (n) => latency('poolifier-thread', n),
  'tinypool-latency': (n) => latency('tinypool-thread', n),
  'workerpool-latency': (n) => latency('workerpool-thread', n),
  'bare-worker-latency': (n) => latency('bare-worker', n),
  'tsio-process': (n) => throughput('tsio-process', n),
  'tinypool-process': (n) => throughput('tinypool-process', n),
  'workerpool-process': (n) => throughput('workerpool-process', n),
  'poolifier-cluster': (n) => throughput('poolifier-cluster', n),
  'tsio-thread-startup': (n) =>
    startups(
      n,
      tsioStartup(() => new ThreadPoolExecutor({ maxWorkers: 1 })),
    ),
  'bare-worker-startup': (n) => startups(n, bareWorkerStartup),
  'tsio-process-startup': (n) =>
    startups(
      n,
      tsioStartup(() => new ProcessPoolExecutor({ maxWorkers: 1 })),
    ),
  'bare-fork-startup': (n) => startups(n, bareForkStartup),
  'cpu-main': (n) => cpuBound(n, null, 1),
  'cpu-thread': (n) => cpuBound(n, new ThreadPoolExecutor({ maxWorkers: cpuWorkers }), cpuWorkers),
  'cpu-process': (n) =>
    cpuBound(n, new ProcessPoolExecutor({ maxWorkers: cpuWorkers }), cpuWorkers),
});
