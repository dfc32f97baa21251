/**
 * The seed's "多线程" and "多进程" programs: `submit` with `done()` before and after and
 * `result()`; `executor.map(a, [3, 2, 4])` giving results in input order against `as_completed`
 * giving them as they finish; and a `ProcessPoolExecutor` mapping `a` over `[60, 30, 40]`.
 */
import { asCompleted, sleep } from '../../index.js';
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../../executors/index.js';
import type { Demo, Timed } from './demo.js';
import { drawPoolTask } from './pool-task.js';

/**
 * Milliseconds a cancelled task may keep its worker (blocked in `Atomics.wait`, it cannot see the
 * abort) before the worker is stopped: Ctrl-C closes the demo's pool at once.
 */
export const CANCEL_GRACE_MS = 50;

/** The seed's `a(n)`: `time.sleep(n); return n`, blocking its worker; `unit` is one second in ms. */
function a(n: number, unit: number): Timed<number> {
  const start = performance.timeOrigin + performance.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n * unit);
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: n, start, end: performance.timeOrigin + performance.now(), worker };
}

/** `a` for `map`, which passes one item: `[n, unit]`. Self-contained like `a`. */
function aPair([n, unit]: readonly [number, number]): Timed<number> {
  const start = performance.timeOrigin + performance.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n * unit);
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: n, start, end: performance.timeOrigin + performance.now(), worker };
}

const SP = [3, 2, 4] as const;

/** `map-order`: `map` keeps input order (3, 2, 4); `as_completed` gives 2, 3, 4. */
export const mapOrder: Demo = {
  name: 'map-order',
  title: 'ThreadPoolExecutor: done()/result(), map keeps input order, as_completed does not',
  python:
    'z = executor.submit(a, 1); z.done(); for data in executor.map(a, [3, 2, 4]): ...; as_completed(jobs)',
  seed: 'lines 583-617 (多线程)',
  async run(ctx) {
    const { timeline, signal } = ctx;
    await using executor = new ThreadPoolExecutor({
      maxWorkers: 10,
      name: 'executor',
      gracePeriod: CANCEL_GRACE_MS,
    });

    // 方法一: submit returns at once; done() says whether it has finished; result() gives it.
    let submitted = timeline.now();
    const z = executor.submitWith({ signal }, a, 1, ctx.second);
    ctx.log(`z = submit(a, 1); z.done() = ${z.done()}`);
    await timeline.span('main', 'sleep(2)', () => sleep(2 * ctx.second, undefined, { signal }));
    ctx.log(
      `after 2 s: z.done() = ${z.done()}, z.result() = ${z.done() ? z.result().value : '(not yet)'}`,
    );
    drawPoolTask(ctx, 'z = a(1)', submitted, await z);

    // 方法二: map, results in input order.
    submitted = timeline.now();
    const mapped: number[] = [];
    const mappedAt: number[] = [];
    for await (const data of executor.map(
      aPair,
      SP.map((n) => [n, ctx.second] as const),
      { signal },
    )) {
      mappedAt.push(timeline.now() - submitted);
      mapped.push(data.value);
      timeline.mark('map: main', `got ${data.value}`);
      drawPoolTask(ctx, `map a(${data.value})`, submitted, data);
      ctx.log(`map -> ${data.value}`);
    }
    ctx.time(
      'map',
      timeline.now() - submitted,
      `map gave ${mapped.join(', ')}: input order; 3 waited for the 3 s task, 2 came with it`,
    );

    // 方法三: submit each, as_completed: results as they finish.
    submitted = timeline.now();
    const jobs = SP.map((s) => executor.submitWith({ signal }, a, s, ctx.second));
    const completed: number[] = [];
    for (const future of asCompleted(jobs)) {
      const data = await future;
      completed.push(data.value);
      timeline.mark('as_completed: main', `got ${data.value}`);
      drawPoolTask(ctx, `as_completed a(${data.value})`, submitted, data);
      ctx.log(`as_completed -> ${data.value}`);
    }
    ctx.time(
      'asCompleted',
      timeline.now() - submitted,
      `as_completed gave ${completed.join(', ')}: each when it finished`,
    );
    ctx.time(
      'mapFirst',
      mappedAt[0] ?? NaN,
      'map handed over its first result at 3 s (the 3 s task)',
    );
    ctx.result('map', mapped);
    ctx.result('asCompleted', completed);
  },
};

/** `process-pool`: `ProcessPoolExecutor(max_workers=10).map(a, [60, 30, 40])`. */
export const processPool: Demo = {
  name: 'process-pool',
  title: 'ProcessPoolExecutor(max_workers=10): map(a, [60, 30, 40]), every process started at once',
  python:
    'executor = ProcessPoolExecutor(max_workers=10); for result in executor.map(a, [60, 30, 40]): print(result)',
  seed: 'lines 619-643 (多进程)',
  async run(ctx) {
    const { timeline, signal } = ctx;
    // The seed's 60 s would make this a one-minute demo: here a seed second is a tenth as long.
    const unit = ctx.second / 10;
    ctx.note(`the seed's 60, 30 and 40 s run at a tenth of the scale: 1 s = ${unit} ms here`);
    await using executor = new ProcessPoolExecutor({
      maxWorkers: 10,
      name: 'executor',
      gracePeriod: CANCEL_GRACE_MS,
    });
    const submitted = timeline.now();
    const results: number[] = [];
    let firstStart = Infinity;
    // executor.map(a, [60, 30, 40]), as submits awaited in input order: map's own signal, as
    // Python's, cancels only the tasks not started, and Ctrl-C must stop the 60 s one too.
    const futures = [60, 30, 40].map((n) => executor.submitWith({ signal }, a, n, unit));
    for (const future of futures) {
      const r = await future;
      results.push(r.value);
      firstStart = Math.min(firstStart, r.start);
      drawPoolTask(ctx, `a(${r.value})`, submitted, r);
      timeline.mark('main', `got ${r.value}`);
      ctx.log(`map -> ${r.value} (ran on ${r.worker})`);
    }
    const workers = executor.stats().workers;
    ctx.log(
      `processes started for 3 tasks: ${workers} (a process pool starts all max_workers at once)`,
    );
    ctx.time(
      'startup',
      firstStart - submitted,
      'from the first submit to a task running: starting 10 Node processes',
    );
    ctx.time(
      'total',
      timeline.now() - submitted,
      'map: 60, 30, 40 in input order, done with the 60 s task (plus start-up)',
    );
    ctx.result('map', results);
    ctx.result('processes', workers);
  },
};
