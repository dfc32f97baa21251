import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import {
  BoundedSemaphore,
  CancelledError,
  Future,
  InvalidStateError,
  Semaphore,
  gather,
  sleep,
} from 'tsio';

const flush = (): Promise<void> => sleep(0);

describe('Semaphore', () => {
  test('the default value is 1', async () => {
    const sem = new Semaphore();
    assert.equal(sem.locked(), false);
    assert.equal(await sem.acquire(), sem, 'acquire() resolves to the semaphore');
    assert.equal(sem.locked(), true);
    sem.release();
    assert.equal(sem.locked(), false);
  });

  test('acquire() takes permits without waiting until there are none left', async () => {
    const sem = new Semaphore(3);
    await sem.acquire();
    await sem.acquire();
    assert.equal(sem.locked(), false);
    await sem.acquire();
    assert.equal(sem.locked(), true);
    let got = false;
    const p = sem.acquire().then(() => (got = true));
    await flush();
    assert.equal(got, false);
    sem.release();
    await p;
    assert.equal(got, true);
    assert.equal(sem.locked(), true, 'the permit went to the waiter');
  });

  test('a semaphore of 0 waits until the first release', async () => {
    const sem = new Semaphore(0);
    assert.equal(sem.locked(), true);
    const p = sem.acquire();
    sem.release();
    assert.equal(await p, sem);
    assert.equal(sem.locked(), true);
  });

  test('a plain Semaphore may be released more than acquired, raising its value', async () => {
    const sem = new Semaphore(1);
    sem.release();
    await sem.acquire();
    await sem.acquire();
    assert.equal(sem.locked(), true);
  });

  test('waiters get permits in FIFO order, and a later acquire() cannot barge in', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const order: number[] = [];
    const waiters = [0, 1, 2, 3].map((i) =>
      sem.acquire().then(() => {
        order.push(i);
        sem.release();
      }),
    );
    sem.release();
    assert.equal(sem.locked(), true, 'handed over: not free for a newcomer');
    const late = sem.acquire().then(() => {
      order.push(99);
      sem.release();
    });
    await Promise.all([...waiters, late]);
    assert.deepEqual(order, [0, 1, 2, 3, 99]);
    assert.equal(sem.locked(), false);
  });

  test('an aborted waiter rejects with signal.reason and leaves; the others keep their places', async () => {
    const sem = new Semaphore(0);
    const ac = new AbortController();
    const order: string[] = [];
    const a = sem.acquire().then(() => order.push('a'));
    const b = sem.acquire({ signal: ac.signal });
    const c = sem.acquire().then(() => order.push('c'));
    const reason = new CancelledError('b gave up');
    ac.abort(reason);
    await assert.rejects(b, (e) => e === reason);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    sem.release();
    sem.release();
    await Promise.all([a, c]);
    assert.deepEqual(order, ['a', 'c']);
    assert.equal(sem.locked(), true);
  });

  test('acquire() with an already aborted signal rejects without taking a permit', async () => {
    const sem = new Semaphore(1);
    const reason = new Error('already');
    await assert.rejects(sem.acquire({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.equal(sem.locked(), false);
  });

  test('using _ = await sem.acquire() gives the permit back at the end of the block', async () => {
    const sem = new Semaphore(1);
    {
      using _permit = await sem.acquire();
      assert.equal(sem.locked(), true);
    }
    assert.equal(sem.locked(), false);
  });

  test('hold() runs the callback holding a permit and returns its value as a Future', async () => {
    const sem = new Semaphore(2);
    const f = sem.hold(async () => {
      await flush();
      return 7;
    });
    assert.ok(f instanceof Future);
    assert.equal(await f, 7);
    assert.equal(sem.locked(), false);
    assert.equal(await sem.hold(() => 'sync'), 'sync');
  });

  test('hold() gives the permit back when the callback throws or rejects', async () => {
    const sem = new Semaphore(1);
    const boom = new Error('boom');
    await assert.rejects(
      sem.hold(() => {
        throw boom;
      }),
      (e) => e === boom,
    );
    await assert.rejects(
      sem.hold(() => Promise.reject(boom)),
      (e) => e === boom,
    );
    assert.equal(sem.locked(), false);
  });

  test('hold() bounds concurrency and starts callbacks in call order', async () => {
    const sem = new Semaphore(3);
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await gather(
      Array.from({ length: 20 }, (_, i) =>
        sem.hold(async () => {
          started.push(i);
          inFlight++;
          peak = Math.max(peak, inFlight);
          await sleep(0);
          inFlight--;
          return i * 2;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      started,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    assert.equal(sem.locked(), false);
  });

  test('hold() over many items with synchronous callbacks completes without deep recursion', async () => {
    const sem = new Semaphore(2);
    const n = 20_000;
    const results = await gather(Array.from({ length: n }, (_, i) => sem.hold(() => i)));
    assert.equal(results.length, n);
    assert.equal(results[n - 1], n - 1);
    assert.equal(sem.locked(), false);
  });

  test('an aborted hold() leaves the queue without running; cancel() of a waiting hold() too', async () => {
    const sem = new Semaphore(0);
    const ac = new AbortController();
    const ran: string[] = [];
    const a = sem.hold(() => ran.push('a'), { signal: ac.signal });
    const b = sem.hold(() => ran.push('b'));
    const c = sem.hold(() => ran.push('c'));
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await assert.rejects(a, (e) => e === reason);
    assert.equal(b.cancel(), true);
    await assert.rejects(b, CancelledError);
    sem.release();
    await c;
    assert.deepEqual(ran, ['c']);
    assert.equal(sem.locked(), false);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });

  test('cancelling a gather of hold() calls cancels the ones still waiting', async () => {
    const sem = new Semaphore(1);
    let release!: () => void;
    const ran: number[] = [];
    const first = sem.hold(() => {
      ran.push(0);
      return new Promise<void>((r) => (release = r));
    });
    const rest = [1, 2, 3].map((i) => sem.hold(() => ran.push(i)));
    const g = gather(rest);
    assert.equal(g.cancel(), true);
    await assert.rejects(g, CancelledError);
    release();
    await first;
    assert.deepEqual(ran, [0]);
    assert.equal(sem.locked(), false);
  });

  test('hold() with an already aborted signal rejects at once without running', async () => {
    const sem = new Semaphore(1);
    let ran = false;
    const reason = new Error('already');
    await assert.rejects(
      sem.hold(
        () => {
          ran = true;
        },
        { signal: AbortSignal.abort(reason) },
      ),
      (e) => e === reason,
    );
    assert.equal(ran, false);
    assert.equal(sem.locked(), false);
  });

  test('bad arguments throw TypeError/RangeError naming the argument and the value', () => {
    assert.throws(
      () => new Semaphore(-1),
      (e: unknown) => e instanceof RangeError && /"value"/.test(e.message) && /-1/.test(e.message),
    );
    assert.throws(
      () => new Semaphore(1.5),
      (e: unknown) =>
        e instanceof RangeError && /"value"/.test(e.message) && /1\.5/.test(e.message),
    );
    assert.throws(
      () => new Semaphore(NaN),
      (e: unknown) => e instanceof RangeError && /"value"/.test(e.message),
    );
    assert.throws(
      () => new Semaphore('3' as never),
      (e: unknown) =>
        e instanceof TypeError && /"value"/.test(e.message) && /string "3"/.test(e.message),
    );
    const sem = new Semaphore();
    assert.throws(
      () => sem.hold(undefined as never),
      (e: unknown) =>
        e instanceof TypeError && /"fn"/.test(e.message) && /undefined/.test(e.message),
    );
    assert.throws(
      () => sem.acquire({ signal: true as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
    assert.throws(
      () => sem.hold(() => 1, 'x' as never),
      (e: unknown) => e instanceof TypeError && /"options"/.test(e.message),
    );
  });

  test('toString names the class', () => {
    assert.equal(Object.prototype.toString.call(new Semaphore()), '[object Semaphore]');
  });
});

describe('BoundedSemaphore', () => {
  test('release() above the initial value throws InvalidStateError and changes nothing', async () => {
    const sem = new BoundedSemaphore(2);
    assert.throws(
      () => sem.release(),
      (e: unknown) => e instanceof InvalidStateError && /released more times/.test(e.message),
    );
    await sem.acquire();
    sem.release();
    assert.throws(() => sem.release(), InvalidStateError);
    await sem.acquire();
    await sem.acquire();
    assert.equal(sem.locked(), true);
  });

  test('it is a Semaphore: FIFO waiting and hold() work the same way', async () => {
    const sem = new BoundedSemaphore(1);
    assert.ok(sem instanceof Semaphore);
    assert.equal(Object.prototype.toString.call(sem), '[object BoundedSemaphore]');
    const order: number[] = [];
    await gather([1, 2, 3].map((i) => sem.hold(() => order.push(i))));
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(sem.locked(), false);
    assert.throws(() => sem.release(), InvalidStateError);
  });

  test('a hold() whose callback over-releases fails with InvalidStateError', async () => {
    const sem = new BoundedSemaphore(1);
    await assert.rejects(
      sem.hold(() => sem.release()),
      InvalidStateError,
    );
    assert.equal(sem.locked(), false);
  });

  test('the default value is 1, and a bad value throws naming "value"', () => {
    const sem = new BoundedSemaphore();
    assert.throws(() => sem.release(), InvalidStateError);
    assert.throws(
      () => new BoundedSemaphore(-2),
      (e: unknown) => e instanceof RangeError && /"value"/.test(e.message),
    );
  });
});
