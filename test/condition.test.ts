import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { CancelledError, Condition, InvalidStateError, Lock, gather, sleep } from 'tsio';

const flush = (): Promise<void> => sleep(0);

describe('Condition', () => {
  test('acquire/release/locked delegate to a new lock by default', async () => {
    const cond = new Condition();
    assert.equal(cond.locked(), false);
    assert.equal(await cond.acquire(), cond, 'acquire() resolves to the condition');
    assert.equal(cond.locked(), true);
    cond.release();
    assert.equal(cond.locked(), false);
    assert.throws(() => cond.release(), InvalidStateError);
  });

  test('a condition built on a given lock shares it', async () => {
    const lock = new Lock();
    const a = new Condition(lock);
    const b = new Condition(lock);
    await a.acquire();
    assert.equal(lock.locked(), true);
    assert.equal(b.locked(), true);
    const bAcquire = b.acquire();
    lock.release();
    assert.equal(await bAcquire, b);
    assert.equal(lock.locked(), true);
    b.release();
    assert.equal(lock.locked(), false);
  });

  test('acquire() waits FIFO when the lock is held, and takes { signal }', async () => {
    const cond = new Condition();
    await cond.acquire();
    const ac = new AbortController();
    const aborted = cond.acquire({ signal: ac.signal });
    const order: number[] = [];
    const later = [1, 2].map((i) =>
      cond.acquire().then(() => {
        order.push(i);
        cond.release();
      }),
    );
    const reason = new CancelledError('x');
    ac.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    cond.release();
    await Promise.all(later);
    assert.deepEqual(order, [1, 2]);
    assert.equal(cond.locked(), false);
  });

  test('using _ = await cond.acquire() releases the lock at the end of the block', async () => {
    const cond = new Condition();
    {
      using _held = await cond.acquire();
      assert.equal(cond.locked(), true);
    }
    assert.equal(cond.locked(), false);
  });

  test('hold() runs the callback with the lock held and returns its value', async () => {
    const cond = new Condition();
    assert.equal(
      await cond.hold(() => {
        assert.equal(cond.locked(), true);
        return 'v';
      }),
      'v',
    );
    assert.equal(cond.locked(), false);
  });

  test('wait() without the lock rejects with InvalidStateError', async () => {
    const cond = new Condition();
    await assert.rejects(
      cond.wait(),
      (e: unknown) => e instanceof InvalidStateError && /lock/.test(e.message),
    );
  });

  test('waitFor() without the lock rejects with InvalidStateError, even if the predicate holds', async () => {
    const cond = new Condition();
    await assert.rejects(
      cond.waitFor(() => true),
      InvalidStateError,
    );
  });

  test('notify() and notifyAll() without the lock throw InvalidStateError', () => {
    const cond = new Condition();
    assert.throws(() => cond.notify(), InvalidStateError);
    assert.throws(() => cond.notifyAll(), InvalidStateError);
  });

  test('wait() releases the lock while waiting and holds it again when it resolves with true', async () => {
    const cond = new Condition();
    await cond.acquire();
    let woke = false;
    const waiter = cond.wait().then((v) => {
      woke = true;
      assert.equal(cond.locked(), true);
      return v;
    });
    assert.equal(cond.locked(), false, 'released while waiting');
    await cond.acquire();
    cond.notify();
    await flush();
    assert.equal(woke, false, 'cannot resume before the notifier releases the lock');
    cond.release();
    assert.equal(await waiter, true);
    assert.equal(cond.locked(), true);
    cond.release();
  });

  test('notify(n) wakes n waiters in FIFO order; notify() wakes one', async () => {
    const cond = new Condition();
    const woken: number[] = [];
    const waiters = [0, 1, 2, 3].map((i) =>
      cond.hold(async () => {
        await cond.wait();
        woken.push(i);
      }),
    );
    await flush();
    await cond.hold(() => cond.notify());
    await flush();
    assert.deepEqual(woken, [0]);
    await cond.hold(() => cond.notify(2));
    await flush();
    assert.deepEqual(woken, [0, 1, 2]);
    await cond.hold(() => cond.notify(0));
    await flush();
    assert.deepEqual(woken, [0, 1, 2]);
    await cond.hold(() => cond.notify(10)); // more than are waiting is fine
    await gather(waiters);
    assert.deepEqual(woken, [0, 1, 2, 3]);
  });

  test('notifyAll() wakes every waiter, and they get the lock back one at a time in order', async () => {
    const cond = new Condition();
    const order: number[] = [];
    let inside = 0;
    const waiters = [0, 1, 2].map((i) =>
      cond.hold(async () => {
        await cond.wait();
        inside++;
        assert.equal(inside, 1, 'one waiter holds the lock at a time');
        await flush();
        order.push(i);
        inside--;
      }),
    );
    await flush();
    await cond.hold(() => cond.notifyAll());
    await gather(waiters);
    assert.deepEqual(order, [0, 1, 2]);
    assert.equal(cond.locked(), false);
  });

  test('notified waiters get the lock before a later acquire() call', async () => {
    const cond = new Condition();
    const order: string[] = [];
    const waiter = cond.hold(async () => {
      await cond.wait();
      order.push('waiter');
    });
    await flush();
    await cond.acquire();
    cond.notify();
    const late = cond.hold(() => {
      order.push('late');
    });
    cond.release();
    await gather([waiter, late]);
    assert.deepEqual(order, ['waiter', 'late']);
  });

  test('an aborted wait() takes the lock back before rejecting with signal.reason', async () => {
    const cond = new Condition();
    await cond.acquire();
    const ac = new AbortController();
    let lockedWhenRejected: boolean | undefined;
    const p = cond.wait({ signal: ac.signal }).catch((e: unknown) => {
      lockedWhenRejected = cond.locked();
      throw e;
    });
    assert.equal(cond.locked(), false);
    // Someone else holds the lock when the abort comes: the rejection waits for it.
    await cond.acquire();
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await flush();
    assert.equal(lockedWhenRejected, undefined, 'not rejected while another task holds the lock');
    cond.release();
    await assert.rejects(p, (e) => e === reason);
    assert.equal(lockedWhenRejected, true);
    assert.equal(cond.locked(), true, 'the aborted waiter holds the lock again');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    cond.release();
  });

  test('wait() with an already aborted signal rejects at once and keeps the lock', async () => {
    const cond = new Condition();
    await cond.acquire();
    const reason = new Error('already');
    await assert.rejects(cond.wait({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.equal(cond.locked(), true);
    cond.release();
  });

  test('an aborted waiter leaves the queue: notify() wakes the next one', async () => {
    const cond = new Condition();
    const ac = new AbortController();
    const aborted = cond.hold(() => cond.wait({ signal: ac.signal }));
    let woke = false;
    const other = cond.hold(async () => {
      await cond.wait();
      woke = true;
    });
    await flush();
    ac.abort(new CancelledError('x'));
    await assert.rejects(aborted, CancelledError);
    await cond.hold(() => cond.notify(1));
    await other;
    assert.equal(woke, true);
    assert.equal(cond.locked(), false);
  });

  test('a waiter notified and then aborted before it has the lock passes the notification on', async () => {
    const cond = new Condition();
    const ac = new AbortController();
    const first = cond.hold(() => cond.wait({ signal: ac.signal }));
    let secondWoke = false;
    const second = cond.hold(async () => {
      await cond.wait();
      secondWoke = true;
    });
    await flush();
    await cond.acquire();
    cond.notify(1); // notifies `first` only
    const reason = new CancelledError('late abort');
    ac.abort(reason); // ...which is aborted before it gets the lock back
    cond.release();
    await assert.rejects(first, (e) => e === reason);
    await second; // woken by the notification `first` passed on
    assert.equal(secondWoke, true);
    assert.equal(cond.locked(), false);
  });

  test('waitFor() returns the predicate value at once when it is truthy, without waiting', async () => {
    const cond = new Condition();
    await cond.acquire();
    let calls = 0;
    const v = await cond.waitFor(() => {
      calls++;
      return 'ready';
    });
    assert.equal(v, 'ready');
    assert.equal(calls, 1);
    assert.equal(cond.locked(), true);
    cond.release();
  });

  test('waitFor() re-checks the predicate after each notification and returns its truthy value', async () => {
    const cond = new Condition();
    const items: number[] = [];
    let checks = 0;
    const consumer = cond.hold(() =>
      cond.waitFor(() => {
        checks++;
        assert.equal(cond.locked(), true, 'the predicate runs with the lock held');
        return items.length >= 2 ? items.slice() : null;
      }),
    );
    await flush();
    await cond.hold(() => {
      items.push(1);
      cond.notify();
    });
    await flush();
    await cond.hold(() => {
      items.push(2);
      cond.notify();
    });
    assert.deepEqual(await consumer, [1, 2]);
    assert.equal(checks, 3);
  });

  test('waitFor() with an aborted signal rejects with its reason, the lock held again', async () => {
    const cond = new Condition();
    await cond.acquire();
    const ac = new AbortController();
    const p = cond.waitFor(() => false, { signal: ac.signal });
    await flush();
    const reason = new CancelledError('enough');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(cond.locked(), true);
    cond.release();
  });

  test('waitFor() passes on an error thrown by the predicate', async () => {
    const cond = new Condition();
    await cond.acquire();
    const boom = new Error('boom');
    await assert.rejects(
      cond.waitFor(() => {
        throw boom;
      }),
      (e) => e === boom,
    );
    cond.release();
  });

  test('bad arguments throw TypeError/RangeError naming the argument', async () => {
    assert.throws(
      () => new Condition({} as never),
      (e: unknown) =>
        e instanceof TypeError && /"lock"/.test(e.message) && /an object/.test(e.message),
    );
    const cond = new Condition();
    await cond.acquire();
    assert.throws(
      () => cond.notify(-1),
      (e: unknown) => e instanceof RangeError && /"n"/.test(e.message) && /-1/.test(e.message),
    );
    assert.throws(
      () => cond.notify(1.5),
      (e: unknown) => e instanceof RangeError && /"n"/.test(e.message) && /1\.5/.test(e.message),
    );
    assert.throws(
      () => cond.notify('2' as never),
      (e: unknown) =>
        e instanceof TypeError && /"n"/.test(e.message) && /string "2"/.test(e.message),
    );
    assert.throws(
      () => cond.waitFor('x' as never),
      (e: unknown) => e instanceof TypeError && /"predicate"/.test(e.message),
    );
    assert.throws(
      () => cond.wait({ signal: 'x' as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
    assert.throws(
      () => cond.waitFor(() => true, 3 as never),
      (e: unknown) => e instanceof TypeError && /"options"/.test(e.message),
    );
    cond.release();
  });

  test('toString names the class', () => {
    assert.equal(Object.prototype.toString.call(new Condition()), '[object Condition]');
  });
});
