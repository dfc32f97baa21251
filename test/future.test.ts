import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Future, InvalidStateError, isFuture } from 'tsio';

describe('Future', () => {
  test('a new future is pending and its result() and exception() throw InvalidStateError', () => {
    const f = new Future<number>();
    assert.equal(f.done(), false);
    assert.equal(f.cancelled(), false);
    assert.equal(f.running(), false);
    assert.throws(() => f.result(), InvalidStateError);
    assert.throws(() => f.exception(), InvalidStateError);
  });

  test('setResult makes it done; result() returns the value and exception() undefined', async () => {
    const f = new Future<number>();
    f.setResult(42);
    assert.equal(f.done(), true);
    assert.equal(f.result(), 42);
    assert.equal(f.exception(), undefined);
    assert.equal(await f, 42);
  });

  test('setException stores the error: result() throws it, exception() returns it, await rejects', async () => {
    const f = new Future<number>();
    const err = new Error('boom');
    f.setException(err);
    assert.throws(
      () => f.result(),
      (e) => e === err,
    );
    assert.equal(f.exception(), err);
    await assert.rejects(Promise.resolve(f), (e) => e === err);
  });

  test('setResult or setException on a done future throws InvalidStateError', () => {
    const f = new Future<number>();
    f.setResult(1);
    assert.throws(() => f.setResult(2), InvalidStateError);
    assert.throws(() => f.setException(new Error('x')), InvalidStateError);
    const g = new Future<number>();
    g.cancel();
    assert.throws(() => g.setResult(2), /already cancelled/);
  });

  test('cancel() on a pending future returns true and makes result() throw CancelledError with the message', async () => {
    const f = new Future<number>();
    assert.equal(f.cancel('stop it'), true);
    assert.equal(f.cancelled(), true);
    assert.equal(f.done(), true);
    assert.throws(
      () => f.result(),
      (e) => e instanceof CancelledError && e.message === 'stop it',
    );
    assert.throws(() => f.exception(), CancelledError);
    await assert.rejects(Promise.resolve(f), CancelledError);
  });

  test('cancel() on a done future returns false and changes nothing', () => {
    const f = new Future<number>();
    f.setResult(1);
    assert.equal(f.cancel(), false);
    assert.equal(f.cancelled(), false);
    assert.equal(f.result(), 1);
  });

  test('done callbacks run once, after completion, on a later microtask, in registration order', async () => {
    const f = new Future<string>();
    const calls: string[] = [];
    f.addDoneCallback((x) => calls.push(`a:${x.result()}`));
    f.addDoneCallback(() => calls.push('b'));
    f.setResult('v');
    assert.deepEqual(calls, [], 'not called synchronously inside setResult');
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(calls, ['a:v', 'b']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, ['a:v', 'b'], 'called once');
  });

  test('a done callback added to a done future is still called asynchronously', async () => {
    const f = new Future<number>();
    f.cancel();
    let called: Future<number> | undefined;
    f.addDoneCallback((x) => {
      called = x;
    });
    assert.equal(called, undefined);
    await new Promise((r) => setImmediate(r));
    assert.equal(called, f);
  });

  test('done callbacks are never called synchronously inside cancel or setException', () => {
    const f = new Future<number>();
    let called = false;
    f.addDoneCallback(() => (called = true));
    f.setException(new Error('x'));
    assert.equal(called, false);
    const g = new Future<number>();
    g.addDoneCallback(() => (called = true));
    g.cancel();
    assert.equal(called, false);
  });

  test('removeDoneCallback removes every registration of the callback and returns the count', async () => {
    const f = new Future<number>();
    const calls: string[] = [];
    const cb = (): number => calls.push('cb');
    f.addDoneCallback(cb);
    f.addDoneCallback(() => calls.push('other'));
    f.addDoneCallback(cb);
    assert.equal(f.removeDoneCallback(cb), 2);
    assert.equal(f.removeDoneCallback(cb), 0);
    f.setResult(1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, ['other']);
  });

  test('addDoneCallback with a non-function throws TypeError naming the argument', () => {
    const f = new Future<number>();
    assert.throws(
      () => f.addDoneCallback(42 as never),
      (e) => e instanceof TypeError && /"callback"/.test(e.message) && /number 42/.test(e.message),
    );
  });

  test('a failed future that nobody awaits does not cause an unhandled rejection', async () => {
    let unhandled = 0;
    const onUnhandled = (): void => {
      unhandled++;
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const f = new Future<number>();
      f.setException(new Error('ignored'));
      const g = new Future<number>();
      g.cancel();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      assert.equal(unhandled, 0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a future can be awaited many times and used with then, catch and finally', async () => {
    const f = new Future<number>();
    setImmediate(() => f.setResult(7));
    const [a, b] = await Promise.all([f, f.then((x) => x * 2)]);
    assert.equal(a, 7);
    assert.equal(b, 14);
    let fin = false;
    assert.equal(
      await f.finally(() => {
        fin = true;
      }),
      7,
    );
    assert.equal(fin, true);
    const g = new Future<number>();
    g.setException(new Error('e'));
    assert.equal(await g.catch((e) => (e as Error).message), 'e');
  });

  test('isFuture and instanceof recognise futures and only futures', () => {
    assert.equal(isFuture(new Future()), true);
    assert.equal(new Future() instanceof Future, true);
    assert.equal(isFuture(Promise.resolve(1)), false);
    assert.equal(isFuture({ then() {} }), false);
    assert.equal(isFuture(null), false);
  });

  test('a throwing done callback is reported as an uncaught exception and the others still run', async () => {
    const f = new Future<number>();
    const calls: string[] = [];
    f.addDoneCallback(() => {
      throw new Error('callback failed');
    });
    f.addDoneCallback(() => calls.push('second'));
    const caught: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    const onUncaught = (e: unknown): void => {
      caught.push(e);
    };
    process.on('uncaughtException', onUncaught);
    try {
      f.setResult(1);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
    }
    assert.deepEqual(calls, ['second']);
    assert.equal(caught.length, 1);
    assert.match((caught[0] as Error).message, /callback failed/);
  });
});
