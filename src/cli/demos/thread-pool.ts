/**
 * The seed's "concurrent的future": `ThreadPoolExecutor(max_workers=5)` and ten
 * `pool1.submit(func, i)`, each future printed; then, beyond the seed, what the futures say
 * (`running()`, `done()`) and their `result()`.
 */
import { gather, sleep } from '../../index.js';
import { ThreadPoolExecutor } from '../../executors/index.js';
import type { Future } from '../../index.js';
import type { Demo, Timed } from './demo.js';
import { drawPoolTask } from './pool-task.js';

/**
 * The seed's `func(value)`: `time.sleep(1); print(value); return 123`. It runs on a pool thread,
 * travels there as source (so it is self-contained), blocks its thread and reports when it ran.
 */
function func(_value: number, second: number): Timed<number> {
  const start = performance.timeOrigin + performance.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, second);
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: 123, start, end: performance.timeOrigin + performance.now(), worker };
}

/** Python's `repr` of a concurrent future, `<Future state=...>`. */
function describeFuture(f: Future<unknown>): string {
  const state = f.cancelled()
    ? 'cancelled'
    : f.done()
      ? 'finished'
      : f.running()
        ? 'running'
        : 'pending';
  return `<Future state=${state}>`;
}

/** Counts futures by state: `5 running, 5 pending`. */
function stateCounts(futures: readonly Future<unknown>[]): string {
  const counts = new Map<string, number>();
  for (const f of futures) {
    const state = /state=(\w+)/.exec(describeFuture(f))?.[1] ?? '?';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

/** Waits (polling every few ms) until `condition()` holds or `limit` ms have passed. */
async function until(condition: () => boolean, limit: number, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + limit;
  while (!condition() && performance.now() < deadline) await sleep(2, undefined, { signal });
}

/** `thread-pool`: ten one-second tasks on five threads take two seconds. */
export const threadPool: Demo = {
  name: 'thread-pool',
  title: 'ThreadPoolExecutor(max_workers=5): submit func(i) ten times; futures, done(), result()',
  python:
    'pool1 = ThreadPoolExecutor(max_workers=5); for i in range(10): fut = pool1.submit(func, i); print(fut)',
  seed: 'lines 307-331 (concurrent的future)',
  async run(ctx) {
    const { timeline, signal } = ctx;
    await using pool1 = new ThreadPoolExecutor({ maxWorkers: 5, name: 'pool1' });
    const submitted = timeline.now();
    const futs: Future<Timed<number>>[] = [];
    for (let i = 0; i < 10; i++) futs.push(pool1.submit(func, i, ctx.second));
    const printed = [...new Set(futs.map(describeFuture))];
    ctx.log(
      `print(fut) after each submit: ${printed.length === 1 ? `10 x ${printed[0]}` : futs.map(describeFuture).join(' ')}`,
    );
    ctx.log(`submit returns at once: done() of the first is ${futs[0]?.done()}`);

    await until(() => futs.filter((f) => f.running()).length >= 5, 5 * ctx.second, signal);
    ctx.log(`once the threads are up: ${stateCounts(futs)} (5 workers)`);

    const results = await gather(futs);
    const total = timeline.now() - submitted;
    results.forEach((r, i) => drawPoolTask(ctx, `func(${i})`, submitted, r));
    ctx.log(`all done: ${stateCounts(futs)}`);
    ctx.log(`result() of each: ${futs.map((f) => f.result().value).join(', ')}`);
    const firstStart = Math.min(...results.map((r) => r.start));
    ctx.time(
      'startup',
      firstStart - submitted,
      'from submit to the first task running (threads start on demand)',
    );
    const lastEnd = Math.max(...results.map((r) => r.end));
    ctx.time(
      'rounds',
      lastEnd - firstStart,
      '10 tasks of 1 s on 5 threads, once they are up: two rounds, 2 s',
    );
    ctx.time('total', total, 'from the first submit to the last result, thread start-up included');
    ctx.result('threads', new Set(results.map((r) => r.worker)).size);
    ctx.result(
      'results',
      results.map((r) => r.value),
    );
  },
};
