import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { CancelledError, Future, InvalidStateError, Lock, gather, sleep } from 'tsio';

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => sleep(0);

/** Records when a promise settles, without letting a rejection go unhandled. */
function track<T>(p: PromiseLike<T>): {
  state: 'pending' | 'fulfilled' | 'rejected';
  value?: unknown;
} {
  const t: { state: 'pending' | 'fulfilled' | 'rejected'; value?: unknown } = { state: 'pending' };
  p.then(
    (v) => {
      t.state = 'fulfilled';
      t.value = v;
    },
    (e: unknown) => {
      t.state = 'rejected';
      t.value = e;
    },
  );
  return t;
}

describe('Lock', () => {
  test('a new lock is unlocked, and acquire() takes it and resolves to the lock itself', async () => {
    const lock = new Lock();
    assert.equal(lock.locked(), false);
    const got = await lock.acquire();
    assert.equal(got, lock);
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('acquire() on a free lock returns the same already-resolved promise each time', async () => {
    const lock = new Lock();
    const a = lock.acquire();
    lock.release();
    const b = lock.acquire();
    lock.release();
    assert.equal(a, b);
    assert.equal(await a, lock);
  });

  test('a second acquire() waits until the holder releases', async () => {
    const lock = new Lock();
    await lock.acquire();
    const second = track(lock.acquire());
    await flush();
    assert.equal(second.state, 'pending');
    lock.release();
    await flush();
    assert.equal(second.state, 'fulfilled');
    assert.equal(lock.locked(), true, 'ownership passed to the waiter');
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('release() of an unlocked lock throws InvalidStateError with a clear message', () => {
    const lock = new Lock();
    assert.throws(
      () => lock.release(),
      (e: unknown) => e instanceof InvalidStateError && /not locked/.test(e.message),
    );
  });

  test('waiters get the lock in the order they asked for it (FIFO)', async () => {
    const lock = new Lock();
    await lock.acquire();
    const order: number[] = [];
    const waiters = [0, 1, 2, 3, 4].map((i) =>
      lock.acquire().then(() => {
        order.push(i);
        lock.release();
      }),
    );
    lock.release();
    await Promise.all(waiters);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(lock.locked(), false);
  });

  test('release hands the lock to the first waiter: a later acquire() cannot barge in', async () => {
    const lock = new Lock();
    await lock.acquire();
    const order: string[] = [];
    const waiter = lock.acquire().then(() => {
      order.push('waiter');
      lock.release();
    });
    lock.release();
    assert.equal(lock.locked(), true, 'still locked: it belongs to the waiter now');
    const late = lock.acquire().then(() => {
      order.push('late');
      lock.release();
    });
    await Promise.all([waiter, late]);
    assert.deepEqual(order, ['waiter', 'late']);
  });

  test('an aborted waiter rejects with signal.reason and the next waiter still gets the lock', async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const first = lock.acquire({ signal: ac.signal });
    const second = track(lock.acquire());
    const reason = new CancelledError('gave up');
    ac.abort(reason);
    await assert.rejects(first, (e) => e === reason);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    lock.release();
    await flush();
    assert.equal(second.state, 'fulfilled');
    assert.equal(lock.locked(), true);
    lock.release();
    assert.equal(lock.locked(), false);
  });

  test('acquire() with an already aborted signal rejects at once without taking a free lock', async () => {
    const lock = new Lock();
    const reason = new Error('already');
    await assert.rejects(lock.acquire({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.equal(lock.locked(), false);
  });

  test('a signal that never aborts has its listener removed once the lock is granted', async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const p = lock.acquire({ signal: ac.signal });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    lock.release();
    await p;
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    ac.abort(); // too late: changes nothing
    assert.equal(lock.locked(), true);
    lock.release();
  });

  test('using _ = await lock.acquire() releases the lock at the end of the block', async () => {
    const lock = new Lock();
    {
      using _held = await lock.acquire();
      assert.equal(lock.locked(), true);
    }
    assert.equal(lock.locked(), false);
  });

  test('[Symbol.dispose]() releases, and throws InvalidStateError on an unlocked lock', async () => {
    const lock = new Lock();
    await lock.acquire();
    lock[Symbol.dispose]();
    assert.equal(lock.locked(), false);
    assert.throws(() => lock[Symbol.dispose](), InvalidStateError);
  });

  test('hold() runs the callback holding the lock, releases it, and returns its value', async () => {
    const lock = new Lock();
    const f = lock.hold(async () => {
      assert.equal(lock.locked(), true);
      await flush();
      return 42;
    });
    assert.ok(f instanceof Future, 'hold returns a tsio Future');
    assert.equal(await f, 42);
    assert.equal(lock.locked(), false);
  });

  test('a hold() whose callback ends with a CancelledError is cancelled; other errors fail it', async () => {
    const lock = new Lock();
    const cancelled = lock.hold(async () => {
      throw new CancelledError('inside');
    });
    await assert.rejects(cancelled, CancelledError);
    assert.equal(cancelled.cancelled(), true);
    const failed = lock.hold(() => {
      throw new RangeError('x');
    });
    await assert.rejects(failed, RangeError);
    assert.equal(failed.cancelled(), false);
    assert.equal(lock.locked(), false);
  });

  test('hold() accepts a synchronous callback', async () => {
    const lock = new Lock();
    assert.equal(await lock.hold(() => 'sync'), 'sync');
    assert.equal(lock.locked(), false);
  });

  test('hold() releases the lock when the callback throws or rejects, and passes the error on', async () => {
    const lock = new Lock();
    const boom = new Error('boom');
    await assert.rejects(
      lock.hold(() => {
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(lock.locked(), false);
    await assert.rejects(
      lock.hold(async () => {
        await flush();
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(lock.locked(), false);
  });

  test('hold() callbacks run one at a time, in call order', async () => {
    const lock = new Lock();
    let inside = 0;
    const order: number[] = [];
    const results = await gather(
      [0, 1, 2, 3].map((i) =>
        lock.hold(async () => {
          inside++;
          assert.equal(inside, 1, 'mutual exclusion');
          await flush();
          order.push(i);
          inside--;
          return i * 10;
        }),
      ),
    );
    assert.deepEqual(order, [0, 1, 2, 3]);
    assert.deepEqual(results, [0, 10, 20, 30]);
    assert.equal(lock.locked(), false);
  });

  test('hold() and acquire() share one FIFO queue', async () => {
    const lock = new Lock();
    await lock.acquire();
    const order: string[] = [];
    const a = lock.hold(() => {
      order.push('hold');
    });
    const b = lock.acquire().then(() => {
      order.push('acquire');
      lock.release();
    });
    const c = lock.hold(() => {
      order.push('hold 2');
    });
    lock.release();
    await Promise.all([a, b, c]);
    assert.deepEqual(order, ['hold', 'acquire', 'hold 2']);
  });

  test('an aborted hold() leaves the queue without running its callback', async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    let ran = false;
    const aborted = lock.hold(
      () => {
        ran = true;
      },
      { signal: ac.signal },
    );
    const next = lock.hold(() => 'next');
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    assert.equal(aborted.cancelled(), true, 'a CancelledError leaves it cancelled, as a task');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    lock.release();
    assert.equal(await next, 'next');
    assert.equal(ran, false);
    assert.equal(lock.locked(), false);
  });

  test('hold() with an already aborted signal rejects at once and does not run the callback', async () => {
    const lock = new Lock();
    const reason = new Error('already');
    let ran = false;
    await assert.rejects(
      lock.hold(
        () => {
          ran = true;
        },
        { signal: AbortSignal.abort(reason) },
      ),
      (e) => e === reason,
    );
    assert.equal(ran, false);
    assert.equal(lock.locked(), false);
  });

  test('cancel() on a waiting hold() removes it from the queue; a running one cannot be cancelled', async () => {
    const lock = new Lock();
    let release!: () => void;
    const running = lock.hold(() => new Promise<void>((r) => (release = r)));
    let ran = false;
    const waiting = lock.hold(() => {
      ran = true;
    });
    const last = lock.hold(() => 'last');
    assert.equal(running.running(), true);
    assert.equal(waiting.running(), false);
    assert.equal(running.cancel(), false, 'a running callback cannot be stopped');
    assert.equal(waiting.cancel('not needed'), true);
    assert.equal(waiting.cancelled(), true);
    release();
    await running;
    assert.equal(await last, 'last');
    assert.equal(ran, false);
    assert.equal(lock.locked(), false);
  });

  test('a hold() cancelled after being granted but before it ran hands the lock on', async () => {
    const lock = new Lock();
    await lock.acquire();
    let ran = false;
    const granted = lock.hold(() => {
      ran = true;
    });
    const next = lock.hold(() => 'next');
    lock.release(); // grants `granted`, whose callback runs on a later microtask
    assert.equal(granted.cancel(), true);
    assert.equal(await next, 'next');
    assert.equal(ran, false);
    assert.equal(lock.locked(), false);
  });

  test('bad arguments throw TypeError naming the argument', () => {
    const lock = new Lock();
    assert.throws(
      () => lock.acquire(5 as never),
      (e: unknown) =>
        e instanceof TypeError && /"options"/.test(e.message) && /number 5/.test(e.message),
    );
    assert.throws(
      () => lock.acquire({ signal: 'x' as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
    assert.throws(
      () => lock.hold('nope' as never),
      (e: unknown) =>
        e instanceof TypeError && /"fn"/.test(e.message) && /string "nope"/.test(e.message),
    );
    assert.throws(
      () => lock.hold(() => 1, { signal: {} as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
  });

  test('toString names the class', () => {
    assert.equal(Object.prototype.toString.call(new Lock()), '[object Lock]');
  });
});
