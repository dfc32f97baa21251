import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Future, createTask, gather, sleep } from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('gather', () => {
  test('results come in input order whatever the completion order', async () => {
    using clock = useVirtualClock();
    const g = gather([
      createTask(() => sleep(30, 'a')),
      createTask(() => sleep(10, 'b')),
      sleep(20, 'c'),
    ]);
    await clock.advance(30);
    assert.deepEqual(await g, ['a', 'b', 'c']);
  });

  test('accepts futures, tasks, promises, thenables and plain values like Promise.all', async () => {
    const f = new Future<number>();
    f.setResult(1);
    const thenable = { then: (ok: (v: number) => void) => ok(4) } as PromiseLike<number>;
    assert.deepEqual(
      await gather([f, createTask(() => 2), Promise.resolve(3), thenable, 5]),
      [1, 2, 3, 4, 5],
    );
  });

  test('accepts any iterable, and an empty one resolves to []', async () => {
    function* gen(): Generator<Promise<number>> {
      yield Promise.resolve(1);
      yield Promise.resolve(2);
    }
    assert.deepEqual(await gather(gen()), [1, 2]);
    assert.deepEqual(await gather([]), []);
    assert.deepEqual(await gather(new Set<Promise<number>>()), []);
  });

  test('the same awaitable twice fills both slots', async () => {
    const t = createTask(() => 7);
    assert.deepEqual(await gather([t, t]), [7, 7]);
  });

  test('the first exception rejects the gather and the other children keep running', async () => {
    using clock = useVirtualClock();
    const err = new Error('first');
    const slow = createTask(() => sleep(100, 'slow'));
    const g = gather([
      createTask(async () => {
        await sleep(10);
        throw err;
      }),
      slow,
    ]);
    const rejected = assert.rejects(Promise.resolve(g), (e) => e === err);
    await clock.advance(10);
    await rejected;
    assert.equal(slow.done(), false);
    assert.equal(slow.cancelled(), false);
    await clock.advance(90);
    assert.equal(await slow, 'slow');
  });

  test('returnExceptions returns errors as values in their slots', async () => {
    const err = new Error('x');
    const r = await gather([Promise.resolve(1), Promise.reject(err), createTask(() => 3)], {
      returnExceptions: true,
    });
    assert.deepEqual(r, [1, err, 3]);
  });

  test("returnExceptions returns a cancelled child's CancelledError as a value", async () => {
    const f = new Future<number>();
    const t = createTask(() => 2);
    f.cancel('child');
    const r = await gather([f, t], { returnExceptions: true });
    assert.ok(r[0] instanceof CancelledError);
    assert.equal((r[0] as Error).message, 'child');
    assert.equal(r[1], 2);
  });

  test('without returnExceptions a cancelled child rejects the gather with CancelledError', async () => {
    const f = new Future<number>();
    const g = gather([f, createTask(() => 1)]);
    f.cancel();
    await assert.rejects(Promise.resolve(g), CancelledError);
  });

  test('cancelling the gather cancels every unfinished child and rejects with CancelledError', async () => {
    using clock = useVirtualClock();
    const a = createTask((signal) => sleep(100, 'a', { signal }));
    const b = createTask((signal) => sleep(100, 'b', { signal }));
    const done = createTask(() => 'done');
    await clock.settle();
    const g = gather([a, b, done]);
    assert.equal(g.cancel('enough'), true);
    await assert.rejects(Promise.resolve(g), CancelledError);
    assert.equal(g.cancelled(), true);
    assert.equal(a.cancelled(), true);
    assert.equal(b.cancelled(), true);
    assert.equal(done.result(), 'done');
  });

  test('cancelling a gather with returnExceptions waits for every child before rejecting', async () => {
    using clock = useVirtualClock();
    const stubborn = createTask(async (signal) => {
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      await sleep(50);
      return 'finished late';
    });
    await clock.settle();
    const g = gather([stubborn], { returnExceptions: true });
    g.cancel();
    await clock.advance(10);
    assert.equal(g.done(), false);
    await clock.advance(40);
    await assert.rejects(Promise.resolve(g), CancelledError);
    assert.equal(stubborn.result(), 'finished late');
  });

  test('cancel() returns false when nothing could be cancelled and the gather goes on', async () => {
    let resolve!: (v: number) => void;
    const p = new Promise<number>((r) => (resolve = r));
    const g = gather([p]);
    assert.equal(g.cancel(), false);
    resolve(1);
    assert.deepEqual(await g, [1]);
    assert.equal(g.cancel(), false, 'false once done');
  });

  test('aborting the signal option cancels the gather and its children', async () => {
    using clock = useVirtualClock();
    const ac = new AbortController();
    const a = createTask((signal) => sleep(100, 'a', { signal }));
    const g = gather([a], { signal: ac.signal });
    await clock.settle();
    ac.abort(new CancelledError('outer'));
    await assert.rejects(Promise.resolve(g), CancelledError);
    assert.equal(a.cancelled(), true);
  });

  test('aborting the signal of a gather of plain promises rejects it with the reason at once', async () => {
    const ac = new AbortController();
    const g = gather([new Promise(() => {})], { signal: ac.signal });
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await assert.rejects(Promise.resolve(g), (e) => e === reason);
  });

  test('bad arguments throw TypeError naming the argument', () => {
    assert.throws(() => gather(5 as never), /"aws" argument must be an array or an iterable/);
    assert.throws(() => gather([], 'x' as never), /"options" argument must be an object/);
    assert.throws(
      () => gather([], { signal: {} as never }),
      /"options.signal" argument must be an AbortSignal/,
    );
  });

  test('gathers a million tasks', async () => {
    const n = 1_000_000;
    const tasks = new Array<PromiseLike<number>>(n);
    for (let i = 0; i < n; i++) tasks[i] = createTask(() => i);
    const r = await gather(tasks);
    assert.equal(r.length, n);
    assert.equal(r[n - 1], n - 1);
  });
});
