import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, gather, TimeoutError, WorkerCrashedError } from 'tsio';
import {
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  WorkerCrashedError as FromExecutors,
} from 'tsio/executors';
import { whoAmI } from '../fixtures/executors/tasks.js';

type Kind = 'thread' | 'process';

function make(kind: Kind, options: Record<string, unknown> = {}) {
  return kind === 'thread'
    ? new ThreadPoolExecutor({ maxWorkers: 1, ...options })
    : new ProcessPoolExecutor({ maxWorkers: 1, ...options });
}

const exit = (code: number): never => process.exit(code);
const throwFromTimer = (): Promise<never> =>
  new Promise(() => {
    setTimeout(() => {
      throw new Error('boom from a timer');
    }, 1);
  });
const spin = (): never => {
  for (;;) {
    // an infinite loop: only terminating the worker stops it
  }
};
const identity = (x: number): number => x;

describe('worker crashes', () => {
  test('WorkerCrashedError is the same class from both entries', () => {
    assert.equal(WorkerCrashedError, FromExecutors);
  });

  for (const kind of ['thread', 'process'] as const) {
    describe(`${kind} pool`, () => {
      test('process.exit() in a task fails that task only; the tasks handed with it still run', async () => {
        await using pool = make(kind);
        const before = pool.submit(identity, 1);
        const crash = pool.submit(exit, 7);
        const after = Array.from({ length: 5 }, (_, i) => pool.submit(identity, 10 + i));
        await assert.rejects(crash, (e: WorkerCrashedError) => {
          assert.ok(e instanceof WorkerCrashedError);
          assert.equal(e.code, 'ERR_TSIO_WORKER_CRASHED');
          assert.equal(e.exitCode, 7);
          assert.match(e.message, /exited with code 7/);
          return true;
        });
        assert.equal(await before, 1);
        assert.deepEqual(await gather(after), [10, 11, 12, 13, 14]);
        assert.equal(pool.stats().crashes, 1);
      });

      test('an uncaught exception thrown from a timer fails the running task', async () => {
        await using pool = make(kind);
        const queued = [1, 2, 3].map((x) => pool.submit(identity, x));
        const crash = pool.submit(throwFromTimer);
        const behind = pool.submit(identity, 4);
        await assert.rejects(crash, (e: WorkerCrashedError) => {
          assert.ok(e instanceof WorkerCrashedError);
          assert.match(e.message, /uncaught Error: boom from a timer/);
          assert.match((e.cause as Error).message, /boom from a timer/);
          return true;
        });
        assert.deepEqual(await gather([...queued, behind]), [1, 2, 3, 4]);
      });

      test('an infinite loop is stopped by its timeout and the worker replaced', async () => {
        await using pool = make(kind, { gracePeriod: 50 });
        const who = await pool.submit(whoAmI);
        const looping = pool.submitWith({ timeout: 100 }, spin);
        const behind = [1, 2].map((x) => pool.submit(identity, x));
        await assert.rejects(
          looping,
          (e: Error) => e instanceof TimeoutError && /100 ms/.test(e.message),
        );
        assert.deepEqual(await gather(behind), [1, 2]);
        assert.notEqual(await pool.submit(whoAmI), who, 'a new worker runs the next tasks');
      });

      test('an infinite loop is stopped by its signal after the grace period', async () => {
        await using pool = make(kind, { gracePeriod: 50 });
        const controller = new AbortController();
        const looping = pool.submitWith({ signal: controller.signal }, spin);
        const behind = pool.submit(identity, 5);
        for (let i = 0; i < 1000 && !looping.running(); i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.equal(looping.running(), true);
        controller.abort();
        await assert.rejects(looping, CancelledError);
        assert.equal(await behind, 5);
        assert.equal(pool.stats().workers, 1);
      });

      test('a worker killed from outside fails only what it was running', async () => {
        await using pool = make(kind);
        const killer =
          kind === 'thread'
            ? () => {
                // A thread cannot be SIGKILLed alone: abort it the hard way.
                process.exit(137);
              }
            : () => {
                process.kill(process.pid, 'SIGKILL');
              };
        const crash = pool.submit(killer);
        const behind = [1, 2, 3].map((x) => pool.submit(identity, x));
        await assert.rejects(crash, WorkerCrashedError);
        assert.deepEqual(await gather(behind), [1, 2, 3]);
        if (kind === 'process') {
          const e = (await crash.then(undefined, (error: unknown) => error)) as WorkerCrashedError;
          assert.equal(e.signal, 'SIGKILL');
          assert.equal(e.exitCode, null);
        }
      });
    });
  }

  test('a thread that runs out of memory under resourceLimits fails its task', async () => {
    await using pool = new ThreadPoolExecutor({
      maxWorkers: 1,
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    const hog = pool.submit(() => {
      const keep: unknown[] = [];
      for (;;) keep.push(new Array(100_000).fill(keep.length));
    });
    const behind = pool.submit(identity, 9);
    await assert.rejects(hog, (e: WorkerCrashedError) => {
      assert.ok(e instanceof WorkerCrashedError);
      assert.match(e.message, /ran out of memory/);
      return true;
    });
    assert.equal(await behind, 9);
  });

  test('a transferred buffer cannot be re-sent: its task fails rather than run without it', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const crash = pool.submit(exit, 1);
    const buffer = new ArrayBuffer(8);
    const carried = pool.submitWith(
      { transfer: [buffer] },
      (b: ArrayBuffer) => b.byteLength,
      buffer,
    );
    await assert.rejects(crash, WorkerCrashedError);
    // Handed with the crashing task, it cannot be re-sent: it fails rather than run on an empty
    // buffer.
    await assert.rejects(carried, /transferred objects were lost/);
  });
});
