// Random interleavings of submit, cancel, signals, timeouts and crashes on a thread pool: every
// future settles, a task whose cancel() returned true never runs, every other task runs at most
// once, and the results are right.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CancelledError, TimeoutError, WorkerCrashedError } from 'tsio';
import { ThreadPoolExecutor, type ExecutorFuture } from 'tsio/executors';

type Op =
  | { kind: 'quick'; value: number }
  | { kind: 'block'; ms: number }
  | { kind: 'crash' }
  | { kind: 'timeout'; ms: number }
  | { kind: 'signal'; abortAfter: number }
  | { kind: 'cancel'; which: number }
  | { kind: 'pause'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('quick' as const), value: fc.integer() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('block' as const),
      ms: fc.integer({ min: 1, max: 15 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('timeout' as const),
      ms: fc.integer({ min: 1, max: 20 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('signal' as const),
      abortAfter: fc.integer({ min: 0, max: 20 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), which: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('pause' as const),
      ms: fc.integer({ min: 0, max: 10 }),
    }),
  },
);

/** Marks its slot in the shared counter, optionally blocks, returns its value. */
function work(counter: Int32Array, slot: number, ms: number, value: number): number {
  Atomics.add(counter, slot, 1);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return value;
}

function crash(counter: Int32Array, slot: number): never {
  Atomics.add(counter, slot, 1);
  process.exit(3);
}

describe('thread pool under random interleavings', () => {
  test('every future settles; cancelled tasks never run; the rest run at most once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        async (ops, maxWorkers) => {
          const pool = new ThreadPoolExecutor({ maxWorkers, gracePeriod: 20 });
          const counter = new Int32Array(new SharedArrayBuffer(4 * ops.length));
          const futures: { f: ExecutorFuture<number>; slot: number; op: Op }[] = [];
          const cancelledByCall = new Set<number>();
          const timers: NodeJS.Timeout[] = [];
          try {
            // Start every worker first, so that cancels meet handed and running tasks too.
            const warm = new Int32Array(new SharedArrayBuffer(4 * maxWorkers));
            await Promise.all(
              Array.from({ length: maxWorkers }, (_, i) => pool.submit(work, warm, i, 5, 0)),
            );
            for (const [slot, o] of ops.entries()) {
              switch (o.kind) {
                case 'quick':
                  futures.push({ f: pool.submit(work, counter, slot, 0, o.value), slot, op: o });
                  break;
                case 'block':
                  futures.push({ f: pool.submit(work, counter, slot, o.ms, slot), slot, op: o });
                  break;
                case 'crash':
                  futures.push({ f: pool.submit(crash, counter, slot), slot, op: o });
                  break;
                case 'timeout':
                  futures.push({
                    f: pool.submitWith({ timeout: o.ms }, work, counter, slot, 2 * o.ms, slot),
                    slot,
                    op: o,
                  });
                  break;
                case 'signal': {
                  const controller = new AbortController();
                  timers.push(setTimeout(() => controller.abort(), o.abortAfter));
                  futures.push({
                    f: pool.submitWith(
                      { signal: controller.signal },
                      work,
                      counter,
                      slot,
                      10,
                      slot,
                    ),
                    slot,
                    op: o,
                  });
                  break;
                }
                case 'cancel': {
                  // Mostly recent tasks: queued, handed to a worker or running.
                  const target =
                    futures[
                      futures.length - 1 - (o.which % Math.min(6, Math.max(1, futures.length)))
                    ];
                  if (target !== undefined && target.f.cancel()) cancelledByCall.add(target.slot);
                  break;
                }
                case 'pause':
                  // Lets the pool hand tasks to workers, so later cancels meet every state.
                  await new Promise((resolve) => setTimeout(resolve, o.ms));
                  break;
              }
            }
            const outcomes = await Promise.allSettled(futures.map(({ f }) => f));
            for (const t of timers) clearTimeout(t);
            outcomes.forEach((outcome, i) => {
              const { f, slot, op: o } = futures[i]!;
              const ran = counter[slot]!;
              assert.ok(f.done(), 'every future settles');
              assert.ok(ran <= 1, `task ${slot} (${o.kind}) ran ${ran} times`);
              if (cancelledByCall.has(slot)) {
                assert.equal(ran, 0, `task ${slot} ran although cancel() returned true`);
                assert.equal(f.cancelled(), true);
                return;
              }
              if (outcome.status === 'fulfilled') {
                assert.equal(ran, 1);
                assert.equal(outcome.value, o.kind === 'quick' ? o.value : slot);
                return;
              }
              const e = outcome.reason as Error;
              if (o.kind === 'crash') assert.ok(e instanceof WorkerCrashedError, String(e));
              else if (o.kind === 'timeout') assert.ok(e instanceof TimeoutError, String(e));
              else if (o.kind === 'signal') assert.ok(e instanceof CancelledError, String(e));
              else assert.fail(`task ${slot} (${o.kind}) failed: ${String(e)}`);
            });
          } finally {
            for (const t of timers) clearTimeout(t);
            await pool.shutdown({ cancelFutures: true });
          }
          assert.equal(pool.stats().workers, 0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
