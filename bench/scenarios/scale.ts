/**
 * Scope `scale`: millions of awaitables, and the memory a pending task costs.
 * Variants: `tsio-gather-calls`, `tsio-gather-tasks`, `tsio-wait-tasks` (time, and that they
 * complete), `tsio-pending-memory`, `js-pending-memory` (bytes per pending task; run with
 * `--expose-gc`).
 */
import { Event, createTask, gather, wait } from 'tsio';
import { expectEqual, fullGc, runScenario, timed, type Measured } from './harness.js';

const f = async (): Promise<number> => 1;

/** Lets every started body run up to its first real wait. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Makes n pending waiters with `make`, measures the heap and RSS they hold (after a full GC, the
 * array holding them included), then releases them with `release` and waits for all.
 */
async function pendingMemory(
  n: number,
  make: () => PromiseLike<number>[],
  release: () => void,
  all: (pending: PromiseLike<number>[]) => PromiseLike<number[]>,
): Promise<Measured> {
  const gcExposed = fullGc();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const pending = make();
  await nextMacrotask();
  const createMs = performance.now() - t0;
  fullGc();
  const after = process.memoryUsage();
  release();
  const results = await all(pending);
  const ms = performance.now() - t0;
  expectEqual('results.length', results.length, n);
  return {
    ms,
    createMs,
    heapPerTask: (after.heapUsed - before.heapUsed) / n,
    rssPerTask: (after.rss - before.rss) / n,
    gcExposed,
  };
}

await runScenario('scale', {
  'tsio-gather-calls': async (n) => {
    const { ms, value } = await timed(async () => gather(Array.from({ length: n }, () => f())));
    expectEqual('results.length', value.length, n);
    return { ms, completed: true };
  },
  'tsio-gather-tasks': async (n) => {
    const { ms, value } = await timed(async () =>
      gather(Array.from({ length: n }, () => createTask(f))),
    );
    expectEqual('results.length', value.length, n);
    return { ms, completed: true };
  },
  'tsio-wait-tasks': async (n) => {
    const { ms, value } = await timed(() => wait(Array.from({ length: n }, () => createTask(f))));
    expectEqual('done.size', value.done.size, n);
    expectEqual('pending.size', value.pending.size, 0);
    return { ms, completed: true };
  },
  /** n tasks, each parked on one shared `Event`. */
  'tsio-pending-memory': (n) => {
    const event = new Event();
    const body = async (): Promise<number> => {
      await event.wait();
      return 1;
    };
    return pendingMemory(
      n,
      () => Array.from({ length: n }, () => createTask(body)),
      () => event.set(),
      (tasks) => gather(tasks),
    );
  },
  /** The JS floor: n async function calls, each awaiting one shared promise. */
  'js-pending-memory': (n) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const body = async (): Promise<number> => {
      await gate;
      return 1;
    };
    return pendingMemory(
      n,
      () => Array.from({ length: n }, () => body()),
      () => open(),
      (calls) => Promise.all(calls),
    );
  },
});
