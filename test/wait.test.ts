import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  createTask,
  sleep,
  wait,
} from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('wait', () => {
  test('the constants are the strings of their names', () => {
    assert.equal(FIRST_COMPLETED, 'FIRST_COMPLETED');
    assert.equal(FIRST_EXCEPTION, 'FIRST_EXCEPTION');
    assert.equal(ALL_COMPLETED, 'ALL_COMPLETED');
  });

  test('by default waits for all and returns the same objects in done', async () => {
    using clock = useVirtualClock();
    const a = createTask(() => sleep(10, 'a'));
    const b = createTask(() => sleep(20, 'b'));
    const p = wait([a, b]);
    await clock.advance(20);
    const { done, pending } = await p;
    assert.deepEqual(
      [...done].sort((x, y) => x.name.localeCompare(y.name)),
      [a, b].sort((x, y) => x.name.localeCompare(y.name)),
    );
    assert.ok(done.has(a) && done.has(b));
    assert.equal(pending.size, 0);
  });

  test('timing out resolves with done and pending and cancels nothing', async () => {
    using clock = useVirtualClock();
    const fast = createTask((signal) => sleep(1000, 'fast', { signal }));
    const slow = createTask((signal) => sleep(2000, 'slow', { signal }));
    const p = wait([fast, slow], { timeout: 1500 });
    await clock.advance(1500);
    const { done, pending } = await p;
    assert.ok(done.has(fast));
    assert.ok(pending.has(slow));
    assert.equal(slow.cancelled(), false);
    assert.equal(slow.done(), false);
    await clock.advance(500);
    assert.equal(await slow, 'slow');
  });

  test('FIRST_COMPLETED returns as soon as one finishes', async () => {
    using clock = useVirtualClock();
    const a = createTask((signal) => sleep(10, 'a', { signal }));
    const b = createTask((signal) => sleep(100, 'b', { signal }));
    const p = wait([a, b], { returnWhen: FIRST_COMPLETED });
    await clock.advance(10);
    const { done, pending } = await p;
    assert.deepEqual([...done], [a]);
    assert.deepEqual([...pending], [b]);
    b.cancel();
    await b.catch(() => {});
  });

  test('FIRST_EXCEPTION returns at the first failure', async () => {
    using clock = useVirtualClock();
    const bad = createTask(async () => {
      await sleep(10);
      throw new Error('bad');
    });
    const slow = createTask((signal) => sleep(100, 'slow', { signal }));
    const p = wait([bad, slow], { returnWhen: FIRST_EXCEPTION });
    await clock.advance(10);
    const { done, pending } = await p;
    assert.deepEqual([...done], [bad]);
    assert.deepEqual([...pending], [slow]);
    slow.cancel();
    await slow.catch(() => {});
  });

  test('FIRST_EXCEPTION with no error waits for all', async () => {
    using clock = useVirtualClock();
    const a = createTask(() => sleep(10, 'a'));
    const b = createTask(() => sleep(30, 'b'));
    const p = wait([a, b], { returnWhen: FIRST_EXCEPTION });
    let settled = false;
    void p.then(() => (settled = true));
    await clock.advance(10);
    assert.equal(settled, false);
    await clock.advance(20);
    const { done, pending } = await p;
    assert.equal(done.size, 2);
    assert.equal(pending.size, 0);
  });

  test('a cancelled child does not count as an exception for FIRST_EXCEPTION', async () => {
    using clock = useVirtualClock();
    const c = new Future<number>();
    const b = createTask(() => sleep(30, 'b'));
    const p = wait([c, b], { returnWhen: FIRST_EXCEPTION });
    c.cancel();
    await clock.advance(10);
    let settled = false;
    void p.then(() => (settled = true));
    await clock.settle();
    assert.equal(settled, false);
    await clock.advance(20);
    assert.equal((await p).done.size, 2);
  });

  test('already-done futures are done at once and promises are accepted', async () => {
    const f = new Future<number>();
    f.setResult(1);
    const { done, pending } = await wait([f, Promise.resolve(2)], { timeout: 0 });
    assert.equal(done.size, 2);
    assert.equal(pending.size, 0);
  });

  test('duplicates are waited for once', async () => {
    const t = createTask(() => 1);
    const { done } = await wait([t, t, t]);
    assert.equal(done.size, 1);
  });

  test('aborting the signal rejects the wait with the reason and cancels nothing', async () => {
    const ac = new AbortController();
    const f = new Future<number>();
    const p = wait([f], { signal: ac.signal });
    const reason = new CancelledError('stop waiting');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(f.cancelled(), false);
  });

  test('bad arguments throw TypeError or RangeError naming the argument', () => {
    assert.throws(
      () => wait([]),
      (e) => e instanceof RangeError && /"aws"/.test(e.message),
    );
    assert.throws(
      () => wait([1 as never]),
      (e) => e instanceof TypeError && /"aws\[0\]"/.test(e.message),
    );
    assert.throws(() => wait(null as never), TypeError);
    assert.throws(
      () => wait([Promise.resolve()], { returnWhen: 'SOMETIMES' as never }),
      (e) =>
        e instanceof TypeError &&
        /options.returnWhen/.test(e.message) &&
        /SOMETIMES/.test(e.message),
    );
    assert.throws(() => wait([Promise.resolve()], { timeout: NaN }), RangeError);
    assert.throws(() => wait([Promise.resolve()], { timeout: '5' as never }), TypeError);
  });

  test('waits over three million awaitables', async () => {
    const n = 3_000_000;
    const fs = new Array<Future<number>>(n);
    for (let i = 0; i < n; i++) fs[i] = new Future<number>();
    const p = wait(fs);
    for (let i = 0; i < n; i++) fs[i]!.setResult(i);
    const { done, pending } = await p;
    assert.equal(done.size, n);
    assert.equal(pending.size, 0);
  });
});
