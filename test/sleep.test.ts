import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, sleep } from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('sleep', () => {
  test('resolves with the value after the delay on the clock', async () => {
    using clock = useVirtualClock();
    let v: string | undefined;
    const p = sleep(100, 'v').then((x) => (v = x));
    await clock.advance(99);
    assert.equal(v, undefined);
    await clock.advance(1);
    await p;
    assert.equal(v, 'v');
  });

  test('sleep(0) yields to the event loop once, after pending immediates', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    await sleep(0);
    order.push('after sleep(0)');
    assert.deepEqual(order, ['immediate', 'after sleep(0)']);
  });

  test('aborting rejects with the reason and clears the timer and listener', async () => {
    using clock = useVirtualClock();
    const ac = new AbortController();
    const p = sleep(1000, undefined, { signal: ac.signal });
    assert.equal(clock.pendingTimers(), 1);
    const reason = new CancelledError('wake up');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(clock.pendingTimers(), 0);
  });

  test('an already aborted signal rejects at once', async () => {
    const reason = new CancelledError('x');
    await assert.rejects(
      sleep(10, undefined, { signal: AbortSignal.abort(reason) }),
      (e) => e === reason,
    );
  });

  test('aborting sleep(0) clears the immediate', async () => {
    const ac = new AbortController();
    const p = sleep(0, undefined, { signal: ac.signal });
    ac.abort(new CancelledError());
    await assert.rejects(p, CancelledError);
  });

  test('negative, NaN or non-number delays throw naming the argument', () => {
    assert.throws(
      () => sleep(-1),
      (e) => e instanceof RangeError && /"ms"/.test(e.message) && /-1/.test(e.message),
    );
    assert.throws(() => sleep(NaN), RangeError);
    assert.throws(
      () => sleep('10' as never),
      (e) => e instanceof TypeError && /string "10"/.test(e.message),
    );
    assert.throws(() => sleep(1, undefined, { signal: 'x' as never }), /"options.signal"/);
  });

  test('a delay beyond the 32-bit timer limit still waits on the real clock', async () => {
    const ac = new AbortController();
    const p = sleep(2 ** 33, 'far', { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 5));
    ac.abort(new CancelledError());
    await assert.rejects(p, CancelledError);
  });
});
