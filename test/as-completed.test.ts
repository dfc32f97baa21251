import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Future, TimeoutError, asCompleted, createTask, sleep } from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('asCompleted', () => {
  test('the iterable form gives results in completion order (the seed form)', async () => {
    using clock = useVirtualClock();
    const tasks = [
      createTask(() => sleep(30, 'apple')),
      createTask(() => sleep(10, 'google')),
      createTask(() => sleep(20, 'bing')),
    ];
    const results: string[] = [];
    const consumer = (async () => {
      for (const next of asCompleted(tasks)) results.push(await next);
    })();
    await clock.advance(30);
    await consumer;
    assert.deepEqual(results, ['google', 'bing', 'apple']);
  });

  test('the async iterable form yields the original objects in completion order', async () => {
    using clock = useVirtualClock();
    const a = createTask(() => sleep(20, 'a'));
    const b = createTask(() => sleep(10, 'b'));
    const seen: unknown[] = [];
    const consumer = (async () => {
      for await (const t of asCompleted([a, b])) seen.push(t);
    })();
    await clock.advance(20);
    await consumer;
    assert.deepEqual(seen, [b, a]);
  });

  test('already-done inputs come first, in input order', async () => {
    using clock = useVirtualClock();
    const pending = createTask(() => sleep(10, 'later'));
    const d1 = new Future<string>();
    d1.setResult('d1');
    const d2 = new Future<string>();
    d2.setResult('d2');
    const out: unknown[] = [];
    const consumer = (async () => {
      for await (const f of asCompleted([pending, d1, d2])) out.push(f);
    })();
    await clock.advance(10);
    await consumer;
    assert.deepEqual(out, [d1, d2, pending]);
  });

  test('duplicates are yielded once', async () => {
    const t = createTask(() => 1);
    const out: unknown[] = [];
    for await (const f of asCompleted([t, t, t])) out.push(f);
    assert.deepEqual(out, [t]);
    let count = 0;
    for (const p of asCompleted([t, t])) {
      assert.equal(await p, 1);
      count++;
    }
    assert.equal(count, 1);
  });

  test('a failed input rejects its step with its error, and iteration can go on', async () => {
    const err = new Error('bad');
    const f = new Future<number>();
    f.setException(err);
    const g = new Future<number>();
    g.setResult(2);
    const steps = [...asCompleted([f, g])];
    await assert.rejects(steps[0]!, (e) => e === err);
    assert.equal(await steps[1]!, 2);
  });

  test('on timeout the pending iteration rejects with TimeoutError and nothing is cancelled', async () => {
    using clock = useVirtualClock();
    const fast = createTask(() => sleep(10, 'fast'));
    const slow = createTask((signal) => sleep(1000, 'slow', { signal }));
    const results: string[] = [];
    const consumer = (async () => {
      for (const next of asCompleted([fast, slow], { timeout: 100 })) results.push(await next);
    })();
    const failed = assert.rejects(consumer, TimeoutError);
    await clock.advance(100);
    await failed;
    assert.deepEqual(results, ['fast']);
    assert.equal(slow.cancelled(), false);
    assert.equal(slow.done(), false);
    await clock.advance(900);
    assert.equal(await slow, 'slow');
  });

  test('the async form rejects with TimeoutError on timeout too', async () => {
    using clock = useVirtualClock();
    const slow = createTask((signal) => sleep(1000, 'slow', { signal }));
    const it = asCompleted([slow], { timeout: 50 })[Symbol.asyncIterator]();
    const next = assert.rejects(it.next(), TimeoutError);
    await clock.advance(50);
    await next;
    slow.cancel();
    await slow.catch(() => {});
  });

  test('aborting the signal rejects the waiting step with the reason and removes the listener', async () => {
    const ac = new AbortController();
    const f = new Future<number>();
    const it = asCompleted([f], { signal: ac.signal })[Symbol.asyncIterator]();
    const next = it.next();
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await assert.rejects(next, (e) => e === reason);
    assert.equal(f.cancelled(), false);
  });

  test('breaking out of the loop stops the timer and observers', async () => {
    using clock = useVirtualClock();
    const a = createTask(() => sleep(10, 'a'));
    const b = createTask(() => sleep(1000, 'b'));
    const seen: unknown[] = [];
    const consumer = (async () => {
      for await (const t of asCompleted([a, b], { timeout: 5000 })) {
        seen.push(t);
        break;
      }
    })();
    await clock.advance(10);
    await consumer;
    assert.deepEqual(seen, [a]);
    assert.equal(clock.pendingTimers(), 1, "only b's sleep timer remains");
    await clock.advance(1000);
    await b;
  });

  test('an empty input yields nothing', async () => {
    for await (const _ of asCompleted([])) assert.fail('nothing to yield');
    assert.deepEqual([...asCompleted([])], []);
  });

  test('bad arguments throw TypeError naming the argument', () => {
    assert.throws(() => asCompleted(3 as never), /"aws"/);
    assert.throws(() => asCompleted([Promise.resolve(), 'x' as never]), /"aws\[1\]"/);
    assert.throws(() => asCompleted([], { timeout: 'soon' as never }), /"options.timeout"/);
  });
});
