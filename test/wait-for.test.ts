import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Future, TimeoutError, createTask, sleep, waitFor } from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('waitFor', () => {
  test('resolves with the value when it finishes in time', async () => {
    using clock = useVirtualClock();
    const p = waitFor(sleep(10, 'ok'), 100);
    await clock.advance(10);
    assert.equal(await p, 'ok');
    assert.equal(clock.pendingTimers(), 0, 'the timeout timer is cleared');
  });

  test('on timeout cancels the task and rejects with TimeoutError', async () => {
    using clock = useVirtualClock();
    const t = createTask((signal) => sleep(10_000, 'late', { signal }));
    const p = waitFor(t, 100);
    const rejected = assert.rejects(
      p,
      (e) => e instanceof TimeoutError && e.cause instanceof CancelledError,
    );
    await clock.advance(100);
    await rejected;
    assert.equal(t.cancelled(), true);
  });

  test('waits for the cancelled task to finish before it rejects', async () => {
    using clock = useVirtualClock();
    let cleanedUp = false;
    const t = createTask(async (signal) => {
      try {
        await sleep(10_000, undefined, { signal });
      } finally {
        await sleep(50); // slow clean-up after cancellation
        cleanedUp = true;
      }
    });
    const p = waitFor(t, 100);
    let settled = false;
    p.catch(() => {}).finally(() => (settled = true));
    await clock.advance(100);
    assert.equal(settled, false, 'still waiting for the clean-up');
    assert.equal(t.done(), false);
    await clock.advance(50);
    await assert.rejects(p, TimeoutError);
    assert.equal(cleanedUp, true);
    assert.equal(t.cancelled(), true);
  });

  test('if the task swallows the cancellation its value is returned', async () => {
    using clock = useVirtualClock();
    const t = createTask(async (signal) => {
      try {
        await sleep(10_000, undefined, { signal });
        return 'slept';
      } catch {
        return 'swallowed';
      }
    });
    const p = waitFor(t, 100);
    await clock.advance(100);
    assert.equal(await p, 'swallowed');
  });

  test('if the task throws another error while cancelled, that error propagates', async () => {
    using clock = useVirtualClock();
    const t = createTask(async (signal) => {
      await sleep(10_000, undefined, { signal }).catch(() => {
        throw new RangeError('during clean-up');
      });
    });
    const p = waitFor(t, 100);
    const rejected = assert.rejects(p, RangeError);
    await clock.advance(100);
    await rejected;
  });

  test('a function is run as a cancellable task', async () => {
    using clock = useVirtualClock();
    let aborted = false;
    const p = waitFor(async (signal) => {
      signal.addEventListener('abort', () => (aborted = true), { once: true });
      await sleep(1000, undefined, { signal });
    }, 10);
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(10);
    await rejected;
    assert.equal(aborted, true);
  });

  test('a plain promise cannot be cancelled: on timeout waitFor rejects at once', async () => {
    using clock = useVirtualClock();
    const p = waitFor(new Promise(() => {}), 10);
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(10);
    await rejected;
  });

  test('null waits without a limit', async () => {
    using clock = useVirtualClock();
    const p = waitFor(sleep(1_000_000, 'eventually'), null);
    assert.equal(clock.pendingTimers(), 1);
    await clock.advance(1_000_000);
    assert.equal(await p, 'eventually');
  });

  test('a timeout of 0 on a done future returns its result', async () => {
    const f = new Future<number>();
    f.setResult(3);
    assert.equal(await waitFor(f, 0), 3);
  });

  test('a timeout of 0 on a pending task cancels it and rejects with TimeoutError', async () => {
    const t = createTask((signal) => sleep(1000, 1, { signal }));
    await assert.rejects(waitFor(t, 0), TimeoutError);
    assert.equal(t.cancelled(), true);
  });

  test('aborting the signal cancels the awaitable, waits for it, and rejects with the reason', async () => {
    using clock = useVirtualClock();
    const ac = new AbortController();
    const t = createTask((signal) => sleep(1000, 1, { signal }));
    const p = waitFor(t, 500, { signal: ac.signal });
    await clock.settle();
    const reason = new CancelledError('caller gave up');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(t.cancelled(), true);
    assert.equal(clock.pendingTimers(), 0);
  });

  test('errors of the awaitable propagate as they are', async () => {
    await assert.rejects(waitFor(Promise.reject(new SyntaxError('x')), 100), SyntaxError);
  });

  test('bad arguments throw naming the argument', () => {
    assert.throws(() => waitFor(5 as never, 10), /"aw" argument/);
    assert.throws(() => waitFor(Promise.resolve(), 'x' as never), /"ms" argument/);
    assert.throws(() => waitFor(Promise.resolve(), NaN), RangeError);
  });
});
