import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, waitFor, TimeoutError } from 'tsio';
import { VirtualClock, useVirtualClock } from 'tsio/testing';

describe('tsio/testing virtual clock', () => {
  test('time moves only when advanced, and timers fire in deadline order', async () => {
    using clock = useVirtualClock();
    const order: string[] = [];
    const all = Promise.all([
      sleep(30).then(() => order.push('30')),
      sleep(10).then(() => order.push('10')),
      sleep(20).then(() => order.push('20')),
    ]);
    assert.equal(clock.now(), 0);
    assert.equal(clock.pendingTimers(), 3);
    assert.equal(clock.nextTimerAt(), 10);
    await clock.advance(25);
    assert.deepEqual(order, ['10', '20']);
    assert.equal(clock.now(), 25);
    await clock.advance(5);
    await all;
    assert.deepEqual(order, ['10', '20', '30']);
  });

  test('timers set by callbacks during advance fire if they are due', async () => {
    using clock = useVirtualClock();
    let done = false;
    const chain = (async () => {
      await sleep(10);
      await sleep(10);
      await sleep(10);
      done = true;
    })();
    await clock.advance(30);
    await chain;
    assert.equal(done, true);
  });

  test('a ten-minute timeout is tested without waiting', async () => {
    using clock = useVirtualClock();
    const p = waitFor(sleep(3_600_000), 600_000);
    const rejected = assert.rejects(p, TimeoutError);
    await clock.advance(600_000);
    await rejected;
  });

  test('runAll fires every timer and reports how many', async () => {
    using clock = useVirtualClock(100);
    const p = Promise.all([sleep(5), sleep(50)]);
    assert.equal(await clock.runAll(), 2);
    assert.equal(clock.now(), 150);
    await p;
  });

  test('uninstall restores the real clock', async () => {
    const clock = new VirtualClock(5).install();
    assert.equal(clock.now(), 5);
    clock.uninstall();
    const start = performance.now();
    await sleep(1);
    assert.ok(performance.now() - start >= 0.5);
  });

  test('bad arguments throw', async () => {
    assert.throws(() => new VirtualClock(NaN), RangeError);
    assert.throws(() => new VirtualClock('0' as never), TypeError);
    using clock = useVirtualClock();
    await assert.rejects(clock.advance(-1), RangeError);
  });
});
