import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  InvalidStateError,
  TimeoutError,
  sleep,
  timeout,
  timeoutAt,
  type TimeoutScope,
} from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('timeout and timeoutAt', () => {
  test('returns the value of a body that finishes in time and clears its timer', async () => {
    using clock = useVirtualClock();
    const p = timeout(100, (signal) => sleep(10, 'in time', { signal }));
    await clock.advance(10);
    assert.equal(await p, 'in time');
    assert.equal(clock.pendingTimers(), 0);
  });

  test('on expiry aborts the scope signal with a CancelledError and rejects with TimeoutError', async () => {
    using clock = useVirtualClock();
    let reason: unknown;
    const p = timeout(100, async (signal) => {
      signal.addEventListener(
        'abort',
        () => {
          reason = signal.reason;
        },
        { once: true },
      );
      await sleep(1000, undefined, { signal });
    });
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(100);
    await rejected;
    assert.ok(reason instanceof CancelledError);
  });

  test('rejects only once the body has settled', async () => {
    using clock = useVirtualClock();
    let finished = false;
    const p = timeout(100, async (signal) => {
      try {
        await sleep(1000, undefined, { signal });
      } finally {
        await sleep(30);
        finished = true;
      }
    });
    let settled = false;
    p.catch(() => {}).finally(() => (settled = true));
    await clock.advance(100);
    assert.equal(settled, false);
    await clock.advance(30);
    await assert.rejects(p, TimeoutError);
    assert.equal(finished, true);
  });

  test('a body that swallows the cancellation returns its value', async () => {
    using clock = useVirtualClock();
    const p = timeout(100, async (signal, scope) => {
      await sleep(1000, undefined, { signal }).catch(() => {});
      return scope.expired() ? 'expired but fine' : 'not expired';
    });
    await clock.advance(100);
    assert.equal(await p, 'expired but fine');
  });

  test('other errors propagate unchanged', async () => {
    await assert.rejects(
      timeout(100, () => {
        throw new TypeError('sync');
      }),
      TypeError,
    );
    await assert.rejects(
      timeout(100, async () => Promise.reject(new RangeError('async'))),
      RangeError,
    );
  });

  test('null means no deadline, and reschedule() sets or moves one', async () => {
    using clock = useVirtualClock();
    const p = timeout(null, async (signal, scope) => {
      assert.equal(scope.when(), null);
      scope.reschedule(clock.now() + 50);
      assert.equal(scope.when(), 50);
      await sleep(1000, undefined, { signal });
    });
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(50);
    await rejected;
  });

  test('reschedule(null) removes the deadline', async () => {
    using clock = useVirtualClock();
    const p = timeout(10, async (signal, scope) => {
      scope.reschedule(null);
      await sleep(100, undefined, { signal });
      return 'no deadline';
    });
    await clock.advance(100);
    assert.equal(await p, 'no deadline');
  });

  test('timeoutAt takes an absolute deadline in the clock timebase', async () => {
    using clock = useVirtualClock(1000);
    const p = timeoutAt(1200, (signal) => sleep(500, undefined, { signal }));
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(199);
    await clock.advance(1);
    await rejected;
  });

  test('a deadline in the past expires at once', async () => {
    using _clock = useVirtualClock(1000);
    await assert.rejects(
      timeoutAt(0, (signal) => sleep(10, undefined, { signal })),
      TimeoutError,
    );
  });

  test('aborting the outer signal aborts the scope and rejects with its reason, not TimeoutError', async () => {
    using clock = useVirtualClock();
    const ac = new AbortController();
    const p = timeout(1000, (signal) => sleep(500, undefined, { signal }), { signal: ac.signal });
    await clock.settle();
    const reason = new CancelledError('outer');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(clock.pendingTimers(), 0);
  });

  test('bad arguments throw naming the argument', () => {
    assert.throws(() => timeout('1' as never, () => 1), /"ms" argument/);
    assert.throws(() => timeout(1, 'f' as never), /"fn" argument must be a function/);
    assert.throws(
      () => timeoutAt(NaN, () => 1),
      (e) => e instanceof RangeError && /"deadline"/.test(e.message),
    );
    assert.throws(
      () => timeoutAt('1' as never, () => 1),
      (e) => e instanceof TypeError && /"deadline"/.test(e.message),
    );
  });

  test('reschedule() after the scope expired or finished throws InvalidStateError', async () => {
    using clock = useVirtualClock();
    let kept: TimeoutScope | undefined;
    await timeout(100, (_signal, scope) => {
      kept = scope;
    });
    assert.throws(
      () => kept!.reschedule(5),
      (e) => e instanceof InvalidStateError && /finished/.test(e.message),
    );
    const p = timeout(10, async (signal, scope) => {
      await sleep(100, undefined, { signal }).catch(() => {});
      assert.throws(() => scope.reschedule(null), /expired/);
    });
    await clock.advance(10);
    await p;
  });
});
