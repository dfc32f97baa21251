import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Future, TimeoutError, createTask, shield, sleep, waitFor } from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('shield', () => {
  test('cancelling the shield does not cancel the inner task', async () => {
    using clock = useVirtualClock();
    const inner = createTask((signal) => sleep(100, 'inner', { signal }));
    const outer = shield(inner);
    assert.equal(outer.cancel(), true);
    await assert.rejects(Promise.resolve(outer), CancelledError);
    await clock.advance(100);
    assert.equal(await inner, 'inner');
  });

  test('the shield follows the inner result, exception and cancellation', async () => {
    const ok = new Future<number>();
    const s1 = shield(ok);
    ok.setResult(1);
    assert.equal(await s1, 1);
    const bad = new Future<number>();
    const s2 = shield(bad);
    bad.setException(new Error('x'));
    await assert.rejects(Promise.resolve(s2), /x/);
    const c = new Future<number>();
    const s3 = shield(c);
    c.cancel();
    assert.equal(s3.cancelled(), true);
  });

  test('waitFor on a shield times out without cancelling the shielded task', async () => {
    using clock = useVirtualClock();
    const save = createTask((signal) => sleep(200, 'saved', { signal }));
    const p = waitFor(shield(save), 50);
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(50);
    await rejected;
    assert.equal(save.cancelled(), false);
    await clock.advance(150);
    assert.equal(await save, 'saved');
  });

  test('a non-awaitable throws TypeError naming the argument', () => {
    assert.throws(() => shield(1 as never), /"aw" argument/);
  });
});
