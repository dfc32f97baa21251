/**
 * The seed's "多线程与多进程" lesson, measured: CPU-bound work on a thread pool against a process
 * pool, against the same work done serially. Python's GIL lets one thread run Python code at a
 * time, so the seed sends CPU work to processes; a Node worker thread has its own JavaScript engine,
 * so threads run in parallel too. The demo prints the cores, the speed-ups and the parallel
 * efficiency it measured (speed-up / workers), whatever they are.
 */
import { availableParallelism, loadavg } from 'node:os';
import { gather } from '../../index.js';
import { ProcessPoolExecutor, ThreadPoolExecutor } from '../../executors/index.js';
import type { Executor } from '../../executors/index.js';
import type { Demo, DemoContext, Timed } from './demo.js';
import { CANCEL_GRACE_MS } from './map-order.js';

/** CPU work: `rounds` steps of a linear congruential generator. Self-contained (sent as source). */
function spin(rounds: number): Timed<number> {
  const start = performance.timeOrigin + performance.now();
  let x = 1;
  for (let i = 0; i < rounds; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value: x, start, end: performance.timeOrigin + performance.now(), worker };
}

/** Milliseconds of CPU work in one job. */
const JOB_MS = 120;

/** The number of `spin` rounds that take about `ms` on this machine. */
function calibrate(ms: number): number {
  let rounds = 1 << 16;
  for (;;) {
    const t = spin(rounds);
    const took = t.end - t.start;
    if (took >= 25) return Math.max(1, Math.round((rounds * ms) / took));
    rounds *= 4;
  }
}

/** Starts every worker of `pool` (they start on demand) and returns how long that took. */
async function warmUp(pool: Executor, workers: number, signal: AbortSignal): Promise<number> {
  const start = performance.now();
  const block = (ms: number): number => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return ms;
  };
  await gather(Array.from({ length: workers }, () => pool.submitWith({ signal }, block, 20)));
  return performance.now() - start;
}

/** Runs `jobs` jobs of `rounds` on `pool`; draws them per worker; resolves with the wall time. */
async function runOn(
  ctx: DemoContext,
  pool: Executor,
  kind: string,
  jobs: number,
  rounds: number,
): Promise<number> {
  const start = ctx.timeline.now();
  const { signal } = ctx;
  const done = await gather(
    Array.from({ length: jobs }, () => pool.submitWith({ signal }, spin, rounds)),
  );
  const took = ctx.timeline.now() - start;
  for (const t of done) ctx.timeline.add(t.worker, 'spin', t.start, t.end, 'busy');
  return took;
}

/** `cpu`: threads against processes for CPU-bound work, with the speed-up and efficiency measured. */
export const cpu: Demo = {
  name: 'cpu',
  title: 'CPU-bound work: serial, thread pool, process pool; speed-up and parallel efficiency',
  python:
    'ProcessPoolExecutor for CPU-bound work (the GIL serialises threads), ThreadPoolExecutor for I/O',
  seed: 'lines 573-625 (多线程与多进程)',
  async run(ctx) {
    const { timeline } = ctx;
    const cores = availableParallelism();
    const workers = Math.min(8, cores);
    const jobs = 2 * workers;
    const rounds = calibrate(JOB_MS);
    ctx.note(`os.availableParallelism() = ${cores}; load average ${loadavg()[0]?.toFixed(2)}`);
    ctx.note(
      `${jobs} jobs of about ${JOB_MS} ms of CPU each; pools of ${workers} workers, started first`,
    );

    let start = timeline.now();
    for (let i = 0; i < jobs; i++) {
      // The serial jobs block the event loop: let a signal (Ctrl-C) in between two of them.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const t = spin(rounds);
      timeline.add('main thread', 'spin', t.start, t.end, 'busy');
    }
    const serial = timeline.now() - start;
    ctx.time('serial', serial, `${jobs} jobs one after the other on the main thread`);

    const measure = async (kind: string, pool: Executor): Promise<number> => {
      start = timeline.now();
      const startup = await warmUp(pool, workers, ctx.signal);
      timeline.add(`${kind} start-up`, `${workers} workers`, start, timeline.now(), 'queued');
      ctx.time(`${kind}Startup`, startup, `starting ${workers} ${kind} (not counted below)`);
      const took = await runOn(ctx, pool, kind, jobs, rounds);
      const speedup = serial / took;
      ctx.time(
        kind,
        took,
        `${kind}: speed-up ${speedup.toFixed(2)}x, efficiency ${((speedup / workers) * 100).toFixed(0)}% (speed-up / ${workers} workers)`,
      );
      ctx.result(`${kind}Speedup`, Number(speedup.toFixed(3)));
      ctx.result(`${kind}Efficiency`, Number((speedup / workers).toFixed(3)));
      return speedup;
    };
    {
      await using threads = new ThreadPoolExecutor({
        maxWorkers: workers,
        name: 'threads',
        gracePeriod: CANCEL_GRACE_MS,
      });
      await measure('threads', threads);
    }
    {
      await using processes = new ProcessPoolExecutor({
        maxWorkers: workers,
        name: 'processes',
        gracePeriod: CANCEL_GRACE_MS,
      });
      await measure('processes', processes);
    }
    ctx.note(
      'In Node both pools run JavaScript in parallel: a worker thread has its own engine and',
    );
    ctx.note(
      'event loop, so there is no GIL to serialise it. CPU-bound Python threads take turns on the',
    );
    ctx.note('GIL and would not speed this up: the reason the seed sends CPU work to processes.');
    const load = loadavg()[0] ?? 0;
    if (load > cores / 2) {
      ctx.note(
        `(load average ${load.toFixed(2)} on ${cores} cores: other work competed for the CPU,`,
      );
      ctx.note('so these speed-ups may be lower than this machine gives when idle)');
    }
    ctx.result('loadAverage', Number(load.toFixed(2)));
    ctx.result('cores', cores);
    ctx.result('workers', workers);
    ctx.result('jobs', jobs);
    ctx.result('jobMs', JOB_MS);
  },
};
