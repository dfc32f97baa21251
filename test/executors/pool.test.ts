import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asCompleted,
  CancelledError,
  FIRST_COMPLETED,
  Future,
  gather,
  InvalidStateError,
  TimeoutError,
  wait,
} from 'tsio';
import {
  BrokenProcessPoolError,
  BrokenThreadPoolError,
  ExecutorFuture,
  importTask,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  type Executor,
} from 'tsio/executors';
import {
  add,
  countCalls,
  init,
  initialized,
  sha256,
  waitForAbort,
  whoAmI,
} from '../fixtures/executors/tasks.js';

type Kind = 'thread' | 'process';
type AnyPool = ThreadPoolExecutor | ProcessPoolExecutor;

function make(kind: Kind, options: Record<string, unknown> = {}): AnyPool {
  return kind === 'thread'
    ? new ThreadPoolExecutor({ maxWorkers: 2, ...options })
    : new ProcessPoolExecutor({ maxWorkers: 2, ...options });
}

/** A task that blocks its worker for `ms` milliseconds. */
const block = (ms: number): number => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
};

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

for (const kind of ['thread', 'process'] as const) {
  const Broken = kind === 'thread' ? BrokenThreadPoolError : BrokenProcessPoolError;

  describe(`${kind} pool`, () => {
    test('submit returns a core Future that gather, wait and asCompleted accept', async () => {
      await using pool = make(kind);
      const f = pool.submit((a: number, b: number) => a + b, 2, 3);
      assert.ok(f instanceof Future);
      assert.ok(f instanceof ExecutorFuture);
      assert.equal(await f, 5);
      assert.equal(f.done(), true);
      assert.equal(f.result(), 5);
      const fs = [1, 2, 3].map((n) => pool.submit((x: number) => x * 10, n));
      assert.deepEqual(await gather(fs), [10, 20, 30]);
      const { done, pending } = await wait([pool.submit(block, 1), pool.submit(block, 2000)], {
        returnWhen: FIRST_COMPLETED,
      });
      assert.equal(done.size, 1);
      assert.equal(pending.size, 1);
      const seen: number[] = [];
      // Python's form: plain iteration yields awaitables in completion order.
      for (const next of asCompleted([pool.submit((x: number) => x, 7), pool.submit(block, 1)])) {
        seen.push(await next);
      }
      assert.deepEqual(seen.sort(), [1, 7]);
      for (const p of pending) p.cancel();
    });

    test('async functions run to completion before the worker takes its next task', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const sleepy = async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return Date.now();
      };
      const [a, b] = await gather([pool.submit(sleepy, 50), pool.submit(sleepy, 50)]);
      assert.ok(b - a >= 45, `second task started after the first finished (${b - a} ms apart)`);
    });

    test('errors keep their class, code, cause, extra properties and remote stack', async () => {
      await using pool = make(kind);
      const e = await pool
        .submit(() => {
          const err = new RangeError('too big', { cause: new Error('inner') });
          Object.assign(err, { code: 'E_BIG', limit: 10 });
          throw err;
        })
        .then(
          () => assert.fail('should fail'),
          (error: unknown) => error as RangeError & { code: string; limit: number },
        );
      assert.ok(e instanceof RangeError);
      assert.equal(e.message, 'too big');
      assert.equal(e.code, 'E_BIG');
      assert.equal(e.limit, 10);
      assert.equal((e.cause as Error).message, 'inner');
      assert.match(String(e.stack), /RangeError: too big/);
      assert.match(String(e.stack), /worker-main|eval/);
      const custom = await pool
        .submit(() => {
          class ParseError extends Error {
            override name = 'ParseError';
          }
          throw new ParseError('bad input');
        })
        .then(undefined, (error: unknown) => error as Error);
      assert.equal(custom.name, 'ParseError');
      assert.equal(custom.message, 'bad input');
      const value = await pool
        .submit(() => {
          throw { reason: 'not an Error' };
        })
        .then(undefined, (error: unknown) => error);
      assert.deepEqual(value, { reason: 'not an Error' });
      const tsioError = await pool
        .submit(async () => {
          const { TimeoutError: T } = await import('tsio');
          throw new T('remote timeout');
        })
        .then(undefined, (error: unknown) => error);
      assert.ok(tsioError instanceof TimeoutError);
    });

    test('a function using variables from outside its body fails with an explanation', async () => {
      await using pool = make(kind);
      const factor = 3;
      const e = await pool
        .submit((x: number) => x * factor, 2)
        .then(undefined, (error: unknown) => error as Error);
      assert.ok(e instanceof ReferenceError);
      assert.match(e.message, /factor is not defined/);
      assert.match(e.message, /sent to the worker as source.*pass them as arguments/);
    });

    test('functions that cannot be sent throw at submit', async () => {
      await using pool = make(kind);
      assert.throws(() => pool.submit(Math.max, 1, 2), /native or bound function/);
      assert.throws(() => pool.submit(((x: number) => x).bind(null), 1), /native or bound/);
      class Thing {}
      assert.throws(() => pool.submit(Thing as unknown as () => void), /Class "Thing"/);
      assert.throws(() => pool.submit('x => x' as never), /"fn" argument must be a function/);
    });

    test('methods and function expressions are shipped too', async () => {
      await using pool = make(kind);
      const obj = {
        triple(x: number) {
          return x * 3;
        },
        async later(x: number) {
          return x + 1;
        },
      };
      assert.equal(await pool.submit(obj.triple, 3), 9);
      assert.equal(await pool.submit(obj.later, 3), 4);
      assert.equal(
        await pool.submit(function named(x: number) {
          return x - 1;
        }, 3),
        2,
      );
    });

    test('an argument that cannot be sent fails that task only', async () => {
      await using pool = make(kind);
      const bad = pool.submit(
        (f: unknown) => typeof f,
        () => 1,
      );
      const good = pool.submit((x: number) => x, 1);
      await assert.rejects(
        bad,
        (e: Error) => e instanceof TypeError && /cannot be sent/.test(e.message),
      );
      assert.equal(await good, 1);
    });

    test('a result that cannot be sent back fails with a clear error', async () => {
      await using pool = make(kind);
      await assert.rejects(
        pool.submit(() => () => 1),
        (e: Error) => e instanceof TypeError && /result could not be sent back/.test(e.message),
      );
      assert.equal(await pool.submit(() => 2), 2);
    });

    test('module tasks keep module state and imports (defineTask, importTask)', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      assert.equal(
        await pool.submit(sha256, 'abc'),
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      const first = await pool.submit(countCalls);
      assert.equal(await pool.submit(countCalls), first + 1);
      const addTask = importTask<typeof add>(
        new URL('../fixtures/executors/tasks.js', import.meta.url),
        'add',
      );
      assert.equal(await pool.submit(addTask, 2, 3), 5);
      assert.throws(() => addTask(1, 2), /runs only in a worker/);
      const missing = importTask<() => void>(
        new URL('../fixtures/executors/tasks.js', import.meta.url),
        'nope',
      );
      await assert.rejects(pool.submit(missing), /has no task "nope"/);
      const absent = importTask<() => void>(new URL('./does-not-exist.js', import.meta.url), 'x');
      await assert.rejects(pool.submit(absent), /Cannot find module|ERR_MODULE_NOT_FOUND/);
      const local = countCalls();
      assert.equal(
        countCalls(),
        local + 1,
        'a defineTask function also runs on the calling thread',
      );
    });

    test('map keeps input order, with and without chunks, over sync and async iterables', async () => {
      await using pool = make(kind);
      const items = Array.from({ length: 1000 }, (_, i) => i);
      for (const chunksize of [1, 7, 1000]) {
        const out: number[] = [];
        for await (const v of pool.map((x: number) => x * 2, items, { chunksize })) out.push(v);
        assert.deepEqual(
          out,
          items.map((x) => x * 2),
        );
      }
      async function* gen() {
        for (let i = 0; i < 50; i++) yield i;
      }
      const out: number[] = [];
      const sleepy = async (x: number) => {
        await new Promise((resolve) => setTimeout(resolve, (x * 7) % 5));
        return -x;
      };
      for await (const v of pool.map(sleepy, gen(), { chunksize: 4, buffersize: 3 })) out.push(v);
      assert.deepEqual(
        out,
        Array.from({ length: 50 }, (_, i) => -i),
      );
    });

    test('map with buffersize reads an endless input lazily', async () => {
      await using pool = make(kind);
      let produced = 0;
      function* endless() {
        for (;;) yield produced++;
      }
      const out: number[] = [];
      for await (const v of pool.map((x: number) => x + 1, endless(), {
        chunksize: 10,
        buffersize: 2,
      })) {
        out.push(v);
        if (out.length === 95) break;
      }
      assert.deepEqual(
        out,
        Array.from({ length: 95 }, (_, i) => i + 1),
      );
      assert.ok(produced <= 95 + 3 * 10, `read ${produced} items for 95 results`);
    });

    test('map raises a task error at its item, after the results before it', async () => {
      await using pool = make(kind);
      const out: number[] = [];
      await assert.rejects(async () => {
        for await (const v of pool.map(
          (x: number) => {
            if (x === 5) throw new Error('five');
            return x;
          },
          [1, 2, 3, 4, 5, 6],
        )) {
          out.push(v);
        }
      }, /five/);
      assert.deepEqual(out, [1, 2, 3, 4]);
    });

    test('map timeout raises TimeoutError and cancels what has not started', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const it = pool.map(block, [300, 300, 300, 300], { timeout: 100 });
      await assert.rejects(it.next(), TimeoutError);
      const stats = pool.stats();
      assert.ok(stats.cancelled >= 2, `cancelled ${stats.cancelled}`);
      assert.deepEqual(await it.next(), { value: undefined, done: true });
    });

    test('map validates its arguments', () => {
      const pool = make(kind);
      assert.throws(() => pool.map((x: number) => x, 5 as never), /iterable/);
      assert.throws(() => pool.map((x: number) => x, [], { chunksize: 0 }), /chunksize/);
      assert.throws(() => pool.map((x: number) => x, [], { buffersize: 1.5 }), /buffersize/);
      assert.throws(() => pool.map((x: number) => x, [], { timeout: -1 }), /timeout/);
      assert.throws(() => pool.map((x: number) => x, [], { chunk: 2 } as never), /key "chunk"/);
      return pool.shutdown();
    });

    test('cancel() succeeds for a queued task and fails for a running one', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const running = pool.submit(block, 300);
      await until(() => running.running(), 'the task to run');
      assert.equal(running.cancel(), false);
      assert.equal(running.cancelled(), false);
      const queued = pool.submit((x: number) => x, 1);
      assert.equal(queued.running(), false);
      assert.equal(queued.cancel(), true);
      assert.equal(queued.cancelled(), true);
      await assert.rejects(queued, CancelledError);
      assert.equal(await running, 300);
      assert.equal(running.running(), false);
      assert.equal(await pool.submit(() => 'after'), 'after');
    });

    test('a task cancelled after it was handed to a worker in a batch is skipped', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const ids = Array.from({ length: 20 }, (_, i) => i);
      // All handed to the only worker in one batch; the first blocks so the others wait there.
      const fs = ids.map((i) =>
        pool.submit(
          (x: number, ms: number) =>
            ms > 0 ? [x, Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)][0] : x,
          i,
          i === 0 ? 200 : 0,
        ),
      );
      await until(() => pool.stats().inFlight > 1, 'tasks to be handed to the worker ahead');
      const cancelled = fs.slice(10).map((f) => f.cancel());
      assert.ok(cancelled.every(Boolean));
      assert.deepEqual(await gather(fs.slice(0, 10)), ids.slice(0, 10));
      for (const f of fs.slice(10)) assert.equal(f.cancelled(), true);
      await until(() => pool.stats().inFlight === 0, 'skipped tasks to be reported');
    });

    test('shutdown({ cancelFutures: true }) cancels pending tasks and lets the running one finish', async () => {
      const pool = make(kind, { maxWorkers: 1 });
      const running = pool.submit(block, 200);
      await until(() => running.running(), 'the task to run');
      const pending = [1, 2, 3].map((x) => pool.submit((y: number) => y, x));
      await pool.shutdown({ cancelFutures: true });
      assert.equal(await running, 200);
      for (const f of pending) assert.equal(f.cancelled(), true);
      assert.equal(pool.stats().workers, 0);
      assert.throws(() => pool.submit(() => 1), InvalidStateError);
      assert.throws(() => pool.map((x: number) => x, [1]), /shut down/);
      await pool.shutdown(); // twice is fine
    });

    test('shutdown() waits for pending tasks; shutdown({ wait: false }) does not', async () => {
      const pool = make(kind, { maxWorkers: 1 });
      const fs = [50, 50].map((ms) => pool.submit(block, ms));
      await pool.shutdown({ wait: false });
      assert.equal(
        fs.some((f) => f.done()),
        false,
      );
      assert.deepEqual(await gather(fs), [50, 50]);
      await until(() => pool.stats().workers === 0, 'workers to exit');
      const pool2 = make(kind, { maxWorkers: 1 });
      const f = pool2.submit(block, 50);
      await pool2.shutdown();
      assert.equal(f.done(), true);
      assert.equal(pool2.stats().workers, 0);
    });

    test('await using shuts the pool down', async () => {
      let pool: AnyPool;
      {
        await using p = make(kind);
        pool = p;
        assert.equal(await p.submit(() => 1), 1);
      }
      assert.equal(pool.stats().workers, 0);
      assert.throws(() => pool.submit(() => 1), InvalidStateError);
    });

    test('an initializer runs in each worker before its tasks', async () => {
      await using pool = make(kind, { initializer: init, initargs: ['ready'] });
      assert.equal(await pool.submit(initialized), 'ready');
    });

    test('a failing initializer breaks the pool', async () => {
      const pool = make(kind, {
        initializer: () => {
          throw new Error('no database');
        },
      });
      const fs = [pool.submit(() => 1), pool.submit(() => 2)];
      for (const f of fs) {
        await assert.rejects(f, (e: Error) => {
          assert.ok(e instanceof Broken, `${e.name} is the broken-pool error`);
          assert.match((e.cause as Error).message, /no database/);
          return true;
        });
      }
      assert.throws(() => pool.submit(() => 3), Broken);
      await pool.shutdown();
      assert.equal(pool.stats().workers, 0);
    });

    test('maxTasksPerWorker replaces workers', async () => {
      await using pool = make(kind, { maxWorkers: 1, maxTasksPerWorker: 2 });
      const who: string[] = [];
      for (let i = 0; i < 6; i++) who.push(await pool.submit(whoAmI));
      assert.equal(new Set(who).size, 3, who.join(' '));
    });

    test('idleTimeout lets idle workers exit', async () => {
      await using pool = make(kind, { maxWorkers: 1, idleTimeout: 30 });
      const a = await pool.submit(whoAmI);
      await until(() => pool.stats().workers === 0, 'the idle worker to exit');
      const b = await pool.submit(whoAmI);
      assert.notEqual(a, b);
    });

    test('stats report workers, queue, completions and percentiles', async () => {
      await using pool = make(kind, { maxWorkers: 1, name: 'statsy' });
      const before = pool.stats();
      assert.equal(before.name, 'statsy');
      assert.equal(before.workers, 0);
      const fs = [20, 20, 20].map((ms) => pool.submit(block, ms));
      const during = pool.stats();
      assert.equal(during.queued, 3);
      await gather(fs);
      await assert.rejects(pool.submit(() => Promise.reject(new Error('x'))));
      const after = pool.stats();
      assert.equal(after.workers, 1);
      assert.equal(after.completed, 3);
      assert.equal(after.failed, 1);
      assert.equal(after.runTime.count, 4);
      assert.ok(after.runTime.p90 >= 15 && after.runTime.max < 1000, JSON.stringify(after.runTime));
      assert.ok(after.waitTime.max >= 30, 'the third task waited for two others');
    });

    test('per-task timeout counts running time only', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const first = pool.submit(block, 200);
      const second = pool.submitWith({ timeout: 150 }, block, 10);
      assert.deepEqual(await gather([first, second]), [200, 10]);
    });

    test('a signal cancels a queued task, and a running one cooperatively', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const controller = new AbortController();
      const waiting = pool.submitWith({ signal: controller.signal }, waitForAbort);
      const queued = pool.submitWith({ signal: controller.signal }, () => 'never');
      await until(() => waiting.running(), 'the task to start');
      controller.abort();
      assert.equal(waiting.cancelled(), true, 'the future is cancelled at once');
      assert.equal(queued.cancelled(), true);
      // The worker saw its signal and finished; it was not terminated.
      const who = await pool.submit(whoAmI);
      assert.equal(await pool.submit(whoAmI), who);
      assert.equal(pool.stats().crashes, 0);
      const pre = AbortSignal.abort();
      assert.equal(pool.submitWith({ signal: pre }, () => 1).cancelled(), true);
    });

    test('a function task reads its signal as this.signal', async () => {
      await using pool = make(kind, { maxWorkers: 1 });
      const controller = new AbortController();
      const f = pool.submitWith(
        { signal: controller.signal },
        function (this: { signal: AbortSignal }) {
          const signal = this.signal;
          return new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(false), 5000);
            signal.addEventListener('abort', () => {
              clearTimeout(t);
              resolve(true);
            });
          });
        },
      );
      await until(() => f.running(), 'the task to start');
      controller.abort();
      await assert.rejects(f, CancelledError);
      assert.equal(pool.stats().crashes, 0);
    });

    test('submitWith validates its options', () => {
      const pool = make(kind);
      assert.throws(
        () => pool.submitWith(null as never, () => 1),
        /"options" argument must be an object/,
      );
      assert.throws(() => pool.submitWith({ timeout: -5 }, () => 1), /timeout/);
      assert.throws(() => pool.submitWith({ signal: {} as AbortSignal }, () => 1), /AbortSignal/);
      assert.throws(() => pool.submitWith({ transfer: 5 } as never, () => 1), /transfer/);
      assert.throws(() => pool.submitWith({ retries: 1 } as never, () => 1), /key "retries"/);
      if (kind === 'process') {
        assert.throws(
          () => pool.submitWith({ transfer: [new ArrayBuffer(8)] }, () => 1),
          /cannot be transferred between processes/,
        );
      }
      return pool.shutdown();
    });

    test('the Executor interface covers the pool', async () => {
      const executor: Executor = make(kind);
      const r = await executor.submit((s: string) => s.toUpperCase(), 'ok');
      const typed: string = r;
      assert.equal(typed, 'OK');
      await executor[Symbol.asyncDispose]();
    });
  });
}

describe('thread pool specifics', () => {
  test('threads start on demand; processes all start at the first submit', async () => {
    await using threads = new ThreadPoolExecutor({ maxWorkers: 4 });
    await threads.submit(() => 1);
    assert.equal(threads.stats().workers, 1);
    await using processes = new ProcessPoolExecutor({ maxWorkers: 2 });
    assert.equal(processes.stats().workers, 0);
    await processes.submit(() => 1);
    assert.equal(processes.stats().workers, 2);
  });

  test('transfer moves buffers to the worker', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    const buffer = new ArrayBuffer(1024);
    const f = pool.submitWith({ transfer: [buffer] }, (b: ArrayBuffer) => b.byteLength, buffer);
    assert.equal(await f, 1024);
    assert.equal(buffer.byteLength, 0, 'detached on this side');
  });

  test('defaults follow Python: min(32, cpus + 4) threads', async () => {
    const { availableParallelism, cpus } = await import('node:os');
    void availableParallelism;
    const pool = new ThreadPoolExecutor();
    const fs = Array.from({ length: 64 }, () => pool.submit(block, 30));
    await gather(fs);
    assert.equal(pool.stats().workers, Math.min(32, cpus().length + 4));
    await pool.shutdown();
  });

  test('tasks on a shared counter all run exactly once', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 3 });
    const counter = new Int32Array(new SharedArrayBuffer(4 * 1000));
    const fs = Array.from({ length: 1000 }, (_, i) =>
      pool.submit((c: Int32Array, j: number) => Atomics.add(c, j, 1), counter, i),
    );
    const cancelled = fs.filter((f, i) => i % 3 === 0 && f.cancel()).length;
    await Promise.allSettled(fs);
    let ran = 0;
    for (let i = 0; i < 1000; i++) {
      assert.ok(counter[i]! <= 1, `task ${i} ran ${counter[i]} times`);
      ran += counter[i]!;
      if (fs[i]!.cancelled()) assert.equal(counter[i], 0, `cancelled task ${i} did not run`);
    }
    assert.equal(ran, 1000 - cancelled);
  });
});
