/**
 * The seed's "多线程与多进程" paragraph: Python's multiprocessing lets processes talk through a
 * `Pipe`, a `Queue` (shared memory in /dev/shm) and a `Pool`. tsio/channels gives the same over
 * SharedArrayBuffers, shown three ways:
 *
 * 1. a pipeline of pool tasks joined by two `SharedQueue`s: a producer, two transforms and a sink
 *    in the main thread, each stage ended by the one before it calling `shutdown()`;
 * 2. a long task reporting progress through a `Pipe` to a progress bar in the main thread, on a
 *    thread pool and then on a process pool (the channel crosses into a child process);
 * 3. a `SharedValue` counter incremented by several threads at once: updates lost without the
 *    lock, the exact total with `get_lock()` (`lock`) or the atomic `add`.
 */
import { availableParallelism } from 'node:os';
import { sleep } from '../../index.js';
import { Pipe, SharedArray, SharedQueue, SharedValue } from '../../channels/index.js';
import type { Connection } from '../../channels/index.js';
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../../executors/index.js';
import type { Executor } from '../../executors/index.js';
import { formatMs } from '../timeline.js';
import type { Demo, DemoContext, Timed } from './demo.js';
import { CANCEL_GRACE_MS } from './map-order.js';
import { drawPoolTask } from './pool-task.js';

/** Items sent down the pipeline. */
const ITEMS = 2000;
/** A's `maxsize`: the producer waits when the transforms fall this far behind. */
const A_MAXSIZE = 100;
/** Transform tasks between A and B. */
const TRANSFORMS = 2;
/** Progress messages the long task sends. */
const STEPS = 20;
/** Seed seconds the long task runs. */
const LONG_TASK_SECONDS = 2;
/** Threads incrementing the shared counter at once. */
const COUNTERS = 4;
/** Increments each of them makes. */
const INCREMENTS = 50_000;

// ---- Functions run in pool workers. They travel as source: self-contained, no imports, the
// ---- channels they use come as direct arguments.

/** Stage 1: puts 1..n into `out`, then shuts it down, which ends the transforms' loops. */
function produce(out: SharedQueue<number>, n: number): Timed<number> {
  const start = performance.timeOrigin + performance.now();
  for (let i = 1; i <= n; i++) out.putSync(i); // blocks while A is full
  out.shutdown();
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: n, start, end: performance.timeOrigin + performance.now(), worker };
}

/** What a transform did: the items it passed on and the milliseconds it computed. */
interface TransformCount {
  readonly items: number;
  readonly busyMs: number;
  /** Keeps the CPU work observable (never checked). */
  readonly check: number;
}

/**
 * Stage 2: takes items from `input` until it is shut down and empty, spends `itemMs` of CPU on
 * each, and puts its square into `out`.
 */
function transform(
  input: SharedQueue<number>,
  out: SharedQueue<number>,
  itemMs: number,
): Timed<TransformCount> {
  const start = performance.timeOrigin + performance.now();
  let items = 0;
  let busyMs = 0;
  let x = 1;
  for (const i of input) {
    const from = performance.now();
    const until = from + itemMs;
    do {
      for (let k = 0; k < 64; k++) x = (Math.imul(x, 1103515245) + 12345 + i) | 0;
    } while (performance.now() < until);
    busyMs += performance.now() - from;
    out.putSync(i * i);
    items++;
  }
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  const value = { items, busyMs, check: x };
  return { value, start, end: performance.timeOrigin + performance.now(), worker };
}

/** One progress message: `step` of `steps` done, sent at `at` (the worker's `wallClock()`). */
interface Progress {
  readonly step: number;
  readonly steps: number;
  readonly at: number;
}

/**
 * A long computation in `steps` steps of `stepMs` of CPU; after each it sends its progress on
 * `progress`, and closes it at the end. Returns a checksum of the work.
 */
function longTask(progress: Connection<Progress>, steps: number, stepMs: number): Timed<number> {
  const start = performance.timeOrigin + performance.now();
  let x = 1;
  for (let step = 1; step <= steps; step++) {
    const until = performance.now() + stepMs;
    do {
      for (let k = 0; k < 256; k++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    } while (performance.now() < until);
    progress.send({ step, steps, at: performance.timeOrigin + performance.now() });
  }
  progress.close();
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: x >>> 0, start, end: performance.timeOrigin + performance.now(), worker };
}

/** How the counter is incremented. */
type CountMode = 'unlocked' | 'lock' | 'add';

/**
 * Increments `counter` `times` times, once every task of the round has started: each adds 1 to
 * `gate[0]` and waits for `gate[1]` to become 1, so that they all count at the same time.
 * `unlocked` is Python's `counter.value += 1`; `lock` is `with counter.get_lock(): ...`; `add` is
 * one atomic read-modify-write.
 */
function count(
  counter: SharedValue,
  gate: SharedArray<'int32'>,
  mode: CountMode,
  times: number,
): Timed<number> {
  const flags = gate.array;
  Atomics.add(flags, 0, 1);
  Atomics.wait(flags, 1, 0, 10_000);
  const start = performance.timeOrigin + performance.now();
  if (mode === 'add') {
    for (let i = 0; i < times; i++) counter.add(1);
  } else if (mode === 'lock') {
    for (let i = 0; i < times; i++) {
      counter.lock.acquireSync();
      try {
        counter.value += 1;
      } finally {
        counter.lock.release();
      }
    }
  } else {
    for (let i = 0; i < times; i++) counter.value += 1;
  }
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: times, start, end: performance.timeOrigin + performance.now(), worker };
}

// ---- The main side.

const perSecond = (n: number, ms: number): string =>
  Math.round((n * 1000) / ms).toLocaleString('en-US');

/** Shuts `queues` down at once (queued items dropped, blocked workers woken); idempotent. */
function shutdownAll(...queues: SharedQueue<unknown>[]): void {
  for (const q of queues) q.shutdown({ immediate: true });
}

/**
 * Starts every worker of `pool` (they start on demand), so that the pipeline's times are those of
 * its stages, not of starting threads; resolves with how long that took.
 */
async function warmUp(pool: Executor, workers: number, signal: AbortSignal): Promise<number> {
  const start = performance.now();
  // Each task holds its worker for a moment, so that no worker runs two of them.
  const hold = (ms: number): number => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return ms;
  };
  await Promise.all(Array.from({ length: workers }, () => pool.submitWith({ signal }, hold, 10)));
  return performance.now() - start;
}

/** 1. producer -> A -> transforms -> B -> sink (main), with the sum of squares checked. */
async function pipeline(ctx: DemoContext, pool: Executor): Promise<void> {
  const { timeline, signal } = ctx;
  // One seed second of transform CPU in all, shared by the transforms.
  const itemMs = ctx.second / ITEMS;
  const a = new SharedQueue<number>(A_MAXSIZE);
  const b = new SharedQueue<number>();
  ctx.note(
    `pipeline: producer -> A (maxsize ${A_MAXSIZE}) -> ${TRANSFORMS} transforms -> B -> sink in main;`,
  );
  ctx.note(
    `${ITEMS.toLocaleString('en-US')} items, ${Math.round(itemMs * 1000)} µs of CPU each in a transform, which puts its square in B`,
  );
  try {
    const start = timeline.now();
    const producer = pool.submitWith({ signal }, produce, a, ITEMS);
    const transforms = Array.from({ length: TRANSFORMS }, () =>
      pool.submitWith({ signal }, transform, a, b, itemMs),
    );
    let sum = 0;
    let received = 0;
    let firstAt = NaN;
    let maxA = 0;
    let maxB = 0;
    const sink = async (): Promise<number> => {
      for await (const square of b) {
        if (received === 0) firstAt = timeline.now();
        sum += square;
        received++;
        maxA = Math.max(maxA, a.qsize());
        maxB = Math.max(maxB, b.qsize());
      }
      return timeline.now();
    };
    // B is shut down once every transform has returned: the sink's loop then ends when it is empty.
    const [made, done, sinkEnd] = await Promise.all([
      producer,
      Promise.all(transforms).then((results) => {
        b.shutdown();
        return results;
      }),
      sink(),
    ]);
    const total = sinkEnd - start;
    if (received === 0) firstAt = sinkEnd;

    drawPoolTask(ctx, 'producer', start, made);
    ctx.log(
      `producer (${made.worker}) put ${made.value} items in ${formatMs(made.end - made.start)}, then A.shutdown()`,
    );
    done.forEach((t, i) => {
      drawPoolTask(ctx, `transform ${i + 1}`, start, t);
      ctx.log(
        `transform ${i + 1} (${t.worker}): ${t.value.items} items, computing ${formatMs(t.value.busyMs)} of ${formatMs(t.end - t.start)}`,
      );
    });
    timeline.add('sink (main)', 'for await (x of B)', firstAt, sinkEnd, 'async');
    const expected = (ITEMS * (ITEMS + 1) * (2 * ITEMS + 1)) / 6;
    const ok = sum === expected && received === ITEMS;
    ctx.log(
      `sink (main): ${received} items, sum of squares ${sum.toLocaleString('en-US')}` +
        ` ${ok ? '=' : '!='} n(n+1)(2n+1)/6 = ${expected.toLocaleString('en-US')}`,
    );
    ctx.log(
      `queue depths seen by the sink: A up to ${maxA} of ${A_MAXSIZE}, B up to ${maxB}` +
        (maxA >= A_MAXSIZE - TRANSFORMS ? ' (A full: the producer waited for the transforms)' : ''),
    );
    const items = done.map((t) => t.value.items);
    ctx.time('producer', made.end - made.start, 'stage 1: putting the items into A');
    ctx.time(
      'transforms',
      Math.max(...done.map((t) => t.end)) - Math.min(...done.map((t) => t.start)),
      `stage 2: ${TRANSFORMS} tasks, ${items.join(' + ')} items`,
    );
    ctx.time('sink', sinkEnd - firstAt, 'stage 3: from the first item out of B to the last');
    ctx.time(
      'pipeline',
      total,
      `all ${ITEMS} items through 3 stages: ${perSecond(ITEMS, total)} items/s`,
    );
    ctx.result('pipeline', {
      items: ITEMS,
      received,
      sum,
      expected,
      ok,
      perTransform: items,
      itemsPerSecond: Math.round((ITEMS * 1000) / total),
      maxDepthA: maxA,
      maxDepthB: maxB,
    });
    if (!ok) {
      throw new Error(
        `the pipeline lost or changed items: ${received} items, sum ${sum} != ${expected}`,
      );
    }
  } finally {
    // Whatever happened (a failure, Ctrl-C), no worker stays blocked on a queue.
    shutdownAll(a, b);
  }
}

/** A line redrawn in place with `\r` on stderr when it is a terminal (as `tsio status` does). */
interface LiveLine {
  draw(text: string): void;
  clear(): void;
}

function liveLine(): LiveLine | null {
  const stream = process.stderr;
  if (!stream.isTTY) return null;
  let drawn = false;
  return {
    draw(text) {
      stream.write(`\r${text}\x1b[K`);
      drawn = true;
    },
    clear() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

const BAR_WIDTH = 20;

function barText(label: string, step: number, steps: number): string {
  const filled = Math.round((BAR_WIDTH * step) / steps);
  const percent = String(Math.floor((100 * step) / steps)).padStart(3);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}%  ${step}/${steps}`;
}

interface ProgressReport {
  readonly messages: number;
  readonly percent: number;
  readonly result: number;
  readonly meanLatencyMs: number;
  readonly maxLatencyMs: number;
}

/**
 * 2. The long task on `pool`, its progress drawn as it arrives: a bar redrawn in place on a
 * terminal, a line at every quarter otherwise.
 */
async function progressOn(
  ctx: DemoContext,
  pool: Executor,
  kind: 'threads' | 'processes',
): Promise<ProgressReport> {
  const { timeline, signal } = ctx;
  const stepMs = (LONG_TASK_SECONDS * ctx.second) / STEPS;
  const [rx, tx] = Pipe<Progress>({ duplex: false });
  const live = liveLine();
  const label = kind === 'threads' ? 'thread pool ' : 'process pool';
  const latencies: number[] = [];
  const arrivals: { at: number; label: string }[] = [];
  let step = 0;
  let quarter = 0;
  const submitted = timeline.now();
  const future = pool.submitWith({ signal }, longTask, tx, STEPS, stepMs);
  const reading = async (): Promise<void> => {
    for await (const m of rx) {
      const now = timeline.now();
      latencies.push(now - m.at);
      step = m.step;
      arrivals.push({ at: now, label: `${m.step}/${m.steps}` });
      if (live !== null) {
        live.draw(`   ${barText(label, m.step, m.steps)}  ${formatMs(now - submitted)}`);
      } else {
        while (4 * m.step >= (quarter + 1) * m.steps) {
          quarter++;
          ctx.log(barText(label, m.step, m.steps));
        }
      }
    }
  };
  let timed: Timed<number>;
  try {
    // The loop ends when the task closes its end of the pipe.
    [timed] = await Promise.all([future, reading()]);
  } catch (e) {
    // The task failed or was cancelled: close both ends so that the reading stops too.
    tx.close();
    rx.close();
    throw e;
  } finally {
    live?.clear();
  }
  drawPoolTask(ctx, `long task: ${kind}`, submitted, timed);
  for (const { at, label } of arrivals) timeline.add(`${kind}: progress`, label, at, at, 'mark');
  const mean = latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length);
  const max = Math.max(0, ...latencies);
  if (kind === 'processes') {
    ctx.log(
      `process pool: the task started ${formatMs(timed.start - submitted)} after submit (a new Node process)`,
    );
  }
  ctx.log(
    `${label.trim()}: ${timed.worker} done, result 0x${timed.value.toString(16)}; ${latencies.length} progress messages,` +
      ` send -> main ${formatMs(mean)} on average, ${formatMs(max)} at most`,
  );
  ctx.time(
    kind === 'threads' ? 'progressThreads' : 'progressProcesses',
    timeline.now() - submitted,
    `a ${LONG_TASK_SECONDS} s task on the ${label.trim()}, progress drawn live in the main thread`,
  );
  return {
    messages: latencies.length,
    percent: Math.floor((100 * step) / STEPS),
    result: timed.value,
    meanLatencyMs: Number(mean.toFixed(3)),
    maxLatencyMs: Number(max.toFixed(3)),
  };
}

/** 3. One round of `count` on `COUNTERS` threads at once; resolves with the final value. */
async function countRound(ctx: DemoContext, pool: Executor, mode: CountMode): Promise<number> {
  const { timeline, signal } = ctx;
  const counter = new SharedValue('int32', 0);
  const gate = new SharedArray('int32', 2);
  const flags = gate.array;
  const futures = Array.from({ length: COUNTERS }, () =>
    pool.submitWith({ signal }, count, counter, gate, mode, INCREMENTS),
  );
  // Every task waits at the gate until all have started: then they count at the same time.
  while (Atomics.load(flags, 0) < COUNTERS && !futures.some((f) => f.done())) {
    await sleep(1, undefined, { signal });
  }
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  const start = timeline.now();
  const done = await Promise.all(futures);
  const took = timeline.now() - start;
  for (const t of done) timeline.add(`counter: ${mode}`, t.worker, t.start, t.end, 'busy');
  const expected = COUNTERS * INCREMENTS;
  const what = {
    unlocked: 'counter.value += 1 without the lock',
    lock: 'with counter.get_lock(): counter.value += 1',
    add: 'counter.add(1), one atomic operation',
  }[mode];
  const value = counter.value;
  const lost = expected - value;
  ctx.log(
    `${what}: ${value.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')}` +
      (lost === 0 ? ' (exact)' : ` (${lost.toLocaleString('en-US')} updates lost)`),
  );
  ctx.time(
    `counter${mode[0]!.toUpperCase()}${mode.slice(1)}`,
    took,
    `${COUNTERS} threads x ${INCREMENTS.toLocaleString('en-US')} increments, ${perSecond(expected, took)}/s`,
  );
  return value;
}

/** `channels`: Pipe, Queue and Value of multiprocessing, between pool workers and the main thread. */
export const channels: Demo = {
  name: 'channels',
  title: 'tsio/channels: a SharedQueue pipeline in a pool, progress through a Pipe, a SharedValue',
  python:
    'q = multiprocessing.Queue(); parent, child = multiprocessing.Pipe(); child.send(progress); with v.get_lock(): v.value += 1',
  seed: 'line 577 (多线程与多进程: Pipe, Queue, Pool)',
  async run(ctx) {
    const cores = availableParallelism();
    {
      // Enough threads for every stage of the pipeline, and for the counters, at once: a stage
      // blocked on a queue holds its thread.
      const workers = Math.max(COUNTERS, 1 + TRANSFORMS);
      await using threads = new ThreadPoolExecutor({
        maxWorkers: workers,
        name: 'channels',
        gracePeriod: CANCEL_GRACE_MS,
      });
      const startup = await ctx.timeline.span(
        'thread start-up',
        `${workers} threads`,
        () => warmUp(threads, workers, ctx.signal),
        'queued',
      );
      ctx.time(
        'threadStartup',
        startup,
        `starting the pool's ${workers} threads (not counted below)`,
      );
      await pipeline(ctx, threads);
      const progress: Record<string, ProgressReport> = {};
      progress['threads'] = await progressOn(ctx, threads, 'threads');
      {
        await using processes = new ProcessPoolExecutor({
          maxWorkers: 1,
          name: 'channels',
          gracePeriod: CANCEL_GRACE_MS,
        });
        progress['processes'] = await progressOn(ctx, processes, 'processes');
      }
      ctx.result('progress', progress);

      ctx.note(
        `a shared counter: ${COUNTERS} threads add 1 to one SharedValue ${INCREMENTS.toLocaleString('en-US')} times each, together:`,
      );
      const counter: Record<string, number> = { expected: COUNTERS * INCREMENTS };
      if (cores >= 2) {
        counter['unlocked'] = await countRound(ctx, threads, 'unlocked');
      } else {
        ctx.log(
          '(one core: threads that take turns rarely lose updates; the unlocked round is skipped)',
        );
      }
      counter['lock'] = await countRound(ctx, threads, 'lock');
      counter['add'] = await countRound(ctx, threads, 'add');
      ctx.result('counter', counter);
    }
    ctx.note(
      'As the seed says of Queue (线程安全: thread-safe, no lock of your own), a SharedQueue',
    );
    ctx.note(
      'takes many producers and consumers: items are copied into a SharedArrayBuffer that every',
    );
    ctx.note('thread maps, and a task in a child process reaches it through its pool. Only the');
    ctx.note("counter's read-modify-write needed a lock (or one atomic add).");
  },
};
