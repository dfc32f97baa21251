/**
 * Scope `semaphore`: n trivial async work items, at most 16 in flight.
 * tsio forms: `tsio-sem-hold`, `tsio-sem-acquire`, `tsio-runners`; peers: `p-map`, `p-limit`,
 * `p-queue`, `async-mutex-sem`, `async-sema`, `hand-pool`.
 */
import { Semaphore as MutexSemaphore } from 'async-mutex';
import { Sema } from 'async-sema';
import pLimit from 'p-limit';
import pMap from 'p-map';
import PQueue from 'p-queue';
import { Semaphore, createTask, gather } from 'tsio';
import { expectEqual, range, runScenario, sumTo, timed, type Measured } from './harness.js';

const LIMIT = 16;

const work = async (i: number): Promise<number> => i;

/** Times `run` over `[0, n)` (the items are made outside the timing) and checks the results. */
async function bounded(n: number, run: (items: number[]) => Promise<number[]>): Promise<Measured> {
  const items = range(n);
  const { ms, value } = await timed(() => run(items));
  expectEqual('results.length', value.length, n);
  let sum = 0;
  for (const v of value) sum += v;
  expectEqual('sum of results', sum, sumTo(n));
  return { ms };
}

/** 16 loops sharing one index: the hand-written pool and the tsio runner tasks. */
function runnerLoop(items: number[], results: number[]): () => Promise<void> {
  let next = 0;
  return async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
}

await runScenario('semaphore', {
  'tsio-sem-hold': (n) =>
    bounded(n, async (items) => {
      const sem = new Semaphore(LIMIT);
      return gather(items.map((i) => sem.hold(() => work(i))));
    }),
  'tsio-sem-acquire': (n) =>
    bounded(n, async (items) => {
      const sem = new Semaphore(LIMIT);
      return gather(
        items.map(async (i) => {
          await sem.acquire();
          try {
            return await work(i);
          } finally {
            sem.release();
          }
        }),
      );
    }),
  'tsio-runners': (n) =>
    bounded(n, async (items) => {
      const results = new Array<number>(items.length);
      const loop = runnerLoop(items, results);
      await gather(Array.from({ length: LIMIT }, () => createTask(loop)));
      return results;
    }),
  'hand-pool': (n) =>
    bounded(n, async (items) => {
      const results = new Array<number>(items.length);
      const loop = runnerLoop(items, results);
      await Promise.all(Array.from({ length: LIMIT }, () => loop()));
      return results;
    }),
  'p-map': (n) => bounded(n, (items) => pMap(items, work, { concurrency: LIMIT })),
  'p-limit': (n) =>
    bounded(n, (items) => {
      const limit = pLimit(LIMIT);
      return Promise.all(items.map((i) => limit(() => work(i))));
    }),
  'p-queue': (n) =>
    bounded(n, (items) => {
      const queue = new PQueue({ concurrency: LIMIT });
      return Promise.all(items.map((i) => queue.add(() => work(i))));
    }),
  'async-mutex-sem': (n) =>
    bounded(n, (items) => {
      const sem = new MutexSemaphore(LIMIT);
      return Promise.all(items.map((i) => sem.runExclusive(() => work(i))));
    }),
  'async-sema': (n) =>
    bounded(n, (items) => {
      const sema = new Sema(LIMIT);
      return Promise.all(
        items.map(async (i) => {
          await sema.acquire();
          try {
            return await work(i);
          } finally {
            sema.release();
          }
        }),
      );
    }),
});
