import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Barrier, BrokenBarrierError, CancelledError, sleep } from 'tsio';

const flush = (): Promise<void> => sleep(0);

describe('Barrier', () => {
  test('parties, nWaiting and broken describe a new barrier', () => {
    const b = new Barrier(3);
    assert.equal(b.parties, 3);
    assert.equal(b.nWaiting, 0);
    assert.equal(b.broken, false);
  });

  test('waiters are held until `parties` have arrived, then all go on with their arrival index', async () => {
    const b = new Barrier(3);
    const released: number[] = [];
    const p0 = b.wait().then((i) => (released.push(i), i));
    const p1 = b.wait().then((i) => (released.push(i), i));
    await flush();
    assert.deepEqual(released, []);
    assert.equal(b.nWaiting, 2);
    const p2 = b.wait();
    assert.equal(b.nWaiting, 0, 'the barrier opened at once');
    assert.deepEqual(await Promise.all([p0, p1, p2]), [0, 1, 2]);
    assert.deepEqual(released, [0, 1], 'released in arrival order');
  });

  test('a barrier of one party never waits', async () => {
    const b = new Barrier(1);
    assert.equal(await b.wait(), 0);
    assert.equal(await b.wait(), 0);
  });

  test('the barrier is reusable: each round hands out indices 0..parties-1 again', async () => {
    const b = new Barrier(2);
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([b.wait(), b.wait()]);
      assert.deepEqual(results, [0, 1]);
    }
  });

  test('a task arriving right after the barrier opened starts the next round', async () => {
    const b = new Barrier(2);
    const first = Promise.all([b.wait(), b.wait()]);
    const next = b.wait();
    assert.equal(b.nWaiting, 1);
    assert.deepEqual(await first, [0, 1]);
    const other = b.wait();
    assert.deepEqual(await Promise.all([next, other]), [0, 1]);
  });

  test('abort() breaks the barrier: waiters and later wait() calls reject with BrokenBarrierError', async () => {
    const b = new Barrier(3);
    const p0 = b.wait();
    const p1 = b.wait();
    b.abort();
    assert.equal(b.broken, true);
    assert.equal(b.nWaiting, 0);
    await assert.rejects(p0, BrokenBarrierError);
    await assert.rejects(p1, BrokenBarrierError);
    await assert.rejects(
      b.wait(),
      (e: unknown) => e instanceof BrokenBarrierError && /broken/.test(e.message),
    );
  });

  test('reset() rejects the current waiters with BrokenBarrierError and starts an empty round', async () => {
    const b = new Barrier(2);
    const p = b.wait();
    b.reset();
    await assert.rejects(
      p,
      (e: unknown) => e instanceof BrokenBarrierError && /reset/.test(e.message),
    );
    assert.equal(b.broken, false);
    assert.equal(b.nWaiting, 0);
    assert.deepEqual(await Promise.all([b.wait(), b.wait()]), [0, 1]);
  });

  test('reset() mends a broken barrier', async () => {
    const b = new Barrier(2);
    b.abort();
    assert.equal(b.broken, true);
    b.reset();
    assert.equal(b.broken, false);
    assert.deepEqual(await Promise.all([b.wait(), b.wait()]), [0, 1]);
  });

  test('an aborted waiter leaves without breaking the barrier, and indices stay 0..parties-1', async () => {
    const b = new Barrier(3);
    const ac = new AbortController();
    const a = b.wait({ signal: ac.signal });
    const p1 = b.wait();
    assert.equal(b.nWaiting, 2);
    const reason = new CancelledError('a left');
    ac.abort(reason);
    await assert.rejects(a, (e) => e === reason);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    assert.equal(b.nWaiting, 1);
    assert.equal(b.broken, false);
    const p2 = b.wait();
    assert.equal(b.nWaiting, 2, 'still short of one party');
    const p3 = b.wait();
    assert.deepEqual(await Promise.all([p1, p2, p3]), [0, 1, 2]);
  });

  test('wait() with an already aborted signal rejects at once and does not count', async () => {
    const b = new Barrier(2);
    const reason = new Error('already');
    await assert.rejects(b.wait({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.equal(b.nWaiting, 0);
  });

  test('`using` a barrier aborts it when the scope ends, so nobody waits forever', async () => {
    let p!: Promise<number>;
    let kept!: Barrier;
    {
      using b = new Barrier(2);
      kept = b;
      p = b.wait();
    }
    await assert.rejects(p, BrokenBarrierError);
    assert.equal(kept.broken, true);
  });

  test('bad arguments throw TypeError/RangeError naming the argument', () => {
    assert.throws(
      () => new Barrier(0),
      (e: unknown) =>
        e instanceof RangeError && /"parties"/.test(e.message) && /number 0/.test(e.message),
    );
    assert.throws(
      () => new Barrier(2.5),
      (e: unknown) => e instanceof RangeError && /"parties"/.test(e.message),
    );
    assert.throws(
      () => new Barrier(undefined as never),
      (e: unknown) =>
        e instanceof TypeError && /"parties"/.test(e.message) && /undefined/.test(e.message),
    );
    const b = new Barrier(2);
    assert.throws(
      () => b.wait({ signal: 1 as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
  });

  test('toString names the class', () => {
    assert.equal(Object.prototype.toString.call(new Barrier(1)), '[object Barrier]');
  });
});
