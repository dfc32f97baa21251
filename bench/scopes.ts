/**
 * What the benchmark runs: the scopes, their cases (one child process per case and run), and the
 * ratios printed against the targets of PERFORMANCE.md / issue 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliScope } from './cli-scope.js';

/** Who a case measures: tsio, a JS peer or floor, or Python's asyncio. */
export type Side = 'tsio' | 'js' | 'python';

export interface CaseDef {
  /** The variant name passed to the scenario script (unique within a scope). */
  id: string;
  label: string;
  side: Side;
  /** `bench/scenarios/<script>.js` or `bench/python/<script>.py`. */
  script: string;
  n: number;
  /** Extra node flags (e.g. `--expose-gc`). */
  nodeFlags?: string[];
  /** Rows with the same group are printed together (primitives). */
  group?: string;
  /**
   * `'node'`: a Python-side case driven by a Node scenario (`bench/scenarios/<script>.js`, which
   * starts the Python program itself); skipped like every Python case under `--no-python`.
   */
  runner?: 'node';
  /** The interpreter of a Python case, when not `python3` from the PATH (e.g. `/usr/bin/python3`). */
  python?: string;
  /** Why the case cannot run on this machine (then it is skipped), or undefined. Called once. */
  requires?: () => string | undefined;
}

/**
 * Compare `num` to `den` on median time per item (lower is faster), median peak RSS, or the median
 * of the cases' `p50Us` (per-call p50 latency), or the median of an `extra` field (`key`); or hold
 * `num` alone against a bound (no `den`): `rate` (items/s), `ms` (median time), `extra`.
 */
export interface RatioDef {
  label: string;
  metric: 'time' | 'rss' | 'p50' | 'rate' | 'ms' | 'extra';
  /** For `extra`: the numeric field of the cases' JSON lines to compare (median), e.g. `rps`. */
  key?: string;
  num: string;
  /** One case id, or several: the best (lowest) of them is used and named. Not for `rate`. */
  den?: string | string[];
  /** Target for num/den (for `rate`, items/s); absent for ratios shown for information. */
  target?: { op: '<=' | '>=' | '<' | '>'; value: number };
  /** Divide num/den by the `den` case's `workers` and show it in %: parallel efficiency. */
  perWorker?: boolean;
}

export interface ScopeDef {
  name: string;
  title: string;
  cases: CaseDef[];
  ratios: RatioDef[];
  /** Extra notes printed under the table (a function: computed when the scope is printed). */
  notes?: string[] | (() => string[]);
  /** Also probe whether `Promise.all` and tsio `gather` settle over `Sizes.limitProbe` calls. */
  limitProbe?: boolean;
}

export interface Sizes {
  gather: number;
  semaphore: number;
  scale: number;
  pendingMemory: number;
  /** Operations per primitive run in Node. */
  primitives: number;
  /** Operations per primitive run in Python (slower, so fewer; ratios use time per operation). */
  primitivesPython: number;
  /** Size of the `Promise.all` limit probe and how long it may run before it is killed. */
  limitProbe: number;
  limitTimeoutMs: number;
  /** Tiny tasks submitted at once to a 2-thread pool, and to a 2-process pool. */
  executorTasks: number;
  processTasks: number;
  /** Items of the thread pool's `map` with chunksize. */
  executorMap: number;
  /** Sequential round trips of one task (p50 latency). */
  executorLatency: number;
  /** Pool start-up + shutdown cycles. */
  executorStartups: number;
  /** Calls of the ~150 ms CPU-bound task. */
  cpuCalls: number;
  /** Small messages between two threads (tsio SharedQueue and Pipe, MessageChannel, BroadcastChannel). */
  channelMessages: number;
  /** Small messages from a child process (tsio SharedQueue and Pipe, bare IPC). */
  channelProcessMessages: number;
  /** Small messages through Python's multiprocessing Queue and Pipe. */
  channelPython: number;
  /** Numbers posted one per message between two threads. */
  channelNumbers: number;
  /** Numbers in Float64Array chunks (postMessage, tsio SharedQueue). */
  channelChunked: number;
  /** Numbers through tsio's shared-memory ring (SharedArray + Atomics); the sum must stay < 2^53. */
  channelShared: number;
  /** Concurrent `GET /timeit/1` requests (cli scope). */
  cliTimeit: number;
  /** Seconds of each `wrk` run against `GET /`. */
  cliLoadSeconds: number;
  /** Loopback URLs checked by `tsio status` and the seed's `fetch_status`. */
  cliStatusUrls: number;
}

export const FULL: Sizes = {
  gather: 1_000_000,
  semaphore: 1_000_000,
  scale: 3_000_000,
  pendingMemory: 1_000_000,
  primitives: 1_000_000,
  primitivesPython: 200_000,
  limitProbe: 2 ** 21 + 1,
  limitTimeoutMs: 20_000,
  executorTasks: 100_000,
  processTasks: 100_000,
  executorMap: 1_000_000,
  executorLatency: 5_000,
  executorStartups: 20,
  cpuCalls: 8,
  channelMessages: 400_000,
  channelProcessMessages: 30_000,
  channelPython: 100_000,
  channelNumbers: 400_000,
  channelChunked: 30_000_000,
  channelShared: 130_000_000,
  cliTimeit: 100,
  cliLoadSeconds: 5,
  cliStatusUrls: 10_000,
};

export const QUICK: Sizes = {
  gather: 100_000,
  semaphore: 100_000,
  scale: 300_000,
  pendingMemory: 100_000,
  primitives: 100_000,
  primitivesPython: 20_000,
  limitProbe: 2 ** 21 + 1,
  limitTimeoutMs: 8_000,
  executorTasks: 10_000,
  processTasks: 10_000,
  executorMap: 100_000,
  executorLatency: 1_000,
  executorStartups: 5,
  cpuCalls: 4,
  channelMessages: 40_000,
  channelProcessMessages: 3_000,
  channelPython: 10_000,
  channelNumbers: 40_000,
  channelChunked: 3_000_000,
  channelShared: 13_000_000,
  cliTimeit: 100,
  cliLoadSeconds: 2,
  cliStatusUrls: 2_000,
};

export function scopes(s: Sizes): ScopeDef[] {
  const g = s.gather;
  const sem = s.semaphore;
  const p = s.primitives;
  const py = s.primitivesPython;
  const prim = (id: string, label: string, side: Side, group: string, n = p): CaseDef => ({
    id,
    label,
    side,
    script: 'primitives',
    n,
    group,
  });
  return [
    {
      name: 'gather',
      title: `gather: ${g.toLocaleString('en')} trivial async tasks (async () => 1), all at once`,
      cases: [
        {
          id: 'promise-all',
          label: 'Promise.all(n async calls)',
          side: 'js',
          script: 'gather',
          n: g,
        },
        {
          id: 'tsio-gather-tasks',
          label: 'tsio gather(n x createTask(f))',
          side: 'tsio',
          script: 'gather',
          n: g,
        },
        {
          id: 'tsio-gather-calls',
          label: 'tsio gather(n async calls)',
          side: 'tsio',
          script: 'gather',
          n: g,
        },
        {
          id: 'py-gather-coros',
          label: 'Python gather(*[f() ...])',
          side: 'python',
          script: 'gather',
          n: g,
        },
        {
          id: 'py-gather-tasks',
          label: 'Python gather(*[create_task(f()) ...])',
          side: 'python',
          script: 'gather',
          n: g,
        },
      ],
      ratios: [
        {
          label: 'tsio createTask+gather / Promise.all time',
          metric: 'time',
          num: 'tsio-gather-tasks',
          den: 'promise-all',
          target: { op: '<=', value: 2 },
        },
        {
          label: 'tsio gather(calls) / Promise.all time',
          metric: 'time',
          num: 'tsio-gather-calls',
          den: 'promise-all',
          target: { op: '<=', value: 2 },
        },
        {
          label: 'Python gather(coros) / tsio createTask+gather time',
          metric: 'time',
          num: 'py-gather-coros',
          den: 'tsio-gather-tasks',
          target: { op: '>=', value: 10 },
        },
        {
          label: 'Python gather(create_task) / tsio createTask+gather time',
          metric: 'time',
          num: 'py-gather-tasks',
          den: 'tsio-gather-tasks',
          target: { op: '>=', value: 10 },
        },
        {
          label: 'tsio createTask+gather / Promise.all peak RSS',
          metric: 'rss',
          num: 'tsio-gather-tasks',
          den: 'promise-all',
          target: { op: '<=', value: 1.5 },
        },
        {
          label: 'tsio gather(calls) / Promise.all peak RSS',
          metric: 'rss',
          num: 'tsio-gather-calls',
          den: 'promise-all',
          target: { op: '<=', value: 1.5 },
        },
      ],
    },
    {
      name: 'semaphore',
      title: `semaphore: ${sem.toLocaleString('en')} trivial async work items, at most 16 in flight`,
      cases: [
        {
          id: 'tsio-sem-hold',
          label: 'tsio Semaphore(16).hold + gather',
          side: 'tsio',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'tsio-sem-acquire',
          label: 'tsio Semaphore(16) acquire/release + gather',
          side: 'tsio',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'tsio-runners',
          label: 'tsio 16 createTask runners + gather',
          side: 'tsio',
          script: 'semaphore',
          n: sem,
        },
        { id: 'p-map', label: 'p-map, concurrency 16', side: 'js', script: 'semaphore', n: sem },
        {
          id: 'p-limit',
          label: 'p-limit(16) + Promise.all',
          side: 'js',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'p-queue',
          label: 'p-queue({concurrency:16}) + Promise.all',
          side: 'js',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'async-mutex-sem',
          label: 'async-mutex Semaphore(16).runExclusive (20k only, see note)',
          side: 'js',
          script: 'semaphore',
          n: Math.min(sem, 20_000),
        },
        {
          id: 'async-sema',
          label: 'async-sema Sema(16) acquire/release',
          side: 'js',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'hand-pool',
          label: 'hand-written 16-runner pool',
          side: 'js',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'py-sem-gather',
          label: 'Python Semaphore(16) + gather',
          side: 'python',
          script: 'semaphore',
          n: sem,
        },
        {
          id: 'py-runners',
          label: 'Python 16 runner tasks (no suspension)',
          side: 'python',
          script: 'semaphore',
          n: sem,
        },
      ],
      notes: [
        'async-mutex runs 20,000 items only: its waiter queue is an array it splices into and shifts from,',
        'so a million waiters make it quadratic (100,000 took 6 s; 1,000,000 did not finish in 180 s).',
        'Its per-item time at 20k is its best case.',
      ],
      ratios: [
        {
          label: 'tsio Semaphore.hold / p-map time',
          metric: 'time',
          num: 'tsio-sem-hold',
          den: 'p-map',
          target: { op: '<', value: 1 },
        },
        {
          label: 'p-limit / tsio Semaphore.hold time',
          metric: 'time',
          num: 'p-limit',
          den: 'tsio-sem-hold',
          target: { op: '>=', value: 4 },
        },
        {
          label: 'tsio runners / p-map time',
          metric: 'time',
          num: 'tsio-runners',
          den: 'p-map',
          target: { op: '<', value: 1 },
        },
        {
          label: 'p-limit / tsio runners time',
          metric: 'time',
          num: 'p-limit',
          den: 'tsio-runners',
          target: { op: '>=', value: 4 },
        },
        {
          label: 'tsio Semaphore acquire/release / p-map time',
          metric: 'time',
          num: 'tsio-sem-acquire',
          den: 'p-map',
        },
        {
          label: 'tsio Semaphore.hold / hand-written pool time',
          metric: 'time',
          num: 'tsio-sem-hold',
          den: 'hand-pool',
        },
        {
          label: 'Python Semaphore+gather / tsio Semaphore.hold time',
          metric: 'time',
          num: 'py-sem-gather',
          den: 'tsio-sem-hold',
        },
        {
          label: 'tsio Semaphore.hold / p-map peak RSS',
          metric: 'rss',
          num: 'tsio-sem-hold',
          den: 'p-map',
        },
      ],
    },
    {
      name: 'scale',
      title: `scale: gather and wait over ${s.scale.toLocaleString('en')} awaitables; memory of ${s.pendingMemory.toLocaleString('en')} pending tasks`,
      cases: [
        {
          id: 'tsio-gather-calls',
          label: 'tsio gather(n async calls)',
          side: 'tsio',
          script: 'scale',
          n: s.scale,
        },
        {
          id: 'tsio-gather-tasks',
          label: 'tsio gather(n x createTask(f))',
          side: 'tsio',
          script: 'scale',
          n: s.scale,
        },
        {
          id: 'tsio-wait-tasks',
          label: 'tsio wait(n x createTask(f))',
          side: 'tsio',
          script: 'scale',
          n: s.scale,
        },
        {
          id: 'tsio-pending-memory',
          label: 'tsio n tasks parked on one Event',
          side: 'tsio',
          script: 'scale',
          n: s.pendingMemory,
          nodeFlags: ['--expose-gc'],
        },
        {
          id: 'js-pending-memory',
          label: 'n async calls awaiting one promise',
          side: 'js',
          script: 'scale',
          n: s.pendingMemory,
          nodeFlags: ['--expose-gc'],
        },
        {
          id: 'py-pending-memory',
          label: 'Python n tasks parked on one Event',
          side: 'python',
          script: 'scale',
          n: s.pendingMemory,
        },
      ],
      limitProbe: true,
      ratios: [
        {
          label: 'tsio pending task / async call awaiting a promise, peak RSS',
          metric: 'rss',
          num: 'tsio-pending-memory',
          den: 'js-pending-memory',
        },
        {
          label: 'Python / tsio, n tasks parked on an Event then released, time',
          metric: 'time',
          num: 'py-pending-memory',
          den: 'tsio-pending-memory',
        },
      ],
    },
    {
      name: 'primitives',
      title: `primitives: Queue, Lock, Event throughput (Node ${p.toLocaleString('en')} ops per run, Python ${py.toLocaleString('en')}; compared per operation)`,
      cases: [
        prim(
          'tsio-queue-1p1c',
          'tsio Queue() await put / await get',
          'tsio',
          'queue 1 producer 1 consumer',
        ),
        prim(
          'esfx-queue-1p1c',
          '@esfx/async-queue put / await get (10k only, see note)',
          'js',
          'queue 1 producer 1 consumer',
          Math.min(p, 10_000),
        ),
        prim(
          'py-queue-1p1c',
          'Python Queue() await put / await get',
          'python',
          'queue 1 producer 1 consumer',
          py,
        ),
        prim(
          'tsio-queue-bounded',
          'tsio Queue(16) await put / await get',
          'tsio',
          'queue bounded 16',
        ),
        prim(
          'py-queue-bounded',
          'Python Queue(16) await put / await get',
          'python',
          'queue bounded 16',
          py,
        ),
        prim(
          'tsio-queue-nowait',
          'tsio putNowait x1000, getNowait x1000',
          'tsio',
          'queue nowait batch',
        ),
        prim(
          'esfx-queue-batch',
          '@esfx/async-queue put x1000, await get x1000',
          'js',
          'queue nowait batch',
        ),
        prim(
          'py-queue-nowait',
          'Python put_nowait x1000, get_nowait x1000',
          'python',
          'queue nowait batch',
          5 * py,
        ),
        prim('tsio-lock', 'tsio Lock await acquire / release', 'tsio', 'lock uncontended'),
        prim('tsio-lock-hold', 'tsio Lock await hold(noop)', 'tsio', 'lock uncontended'),
        prim('async-mutex-lock', 'async-mutex Mutex acquire / release()', 'js', 'lock uncontended'),
        prim('async-sema-lock', 'async-sema Sema(1) acquire / release', 'js', 'lock uncontended'),
        prim(
          'py-lock',
          'Python Lock await acquire / release',
          'python',
          'lock uncontended',
          5 * py,
        ),
        prim('tsio-lock-16', 'tsio Lock acquire/release, 16 tasks', 'tsio', 'lock 16 contending'),
        prim('tsio-lock-hold-16', 'tsio Lock hold(fn), 16 tasks', 'tsio', 'lock 16 contending'),
        prim('async-mutex-lock-16', 'async-mutex Mutex, 16 tasks', 'js', 'lock 16 contending'),
        prim('async-sema-lock-16', 'async-sema Sema(1), 16 tasks', 'js', 'lock 16 contending'),
        prim(
          'py-lock-16',
          'Python Lock, 16 tasks (sleep(0) inside)',
          'python',
          'lock 16 contending',
          py / 2,
        ),
        prim(
          'tsio-event-pingpong',
          'tsio Event ping-pong (per round trip)',
          'tsio',
          'event ping-pong',
        ),
        prim(
          'hand-event-pingpong',
          'hand-written promise event ping-pong',
          'js',
          'event ping-pong',
        ),
        prim('py-event-pingpong', 'Python Event ping-pong', 'python', 'event ping-pong', py / 2),
      ],
      ratios: [
        ...vs('queue 1p1c', 'tsio-queue-1p1c', 'py-queue-1p1c', ['esfx-queue-1p1c']),
        ...vs('queue bounded 16', 'tsio-queue-bounded', 'py-queue-bounded', []),
        ...vs('queue nowait batch', 'tsio-queue-nowait', 'py-queue-nowait', ['esfx-queue-batch']),
        ...vs('lock uncontended (acquire/release)', 'tsio-lock', 'py-lock', [
          'async-mutex-lock',
          'async-sema-lock',
        ]),
        ...vs('lock 16 contending (acquire/release)', 'tsio-lock-16', 'py-lock-16', [
          'async-mutex-lock-16',
          'async-sema-lock-16',
        ]),
        ...vs('event ping-pong', 'tsio-event-pingpong', 'py-event-pingpong', []),
        {
          label: 'event ping-pong: tsio / hand-written promise event time (floor, no package)',
          metric: 'time',
          num: 'tsio-event-pingpong',
          den: 'hand-event-pingpong',
        },
      ],
      notes: [
        "@esfx/async-queue 1p1c runs 10,000 items only: its get() takes three microtasks to the producer's one,",
        'so the backlog grows and its Array#shift makes the run quadratic (10x the items, ~100x the time;',
        '1,000,000 did not finish in 180 s). Its per-item time at 10k is its best case.',
        'Python asyncio does not suspend on an uncontended Lock.acquire() or a put() into an unbounded Queue;',
        'every tsio await is at least one microtask. "lock 16 contending" holds the lock across one yield',
        '(a microtask in JS; asyncio.sleep(0), its only yield, in Python).',
      ],
    },
    executorsScope(s),
    channelsScope(s),
    cliScope(s),
  ];
}

/** Python / tsio >= 10x, and tsio / best JS package <= 1x (when there is a package). */
function vs(what: string, tsio: string, python: string, packages: string[]): RatioDef[] {
  const ratios: RatioDef[] = [
    {
      label: `${what}: Python / tsio time per op`,
      metric: 'time',
      num: python,
      den: tsio,
      target: { op: '>=', value: 10 },
    },
  ];
  if (packages.length > 0) {
    ratios.push({
      label: `${what}: tsio / best JS package time per op`,
      metric: 'time',
      num: tsio,
      den: packages,
      target: { op: '<=', value: 1 },
    });
  }
  return ratios;
}

/** Scope `executors`: tsio's thread and process pools against piscina, poolifier, tinypool, workerpool. */
function executorsScope(s: Sizes): ScopeDef {
  const ex = (id: string, label: string, side: Side, group: string, n: number): CaseDef => ({
    id,
    label,
    side,
    script: 'executors',
    n,
    group,
  });
  const tasks = `threads x2: ${s.executorTasks.toLocaleString('en')} tasks at once`;
  const map = 'threads x2: map, chunksize 10,000';
  const rt = 'threads x2: round trip, one at a time';
  const procs = `processes x2: ${s.processTasks.toLocaleString('en')} tasks at once`;
  const start = 'start-up + shutdown, 1 worker';
  const cpu = 'CPU-bound, ~150 ms per call';
  const t = s.executorTasks;
  const p = s.processTasks;
  const l = s.executorLatency;
  const st = s.executorStartups;
  const c = s.cpuCalls;
  return {
    name: 'executors',
    title:
      'executors: tsio ThreadPoolExecutor / ProcessPoolExecutor vs piscina, poolifier, tinypool, workerpool',
    cases: [
      ex('tsio-throughput', 'tsio ThreadPoolExecutor submit + gather', 'tsio', tasks, t),
      ex('piscina-throughput', 'piscina run + Promise.all', 'js', tasks, t),
      ex('poolifier-throughput', 'poolifier FixedThreadPool execute', 'js', tasks, t),
      ex('tinypool-throughput', 'tinypool run', 'js', tasks, t),
      ex('workerpool-throughput', "workerpool exec('inc')", 'js', tasks, t),
      ex('tsio-map', 'tsio ThreadPoolExecutor map', 'tsio', map, s.executorMap),
      ex('tsio-latency', 'tsio ThreadPoolExecutor await submit', 'tsio', rt, l),
      ex('piscina-latency', 'piscina await run', 'js', rt, l),
      ex('poolifier-latency', 'poolifier await execute', 'js', rt, l),
      ex('tinypool-latency', 'tinypool await run', 'js', rt, l),
      ex('workerpool-latency', 'workerpool await exec', 'js', rt, l),
      ex('bare-worker-latency', 'bare Worker postMessage echo (no pool)', 'js', rt, l),
      ex('tsio-process', 'tsio ProcessPoolExecutor submit + gather', 'tsio', procs, p),
      ex('tinypool-process', "tinypool runtime: 'child_process'", 'js', procs, p),
      ex('workerpool-process', "workerpool workerType: 'process'", 'js', procs, p),
      ex('poolifier-cluster', 'poolifier FixedClusterPool', 'js', procs, p),
      ex('tsio-thread-startup', 'tsio ThreadPoolExecutor({ maxWorkers: 1 })', 'tsio', start, st),
      ex('bare-worker-startup', 'bare new Worker(file), 1 echo, terminate()', 'js', start, st),
      ex('tsio-process-startup', 'tsio ProcessPoolExecutor({ maxWorkers: 1 })', 'tsio', start, st),
      ex('bare-fork-startup', 'bare fork(file), 1 IPC echo, child exits', 'js', start, st),
      ex('cpu-main', 'main thread, one call after another', 'js', cpu, c),
      ex('cpu-thread', 'tsio ThreadPoolExecutor, all at once', 'tsio', cpu, c),
      ex('cpu-process', 'tsio ProcessPoolExecutor, all at once', 'tsio', cpu, c),
    ],
    ratios: [
      {
        label: 'threads, tasks at once: piscina / tsio time (tsio throughput x)',
        metric: 'time',
        num: 'piscina-throughput',
        den: 'tsio-throughput',
        target: { op: '>=', value: 2 },
      },
      {
        label: 'threads, tasks at once: poolifier / tsio time',
        metric: 'time',
        num: 'poolifier-throughput',
        den: 'tsio-throughput',
        target: { op: '>', value: 1 },
      },
      {
        label: 'threads, tasks at once: tinypool / tsio time',
        metric: 'time',
        num: 'tinypool-throughput',
        den: 'tsio-throughput',
      },
      {
        label: 'threads, tasks at once: workerpool / tsio time',
        metric: 'time',
        num: 'workerpool-throughput',
        den: 'tsio-throughput',
      },
      {
        label: 'threads, map with chunksize: tsio items/s',
        metric: 'rate',
        num: 'tsio-map',
        target: { op: '>=', value: 2_000_000 },
      },
      {
        label: 'round trip p50: tsio / piscina',
        metric: 'p50',
        num: 'tsio-latency',
        den: 'piscina-latency',
        target: { op: '<=', value: 0.7 },
      },
      {
        label: 'round trip p50: tsio / best peer',
        metric: 'p50',
        num: 'tsio-latency',
        den: ['piscina-latency', 'poolifier-latency', 'tinypool-latency', 'workerpool-latency'],
      },
      {
        label: 'round trip p50: tsio / bare postMessage echo',
        metric: 'p50',
        num: 'tsio-latency',
        den: 'bare-worker-latency',
      },
      {
        label: 'processes, tasks at once: tinypool / tsio time',
        metric: 'time',
        num: 'tinypool-process',
        den: 'tsio-process',
        target: { op: '>=', value: 2 },
      },
      {
        label: 'processes, tasks at once: workerpool / tsio time',
        metric: 'time',
        num: 'workerpool-process',
        den: 'tsio-process',
        target: { op: '>=', value: 2 },
      },
      {
        label: 'processes, tasks at once: poolifier cluster / tsio time',
        metric: 'time',
        num: 'poolifier-cluster',
        den: 'tsio-process',
        target: { op: '>', value: 1 },
      },
      {
        label: 'start-up + shutdown p50: tsio thread pool / bare Worker',
        metric: 'p50',
        num: 'tsio-thread-startup',
        den: 'bare-worker-startup',
        target: { op: '<=', value: 1.1 },
      },
      {
        label: 'start-up + shutdown p50: tsio process pool / bare fork',
        metric: 'p50',
        num: 'tsio-process-startup',
        den: 'bare-fork-startup',
        target: { op: '<=', value: 1.1 },
      },
      {
        label: 'CPU-bound speed-up: main thread / tsio thread pool time',
        metric: 'time',
        num: 'cpu-main',
        den: 'cpu-thread',
      },
      {
        label: 'CPU-bound parallel efficiency, thread pool (speed-up / workers)',
        metric: 'time',
        num: 'cpu-main',
        den: 'cpu-thread',
        perWorker: true,
      },
      {
        label: 'CPU-bound speed-up: main thread / tsio process pool time',
        metric: 'time',
        num: 'cpu-main',
        den: 'cpu-process',
      },
      {
        label: 'CPU-bound parallel efficiency, process pool (speed-up / workers)',
        metric: 'time',
        num: 'cpu-main',
        den: 'cpu-process',
        perWorker: true,
      },
    ],
    notes: [
      'Tasks: x => x + 1 (map: x => x * 2). Pools are started and warmed up (200 tasks; 500 more round trips',
      'before the latency run) outside the timing; "at once" = submit n tasks, then await them all. Peers',
      'run their own worker files (bench/workers/); tsio ships the function as source. The bare echo',
      "worker sleeps in its event loop between messages (tsio's worker polls its port briefly after work).",
      'Start-up: one cycle = constructor -> first result of a trivial task -> shutdown complete (workers',
      'exited); ratios use the p50 cycle; "first result" = constructor to first result (p50).',
      'CPU-bound: n calls counting primes below 1.2M, workers = os.cpus().length; "running" = sum of the',
      "tasks' own run times / wall time (calls running at once on average). Efficiency = speed-up / workers.",
      'poolifier 5.3: destroy() may never settle (a worker exits before terminate() listens for its exit);',
      'the bench counts the pool closed once it has no worker left. Its cluster worker is CommonJS: an ES',
      "module worker misses the pool's start-up message and never answers.",
    ],
  };
}

/** The interpreter of the `channels` scope's Python rows: Debian's, as the seed's. */
const SYSTEM_PYTHON = '/usr/bin/python3';

/** `Python 3.x.y (/usr/bin/python3)`, or why the Python rows are skipped. */
function systemPython(): { ok: boolean; text: string } {
  if (!existsSync(SYSTEM_PYTHON)) return { ok: false, text: `${SYSTEM_PYTHON} not found` };
  const r = spawnSync(SYSTEM_PYTHON, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    return { ok: false, text: `${SYSTEM_PYTHON} --version failed` };
  }
  return { ok: true, text: `${(r.stdout || r.stderr).trim()} (${SYSTEM_PYTHON})` };
}

/**
 * Scope `channels`: tsio/channels between threads and processes against bare MessageChannel,
 * BroadcastChannel, postMessage and child-process IPC, and Python's multiprocessing Queue and Pipe.
 */
function channelsScope(s: Sizes): ScopeDef {
  const ch = (id: string, label: string, side: Side, group: string, n: number): CaseDef => ({
    id,
    label,
    side,
    script: side === 'python' ? 'mp_channels' : 'channels',
    n,
    group,
    ...(side === 'python'
      ? {
          python: SYSTEM_PYTHON,
          requires: () => {
            const p = systemPython();
            return p.ok ? undefined : p.text;
          },
        }
      : {}),
  });
  const msgs = "threads: small messages { i, v: 'x' }, 1 producer -> 1 consumer";
  const nums = 'threads: float64 values, 1 producer -> 1 consumer (n = values)';
  const proc = "processes: small messages { i, v: 'x' }, child -> parent";
  const py = "Python multiprocessing: { 'i': i, 'v': 'x' }, producer Process -> consumer Process";
  const m = s.channelMessages;
  const pm = s.channelProcessMessages;
  /** Peer time per item / tsio time per item: tsio's items/s in peer's items/s. */
  const faster = (label: string, tsio: string, peer: string, atLeast?: number): RatioDef => ({
    label,
    metric: 'time',
    num: peer,
    den: tsio,
    ...(atLeast !== undefined ? { target: { op: '>=' as const, value: atLeast } } : {}),
  });
  return {
    name: 'channels',
    title:
      'channels: tsio SharedQueue / Pipe / SharedArray vs MessageChannel, BroadcastChannel, postMessage, IPC, Python multiprocessing',
    cases: [
      ch('tsio-queue-thread', 'tsio SharedQueue, putSync / for...of (pool)', 'tsio', msgs, m),
      ch('tsio-pipe-thread', 'tsio Pipe(), send / recvSync (pool)', 'tsio', msgs, m),
      ch('messagechannel-thread', 'bare MessageChannel, 2 Workers', 'js', msgs, m),
      ch('broadcastchannel-thread', 'bare BroadcastChannel, 2 Workers', 'js', msgs, m),
      ch(
        'tsio-numbers-sab',
        'tsio SharedArray ring + Atomics (pool)',
        'tsio',
        nums,
        s.channelShared,
      ),
      ch(
        'tsio-numbers-queue',
        'tsio SharedQueue of Float64Array(1000) chunks',
        'tsio',
        nums,
        s.channelChunked,
      ),
      ch('postmessage-numbers', 'bare postMessage, one number each', 'js', nums, s.channelNumbers),
      ch(
        'postmessage-numbers-chunked',
        'bare postMessage, Float64Array(1000) chunks (copied)',
        'js',
        nums,
        s.channelChunked,
      ),
      ch(
        'tsio-queue-process',
        'tsio SharedQueue, process task await put -> main',
        'tsio',
        proc,
        pm,
      ),
      ch('tsio-pipe-process', 'tsio Pipe(), process task send -> main', 'tsio', proc, pm),
      ch('ipc-process', "bare fork (serialization: 'advanced'), process.send", 'js', proc, pm),
      ch('py-mp-queue', 'Python multiprocessing.Queue put / get', 'python', py, s.channelPython),
      ch('py-mp-pipe', 'Python multiprocessing.Pipe send / recv', 'python', py, s.channelPython),
    ],
    ratios: [
      faster(
        'threads: tsio SharedQueue / MessageChannel msgs/s',
        'tsio-queue-thread',
        'messagechannel-thread',
        1,
      ),
      faster(
        'threads: tsio SharedQueue / BroadcastChannel msgs/s',
        'tsio-queue-thread',
        'broadcastchannel-thread',
        1,
      ),
      faster(
        'threads: tsio Pipe / MessageChannel msgs/s',
        'tsio-pipe-thread',
        'messagechannel-thread',
      ),
      faster(
        'numbers: tsio SharedArray ring / postMessage per number, values/s',
        'tsio-numbers-sab',
        'postmessage-numbers',
        10,
      ),
      faster(
        'numbers: tsio SharedArray ring / postMessage chunks, values/s',
        'tsio-numbers-sab',
        'postmessage-numbers-chunked',
      ),
      faster(
        'numbers: tsio SharedQueue chunks / postMessage chunks, values/s',
        'tsio-numbers-queue',
        'postmessage-numbers-chunked',
      ),
      faster('processes: tsio SharedQueue / bare IPC msgs/s', 'tsio-queue-process', 'ipc-process'),
      faster('processes: tsio Pipe / bare IPC msgs/s', 'tsio-pipe-process', 'ipc-process'),
      faster(
        'tsio SharedQueue (threads) / Python multiprocessing.Queue msgs/s',
        'tsio-queue-thread',
        'py-mp-queue',
      ),
      faster(
        'tsio Pipe (threads) / Python multiprocessing.Pipe msgs/s',
        'tsio-pipe-thread',
        'py-mp-pipe',
      ),
      faster(
        'tsio SharedQueue (process -> main) / Python multiprocessing.Queue msgs/s',
        'tsio-queue-process',
        'py-mp-queue',
      ),
      faster(
        'tsio Pipe (process -> main) / Python multiprocessing.Pipe msgs/s',
        'tsio-pipe-process',
        'py-mp-pipe',
      ),
    ],
    notes: () => [
      `Python rows: ${systemPython().text}, default start method (fork).`,
      'One producer, one consumer, n items; the consumer counts them and sums i (the run fails unless',
      'it got exactly n with the right sum). Pools (2 threads; 1 process), bare workers and children',
      'are started and warmed up with a round of 10% of n through the same kind of channel first;',
      'ms = telling the producer to go (tsio: submitting both tasks) to the consumer reporting.',
      'tsio tasks ship as source and get the channel as a direct argument. SharedArray ring: 2^16',
      'float64 in a SharedArray + written/read counters, published every 4,096 values (Atomics.store/',
      'notify, Atomics.wait only when full/empty): no copy, no message. Process rows: the child gets',
      "a proxy whose operations run in the parent (over the pool's IPC channel).",
      'Ratios: peer time per item / tsio time per item = tsio items/s / peer items/s.',
    ],
  };
}
