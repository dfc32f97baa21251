// SharedLock, SharedValue and SharedArray: in the main thread, across worker threads (mutual
// exclusion under contention, atomic add), and refused by process pools.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStateError, TimeoutError } from 'tsio';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';
import {
  BrokenChannelError,
  SharedArray,
  SharedLock,
  SharedQueue,
  SharedValue,
} from 'tsio/channels';
import {
  SLOW,
  TASK_TIMEOUT,
  abortListeners,
  deadline,
  guard,
  describeError,
  processListeners,
  rejection,
  stillPending,
  turns,
  until,
} from './util.js';

describe('SharedLock in the main thread', () => {
  test('tryAcquire, locked and release', () => {
    const lock = new SharedLock();
    assert.equal(lock.locked(), false);
    assert.equal(lock.tryAcquire(), true);
    assert.equal(lock.locked(), true);
    assert.equal(lock.tryAcquire(), false);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('release() of an unlocked lock throws InvalidStateError', () => {
    const lock = new SharedLock();
    assert.throws(() => lock.release(), InvalidStateError);
    lock.tryAcquire();
    lock.release();
    assert.throws(() => lock.release(), InvalidStateError, 'twice');
    assert.equal(lock.locked(), false);
  });

  test('acquire() resolves to the lock; waiters get it when it is released', async () => {
    const lock = new SharedLock();
    assert.equal(await lock.acquire(), lock);
    const waiting = lock.acquire();
    assert.equal(await stillPending(waiting, 10), true);
    lock.release();
    assert.equal(await deadline(waiting, 'the waiter'), lock);
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('hold(fn) runs fn under the lock and releases it, also when fn fails', async () => {
    const lock = new SharedLock();
    const value = await lock.hold(() => {
      assert.equal(lock.locked(), true);
      return 41 + 1;
    });
    assert.equal(value, 42);
    assert.equal(lock.locked(), false);
    const later = await lock.hold(async () => {
      await turns();
      assert.equal(lock.locked(), true);
      return 'async';
    });
    assert.equal(later, 'async');
    assert.equal(lock.locked(), false);
    await assert.rejects(
      lock.hold(() => {
        throw new Error('inside');
      }),
      /inside/,
    );
    assert.equal(lock.locked(), false);
    await assert.rejects(
      lock.hold(async () => {
        await turns();
        throw new Error('async inside');
      }),
      /async inside/,
    );
    assert.equal(lock.locked(), false);
    // hold() waits for the lock.
    lock.tryAcquire();
    const held = lock.hold(() => 'after');
    assert.equal(await stillPending(held), true);
    lock.release();
    assert.equal(await deadline(held, 'hold'), 'after');
    assert.equal(lock.locked(), false);
  });

  test('using releases the lock at the end of the scope', async () => {
    const lock = new SharedLock();
    {
      using held = await lock.acquire();
      assert.equal(held, lock);
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false);
  });

  test('an aborted acquire() rejects with the reason, leaves no listener and does not take the lock', async () => {
    const lock = new SharedLock();
    lock.tryAcquire();
    const controller = new AbortController();
    const p = lock.acquire({ signal: controller.signal });
    assert.equal(await stillPending(p), true);
    const reason = new Error('no wait');
    controller.abort(reason);
    assert.equal(await rejection(p), reason);
    assert.equal(abortListeners(controller.signal), 0);
    lock.release();
    await turns();
    assert.equal(lock.locked(), false, 'the aborted waiter did not take the lock');
    const pre = AbortSignal.abort();
    assert.equal(await rejection(lock.acquire({ signal: pre })), pre.reason);
    assert.equal(lock.locked(), false, 'even when free, an aborted signal takes nothing');
    const ok = new AbortController();
    await lock.acquire({ signal: ok.signal });
    assert.equal(abortListeners(ok.signal), 0);
    lock.release();
  });

  test('acquireSync is refused on the main thread, without blocking or taking the lock', () => {
    const lock = new SharedLock();
    const refused = (e: unknown): boolean => e instanceof Error && !(e instanceof TimeoutError);
    assert.throws(() => lock.acquireSync(), refused);
    assert.equal(lock.locked(), false);
    lock.tryAcquire();
    assert.throws(() => lock.acquireSync({ timeout: 10 }), refused);
    lock.release();
  });
});

describe('SharedValue and SharedArray in the main thread', () => {
  test('SharedValue: value, add/sub return the new value, compareExchange, lock', () => {
    const v = new SharedValue();
    assert.equal(v.value, 0);
    assert.equal(v.add(5), 5);
    assert.equal(v.sub(2), 3);
    assert.equal(v.value, 3);
    v.value = 10;
    assert.equal(v.value, 10);
    v.compareExchange(10, 11);
    assert.equal(v.value, 11);
    v.compareExchange(10, 99);
    assert.equal(v.value, 11, 'no exchange when the value differs');
    assert.ok(v.lock instanceof SharedLock);
    assert.equal(v.lock.tryAcquire(), true);
    v.lock.release();
    const i = new SharedValue('int32', 7);
    assert.equal(i.value, 7);
    const f = new SharedValue('float64', 1.5);
    assert.equal(f.add(0.25), 1.75);
    assert.equal(f.sub(1), 0.75);
    f.value = -2.5;
    assert.equal(f.value, -2.5);
    const b = new SharedValue('bigint64', 5n);
    assert.equal(b.add(10n), 15n);
    assert.equal(b.sub(20n), -5n);
    b.compareExchange(-5n, 2n ** 62n);
    assert.equal(b.value, 2n ** 62n);
  });

  test('SharedArray: from a length or values, typed array over shared memory, toArray copies', () => {
    const zeros = new SharedArray('int32', 4);
    assert.equal(zeros.length, 4);
    assert.ok(zeros.array instanceof Int32Array);
    assert.ok(zeros.array.buffer instanceof SharedArrayBuffer);
    assert.deepEqual(zeros.toArray(), [0, 0, 0, 0]);
    zeros.array[2] = 9;
    Atomics.add(zeros.array, 1, 3);
    const copy = zeros.toArray();
    assert.ok(Array.isArray(copy));
    assert.deepEqual(copy, [0, 3, 9, 0]);
    copy[0] = 100;
    assert.equal(zeros.array[0], 0, 'toArray is a copy');
    const floats = new SharedArray('float64', [1.5, 2.5, -3]);
    assert.ok(floats.array instanceof Float64Array);
    assert.deepEqual(floats.toArray(), [1.5, 2.5, -3]);
    const gen = function* () {
      yield 1;
      yield 2;
    };
    assert.deepEqual(new SharedArray('uint8', gen()).toArray(), [1, 2]);
    const big = new SharedArray('bigint64', [1n, -2n]);
    assert.ok(big.array instanceof BigInt64Array);
    assert.deepEqual(big.toArray(), [1n, -2n]);
    const kinds = {
      int8: Int8Array,
      uint8: Uint8Array,
      int16: Int16Array,
      uint16: Uint16Array,
      int32: Int32Array,
      uint32: Uint32Array,
      float32: Float32Array,
      float64: Float64Array,
      bigint64: BigInt64Array,
      biguint64: BigUint64Array,
    } as const;
    for (const [kind, Ctor] of Object.entries(kinds)) {
      const a = new SharedArray(kind as keyof typeof kinds, 3);
      assert.ok(a.array instanceof Ctor, kind);
      assert.equal(a.length, 3);
      assert.ok(a.lock instanceof SharedLock);
    }
  });
});

/** Non-atomic read-modify-write increments of arr.array[0] under lock (blocking acquire). */
function incrementSync(arr: SharedArray<'int32'>, lock: SharedLock, n: number): number {
  for (let i = 0; i < n; i++) {
    if (!lock.acquireSync({ timeout: 20_000 })) throw new Error('acquireSync timed out');
    const v = arr.array[0]!;
    let spin = 0;
    for (let k = 0; k < 20; k++) spin += k; // widen the window between read and write
    arr.array[0] = v + 1 + (spin - 190);
    lock.release();
  }
  return n;
}

/** The same with the async forms (acquire/hold) in a worker thread. */
async function incrementAsync(arr: SharedArray<'int32'>, lock: SharedLock, n: number) {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      await lock.acquire();
      const v = arr.array[0]!;
      arr.array[0] = v + 1;
      lock.release();
    } else {
      await lock.hold(() => {
        const v = arr.array[0]!;
        arr.array[0] = v + 1;
      });
    }
  }
  return n;
}

describe('shared memory across worker threads', () => {
  let pool: ThreadPoolExecutor;
  before(async () => {
    pool = new ThreadPoolExecutor({ maxWorkers: 4 });
    await Promise.all(Array.from({ length: 4 }, () => pool.submit(() => 1)));
  });
  after(() => pool.shutdown());

  test(
    'SharedLock excludes: 4 threads x 10,000 read-modify-write increments plus the main thread',
    SLOW,
    async () => {
      const arr = new SharedArray('int32', 1);
      const lock = new SharedLock();
      const before = processListeners();
      const tasks = [
        pool.submitWith({ timeout: TASK_TIMEOUT }, incrementSync, arr, lock, 10_000),
        pool.submitWith({ timeout: TASK_TIMEOUT }, incrementSync, arr, lock, 10_000),
        pool.submitWith({ timeout: TASK_TIMEOUT }, incrementSync, arr, lock, 10_000),
        pool.submitWith({ timeout: TASK_TIMEOUT }, incrementAsync, arr, lock, 10_000),
      ];
      // The main thread takes the lock too, and holds it across an event-loop turn.
      let mine = 0;
      for (let i = 0; i < 200; i++) {
        await deadline(lock.acquire(), 'acquire in main');
        const v = arr.array[0]!;
        await new Promise((resolve) => setImmediate(resolve));
        arr.array[0] = v + 1;
        lock.release();
        mine++;
      }
      assert.deepEqual(
        await deadline(Promise.all(tasks), 'the workers'),
        [10_000, 10_000, 10_000, 10_000],
      );
      assert.equal(arr.array[0], 40_000 + mine);
      assert.equal(lock.locked(), false);
      assert.deepEqual(processListeners(), before);
    },
  );

  test(
    "a SharedArray's own lock and a SharedValue's lock exclude across threads",
    SLOW,
    async () => {
      const arr = new SharedArray('float64', [0, 0]);
      const value = new SharedValue('int32', 0);
      const task = (a: SharedArray<'float64'>, v: SharedValue<'int32'>, n: number) => {
        for (let i = 0; i < n; i++) {
          a.lock.acquireSync();
          a.array[0] = a.array[0]! + 0.5;
          a.array[1] = a.array[0] * 2;
          a.lock.release();
          v.lock.acquireSync();
          v.value = v.value + 1;
          v.lock.release();
        }
        return n;
      };
      const fs = [1, 2, 3].map(() =>
        pool.submitWith({ timeout: TASK_TIMEOUT }, task, arr, value, 5000),
      );
      await deadline(Promise.all(fs), 'the workers');
      assert.equal(arr.array[0], 7500);
      assert.equal(arr.array[1], 15_000);
      assert.equal(value.value, 15_000);
    },
  );

  test(
    'SharedValue.add and sub are atomic across threads (int32, bigint64, float64)',
    SLOW,
    async () => {
      const i32 = new SharedValue('int32', 0);
      const i64 = new SharedValue('bigint64', 0n);
      const f64 = new SharedValue('float64', 0);
      const task = (
        a: SharedValue<'int32'>,
        b: SharedValue<'bigint64'>,
        c: SharedValue<'float64'>,
        n: number,
      ) => {
        for (let i = 0; i < n; i++) {
          a.add(2);
          a.sub(1);
          b.add(3n);
          if (i % 5 === 0) c.add(0.25);
        }
        return n;
      };
      const fs = [1, 2, 3, 4].map(() =>
        pool.submitWith({ timeout: TASK_TIMEOUT }, task, i32, i64, f64, 10_000),
      );
      for (let i = 0; i < 1000; i++) i32.add(1);
      await deadline(Promise.all(fs), 'the workers');
      assert.equal(i32.value, 41_000);
      assert.equal(i64.value, 120_000n);
      assert.equal(f64.value, 2000);
    },
  );

  test('writes in one thread are seen in another (same memory, not a copy)', async () => {
    const arr = new SharedArray('int32', 8);
    const value = new SharedValue('float64', 0);
    value.value = 2.5;
    const seen = await pool.submit(
      (a: SharedArray<'int32'>, v: SharedValue<'float64'>) => {
        for (let i = 0; i < a.length; i++) a.array[i] = i * i;
        Atomics.add(a.array, 0, 100);
        const before = v.value;
        v.value = -1;
        return before;
      },
      arr,
      value,
    );
    assert.equal(seen, 2.5);
    assert.equal(value.value, -1);
    assert.deepEqual(arr.toArray(), [100, 1, 4, 9, 16, 25, 36, 49]);
  });

  test('acquireSync({ timeout }) in a thread returns false while the main thread holds the lock', async () => {
    const lock = new SharedLock();
    await lock.acquire();
    const r = await pool.submitWith(
      { timeout: TASK_TIMEOUT },
      (l: SharedLock) => {
        const got = l.acquireSync({ timeout: 30 });
        return [got, l.tryAcquire(), l.locked()];
      },
      lock,
    );
    assert.equal(r[0], false, 'acquireSync timed out');
    assert.equal(r[1], false);
    assert.equal(r[2], true);
    assert.equal(lock.locked(), true);
    // Released by the main thread while a thread waits: the thread gets it.
    const waiter = pool.submitWith(
      { timeout: TASK_TIMEOUT },
      (l: SharedLock) => {
        const got = l.acquireSync({ timeout: 10_000 });
        if (got) l.release();
        return got;
      },
      lock,
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    lock.release();
    assert.equal(await deadline(waiter, 'the waiting thread'), true);
    assert.equal(lock.locked(), false);
  });

  test('a lock taken in a thread can be waited for in main (acquire resolves after the thread releases)', async () => {
    const lock = new SharedLock();
    const flag = new SharedValue('int32', 0);
    const holder = pool.submitWith(
      { timeout: TASK_TIMEOUT },
      (l: SharedLock, f: SharedValue<'int32'>) => {
        l.acquireSync();
        f.value = 1;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        l.release();
        return 'released';
      },
      lock,
      flag,
    );
    await until(() => flag.value === 1, 'the thread to take the lock');
    assert.equal(lock.locked(), true);
    assert.equal(lock.tryAcquire(), false);
    await deadline(lock.acquire(), 'acquire after the thread released');
    assert.equal(await holder, 'released');
    lock.release();
  });

  test('release() of an unlocked lock in a thread throws InvalidStateError', async () => {
    const lock = new SharedLock();
    const r = await pool.submit((l: SharedLock) => {
      try {
        l.release();
        return 'no error';
      } catch (e) {
        return (e as Error).name;
      }
    }, lock);
    assert.equal(r, 'InvalidStateError');
  });

  test('a shared object nested in an argument is a clear TypeError', async () => {
    const lock = new SharedLock();
    const value = new SharedValue();
    const e = await rejection(
      (async () => pool.submit((o: { lock: SharedLock }) => o.lock.locked(), { lock }))(),
    );
    assert.ok(e instanceof TypeError, describeError(e));
    assert.match(e.message, /direct argument/);
    const e2 = await rejection(
      (async () => pool.submit((o: SharedValue[]) => o.length, [value]))(),
    );
    assert.ok(e2 instanceof TypeError, describeError(e2));
    assert.match(e2.message, /direct argument/);
    assert.equal(await pool.submit((l: SharedLock) => l.locked(), lock), false, 'pool still works');
  });

  test(
    "a waiter on a lock whose holder's worker crashed fails with BrokenChannelError",
    SLOW,
    async () => {
      await using own = new ThreadPoolExecutor({ maxWorkers: 1 });
      const lock = new SharedLock();
      const flag = new SharedValue('int32', 0);
      const crash = own.submitWith(
        { timeout: TASK_TIMEOUT },
        (l: SharedLock, f: SharedValue<'int32'>) => {
          l.acquireSync();
          f.value = 1;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
          process.exit(9);
        },
        lock,
        flag,
      );
      await until(() => flag.value === 1, 'the thread to take the lock');
      using g = guard();
      const waiter = lock.acquire({ signal: g.signal });
      const e = await rejection(waiter, 'the waiter', 8000);
      assert.ok(e instanceof BrokenChannelError, describeError(e));
      await assert.rejects(crash, (err: Error) => err.name === 'WorkerCrashedError');
    },
  );
});

describe('shared memory and process pools', () => {
  test('SharedLock, SharedValue and SharedArray cannot be sent to a process: submit throws TypeError', async () => {
    await using pool = new ProcessPoolExecutor({ maxWorkers: 1 });
    const objects: [string, unknown][] = [
      ['SharedLock', new SharedLock()],
      ['SharedValue', new SharedValue()],
      ['SharedArray', new SharedArray('int32', 2)],
    ];
    for (const [what, obj] of objects) {
      assert.throws(
        () => pool.submit((x: unknown) => typeof x, obj),
        (e: unknown) => {
          assert.ok(e instanceof TypeError, `${what}: ${describeError(e)}`);
          assert.match(e.message, /shared memory/i, what);
          assert.match(e.message, /process/i, what);
          return true;
        },
        what,
      );
      assert.throws(
        () => pool.submitWith({ timeout: 1000 }, (_n: number, x: unknown) => typeof x, 1, obj),
        TypeError,
        `${what} with submitWith, not first`,
      );
      // Nested, it cannot go either (whatever the wording, never a silent copy).
      await assert.rejects(
        (async () => pool.submit((o: { x: unknown }) => typeof o.x, { x: obj }))(),
        TypeError,
        `${what} nested`,
      );
    }
    // The pool is fine, and a SharedQueue is allowed (it works through the parent).
    assert.equal(await pool.submit((x: number) => x + 1, 1), 2);
    const q = new SharedQueue<number>();
    q.putNowait(5);
    assert.equal(
      await pool.submitWith({ timeout: TASK_TIMEOUT }, (qq: SharedQueue<number>) => qq.get(), q),
      5,
    );
    q.shutdown();
  });
});
