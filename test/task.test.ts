import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { CancelledError, Future, InvalidStateError, Task, createTask, sleep } from 'tsio';
import { useVirtualClock } from 'tsio/testing';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('createTask', () => {
  test('the body does not run inside createTask but on a later microtask', async () => {
    const order: string[] = [];
    const t = createTask(() => {
      order.push('body');
      return 1;
    });
    order.push('after createTask');
    assert.deepEqual(order, ['after createTask']);
    assert.equal(await t, 1);
    assert.deepEqual(order, ['after createTask', 'body']);
  });

  test('a task is a Future with a result, done() and a default name', async () => {
    const t = createTask(async () => 'x');
    assert.ok(t instanceof Task);
    assert.ok(t instanceof Future);
    assert.match(t.name, /^Task-\d+$/);
    assert.equal(t.done(), false);
    await t;
    assert.equal(t.done(), true);
    assert.equal(t.result(), 'x');
    assert.equal(String(t), `<Task ${t.name} finished>`);
  });

  test('only unnamed tasks take a number, as in Python', () => {
    const a = createTask(() => 1);
    createTask(() => 1, { name: 'named' });
    const b = createTask(() => 1);
    assert.equal(Number(b.name.slice(5)), Number(a.name.slice(5)) + 1);
  });

  test('the name option names the task and can be changed', () => {
    const t = createTask(() => 1, { name: 'worker-1' });
    assert.equal(t.name, 'worker-1');
    t.name = 'renamed';
    assert.equal(t.name, 'renamed');
  });

  test('a body that throws synchronously fails the task', async () => {
    const err = new Error('sync');
    const t = createTask(() => {
      throw err;
    });
    await assert.rejects(Promise.resolve(t), (e) => e === err);
    assert.equal(t.exception(), err);
    assert.equal(t.cancelled(), false);
  });

  test('a body that rejects fails the task with that error', async () => {
    const t = createTask(async () => {
      await Promise.resolve();
      throw new RangeError('async');
    });
    await assert.rejects(Promise.resolve(t), RangeError);
    assert.ok(t.exception() instanceof RangeError);
  });

  test('a body returning a plain value or a thenable completes the task with it', async () => {
    assert.equal(await createTask(() => 5), 5);
    const thenable = { then: (ok: (v: number) => void) => ok(6) };
    assert.equal(await createTask(() => thenable as PromiseLike<number>), 6);
  });

  test('the body receives the task signal when it declares a parameter', async () => {
    let seen: AbortSignal | undefined;
    const t = createTask((signal) => {
      seen = signal;
      return 1;
    });
    await t;
    assert.equal(seen, t.signal);
    assert.ok(seen instanceof AbortSignal);
  });

  test('setResult and setException on a task throw InvalidStateError', () => {
    const t = createTask(() => 1);
    assert.throws(() => t.setResult(2), InvalidStateError);
    assert.throws(() => t.setException(new Error('x')), InvalidStateError);
  });

  test('bad arguments throw TypeError naming the argument', () => {
    assert.throws(() => createTask('nope' as never), /"body" argument must be a function/);
    assert.throws(() => createTask(() => 1, 5 as never), /"options" argument must be an object/);
    assert.throws(
      () => createTask(() => 1, { name: 3 as never }),
      /"options.name" argument must be a string/,
    );
  });
});

describe('Task cancellation', () => {
  test('a task cancelled before it starts never runs its body', async () => {
    let ran = false;
    const t = createTask(() => {
      ran = true;
    });
    assert.equal(t.cancel('early'), true);
    assert.equal(t.cancelled(), false, 'as in Python, it is cancelled when its first step runs');
    await assert.rejects(
      Promise.resolve(t),
      (e) => e instanceof CancelledError && e.message === 'early',
    );
    assert.equal(ran, false);
    assert.equal(t.cancelled(), true);
  });

  test('cancel() aborts the task signal with a CancelledError and the task ends cancelled', async () => {
    using clock = useVirtualClock();
    const t = createTask(async (signal) => {
      await sleep(10_000, undefined, { signal });
      return 'never';
    });
    await clock.settle();
    assert.equal(t.cancel('stop'), true);
    assert.equal(t.signal.aborted, true);
    assert.ok(t.signal.reason instanceof CancelledError);
    assert.equal((t.signal.reason as Error).message, 'stop');
    await assert.rejects(Promise.resolve(t), CancelledError);
    assert.equal(t.cancelled(), true);
    assert.equal(getEventListeners(t.signal, 'abort').length, 0);
  });

  test('a body that swallows cancellation returns a value and the task is not cancelled', async () => {
    using clock = useVirtualClock();
    const t = createTask(async (signal) => {
      try {
        await sleep(10_000, undefined, { signal });
      } catch {
        return 'swallowed';
      }
      return 'slept';
    });
    await clock.settle();
    t.cancel();
    assert.equal(await t, 'swallowed');
    assert.equal(t.cancelled(), false);
    assert.equal(t.result(), 'swallowed');
  });

  test('a body that ignores its signal runs to its end and keeps its result', async () => {
    using clock = useVirtualClock();
    const t = createTask(async () => {
      await sleep(100);
      return 'done anyway';
    });
    await clock.settle();
    t.cancel();
    await clock.advance(100);
    assert.equal(await t, 'done anyway');
  });

  test('a body that rejects with a CancelledError of its own is cancelled, as in Python', async () => {
    const inner = new Future<number>();
    inner.cancel('inner');
    const t = createTask(async () => inner);
    await assert.rejects(Promise.resolve(t), CancelledError);
    assert.equal(t.cancelled(), true);
  });

  test('a body that rejects with an AbortError after the signal aborted is cancelled', async () => {
    const t = createTask(async (signal) => {
      await new Promise((_r, reject) =>
        signal.addEventListener(
          'abort',
          () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          { once: true },
        ),
      );
    });
    await tick();
    t.cancel();
    await assert.rejects(Promise.resolve(t), CancelledError);
    assert.equal(t.cancelled(), true);
  });

  test('a body that throws another error after cancel() fails the task with that error', async () => {
    const t = createTask(async (signal) => {
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      throw new TypeError('cleanup failed');
    });
    await tick();
    t.cancel();
    await assert.rejects(Promise.resolve(t), TypeError);
    assert.equal(t.cancelled(), false);
  });

  test('cancel() on a done task returns false', async () => {
    const t = createTask(() => 1);
    await t;
    assert.equal(t.cancel(), false);
    assert.equal(t.cancelling(), 0);
  });

  test('cancelling() counts requests and uncancel() withdraws them', async () => {
    const t = createTask(async (signal) => {
      await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      return 'ok';
    });
    await tick();
    assert.equal(t.cancelling(), 0);
    assert.equal(t.cancel(), true);
    assert.equal(t.cancel(), true);
    assert.equal(t.cancelling(), 2);
    assert.equal(t.uncancel(), 1);
    assert.equal(t.uncancel(), 0);
    assert.equal(t.uncancel(), 0, 'never below zero');
    assert.equal(await t, 'ok');
  });

  test('a task whose cancel request was withdrawn before it started runs normally', async () => {
    const t = createTask(() => 'ran');
    t.cancel();
    t.uncancel();
    assert.equal(await t, 'ran');
  });

  test('the signal of a task cancelled before it starts is already aborted when first read', () => {
    const t = createTask(() => 1);
    t.cancel('why');
    assert.equal(t.signal.aborted, true);
    assert.equal((t.signal.reason as Error).message, 'why');
  });
});
