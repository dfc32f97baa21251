import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { CancelledError, Event, sleep } from 'tsio';

const flush = (): Promise<void> => sleep(0);

describe('Event', () => {
  test('a new event is not set; set() sets it and clear() unsets it', () => {
    const e = new Event();
    assert.equal(e.isSet(), false);
    e.set();
    assert.equal(e.isSet(), true);
    e.set(); // setting twice is harmless
    assert.equal(e.isSet(), true);
    e.clear();
    assert.equal(e.isSet(), false);
  });

  test('wait() on a set event resolves with true at once', async () => {
    const e = new Event();
    e.set();
    assert.equal(await e.wait(), true);
  });

  test('wait() waits until set(), then resolves with true', async () => {
    const e = new Event();
    let woke = false;
    const p = e.wait().then((v) => {
      woke = true;
      return v;
    });
    await flush();
    assert.equal(woke, false);
    e.set();
    assert.equal(await p, true);
  });

  test('set() wakes every waiter, in the order they started waiting', async () => {
    const e = new Event();
    const order: number[] = [];
    const all = [0, 1, 2, 3].map((i) => e.wait().then(() => order.push(i)));
    e.set();
    await Promise.all(all);
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  test('waiters woken by set() are not put back to sleep by an immediate clear()', async () => {
    const e = new Event();
    const p = e.wait();
    e.set();
    e.clear();
    assert.equal(await p, true);
    assert.equal(e.isSet(), false);
  });

  test('after clear(), wait() waits for the next set()', async () => {
    const e = new Event();
    e.set();
    e.clear();
    let woke = false;
    const p = e.wait().then(() => (woke = true));
    await flush();
    assert.equal(woke, false);
    e.set();
    await p;
    assert.equal(woke, true);
  });

  test('an aborted waiter rejects with signal.reason and leaves; the others still wake', async () => {
    const e = new Event();
    const ac = new AbortController();
    const aborted = e.wait({ signal: ac.signal });
    const other = e.wait();
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await assert.rejects(aborted, (x) => x === reason);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    e.set();
    assert.equal(await other, true);
  });

  test('wait() with an already aborted signal rejects at once, even on a set event', async () => {
    const e = new Event();
    const reason = new Error('already');
    await assert.rejects(e.wait({ signal: AbortSignal.abort(reason) }), (x) => x === reason);
    e.set();
    await assert.rejects(e.wait({ signal: AbortSignal.abort(reason) }), (x) => x === reason);
  });

  test('a waiter woken by set() removes its abort listener', async () => {
    const e = new Event();
    const ac = new AbortController();
    const p = e.wait({ signal: ac.signal });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    e.set();
    await p;
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });

  test('bad options throw TypeError naming the argument', () => {
    const e = new Event();
    assert.throws(
      () => e.wait(null as never),
      (x: unknown) =>
        x instanceof TypeError && /"options"/.test(x.message) && /null/.test(x.message),
    );
    assert.throws(
      () => e.wait({ signal: 1 as never }),
      (x: unknown) => x instanceof TypeError && /"options\.signal"/.test(x.message),
    );
  });

  test('toString names the class', () => {
    assert.equal(Object.prototype.toString.call(new Event()), '[object Event]');
  });
});
