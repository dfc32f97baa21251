import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import {
  CancelledError,
  InvalidStateError,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  createTask,
  sleep,
} from 'tsio';

const flush = (): Promise<void> => sleep(0);

function drain<T>(q: Queue<T>): T[] {
  const out: T[] = [];
  while (!q.empty()) out.push(q.getNowait());
  return out;
}

describe('Queue', () => {
  test('items come out in the order they were put; qsize/empty/full/maxsize report the state', async () => {
    const q = new Queue<number>();
    assert.equal(q.maxsize, 0);
    assert.equal(q.empty(), true);
    assert.equal(q.full(), false);
    await q.put(1);
    q.putNowait(2);
    await q.put(3);
    assert.equal(q.qsize(), 3);
    assert.equal(q.empty(), false);
    assert.equal(q.full(), false, 'an unbounded queue is never full');
    assert.equal(await q.get(), 1);
    assert.equal(q.getNowait(), 2);
    assert.equal(await q.get(), 3);
    assert.equal(q.qsize(), 0);
  });

  test('a bounded queue is full at maxsize and putNowait() then throws QueueFullError', () => {
    const q = new Queue<string>(2);
    assert.equal(q.maxsize, 2);
    q.putNowait('a');
    q.putNowait('b');
    assert.equal(q.full(), true);
    assert.throws(() => q.putNowait('c'), QueueFullError);
    assert.equal(q.qsize(), 2);
  });

  test('getNowait() on an empty queue throws QueueEmptyError', () => {
    assert.throws(() => new Queue().getNowait(), QueueEmptyError);
  });

  test('a large queue keeps FIFO order through growth and shrinking', () => {
    const q = new Queue<number>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) q.putNowait(i);
      for (let i = 0; i < 4000; i++) assert.equal(q.getNowait(), i);
      for (let i = 5000; i < 6000; i++) q.putNowait(i);
      const rest = drain(q);
      assert.deepEqual(
        rest,
        Array.from({ length: 2000 }, (_, k) => 4000 + k),
      );
    }
  });

  test('get() waits while the queue is empty; a put() hands the item straight to the waiting getter', async () => {
    const q = new Queue<string>();
    const got = q.get();
    await flush();
    q.putNowait('x');
    assert.equal(q.qsize(), 0, 'handed over, not queued');
    assert.equal(await got, 'x');
  });

  test('waiting getters are served in FIFO order', async () => {
    const q = new Queue<number>();
    const order: string[] = [];
    const getters = ['a', 'b', 'c'].map((name) => q.get().then((v) => order.push(`${name}${v}`)));
    q.putNowait(1);
    q.putNowait(2);
    q.putNowait(3);
    await Promise.all(getters);
    assert.deepEqual(order, ['a1', 'b2', 'c3']);
  });

  test('put() waits while the queue is full; a get() lets the first waiting putter in', async () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    let putDone = false;
    const p = q.put(2).then(() => (putDone = true));
    await flush();
    assert.equal(putDone, false);
    assert.equal(q.getNowait(), 1);
    assert.equal(q.qsize(), 1, "the putter's item moved in at once");
    assert.equal(q.full(), true);
    await p;
    assert.equal(putDone, true);
    assert.equal(q.getNowait(), 2);
  });

  test('waiting putters are served in FIFO order and keep item order', async () => {
    const q = new Queue<number>(1);
    q.putNowait(0);
    const putters = [1, 2, 3].map((i) => q.put(i));
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(await q.get());
    await Promise.all(putters);
    assert.deepEqual(got, [0, 1, 2, 3]);
    assert.equal(q.empty(), true);
  });

  test('an aborted get() leaves the waiter list; the next item goes to the next getter', async () => {
    const q = new Queue<number>();
    const ac = new AbortController();
    const aborted = q.get({ signal: ac.signal });
    const next = q.get();
    const reason = new CancelledError('no more');
    ac.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    q.putNowait(7);
    assert.equal(await next, 7);
    assert.equal(q.qsize(), 0);
  });

  test('an aborted put() leaves the waiter list and its item is never put', async () => {
    const q = new Queue<string>(1);
    q.putNowait('a');
    const ac = new AbortController();
    const aborted = q.put('lost', { signal: ac.signal });
    const kept = q.put('c');
    const reason = new CancelledError('x');
    ac.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    assert.equal(await q.get(), 'a');
    await kept;
    assert.equal(await q.get(), 'c');
    assert.equal(q.empty(), true);
  });

  test('get() and put() with an already aborted signal reject at once and change nothing', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    const reason = new Error('already');
    await assert.rejects(q.get({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(q.put(2, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.deepEqual(drain(q), [1]);
  });

  test('join() resolves at once when no item is unfinished', async () => {
    const q = new Queue();
    await q.join();
  });

  test('join() waits until taskDone() was called for every item put', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    let joined = false;
    const j = q.join().then(() => (joined = true));
    q.getNowait();
    q.getNowait();
    q.taskDone();
    await flush();
    assert.equal(joined, false, 'one item is still unfinished');
    q.taskDone();
    await j;
    assert.equal(joined, true);
  });

  test('items handed straight to a getter or moved in from a putter count for join()', async () => {
    const q = new Queue<number>(1);
    const getter = q.get();
    q.putNowait(1); // handed to the getter
    q.putNowait(2);
    const putter = q.put(3); // waits
    await getter;
    q.getNowait(); // 2 out, 3 moves in
    await putter;
    q.getNowait();
    let joined = false;
    const j = q.join().then(() => (joined = true));
    q.taskDone();
    q.taskDone();
    await flush();
    assert.equal(joined, false);
    q.taskDone();
    await j;
  });

  test('taskDone() called more times than items were put throws InvalidStateError', () => {
    const q = new Queue<number>();
    assert.throws(
      () => q.taskDone(),
      (e: unknown) => e instanceof InvalidStateError && /taskDone\(\)/.test(e.message),
    );
    q.putNowait(1);
    q.taskDone();
    assert.throws(() => q.taskDone(), InvalidStateError);
  });

  test('an aborted join() rejects with signal.reason and removes its listener', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    const ac = new AbortController();
    const j = q.join({ signal: ac.signal });
    const reason = new CancelledError('stop');
    ac.abort(reason);
    await assert.rejects(j, (e) => e === reason);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    await assert.rejects(q.join({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
  });

  describe('shutdown()', () => {
    test('after shutdown(), put() and putNowait() fail with QueueShutDownError', async () => {
      const q = new Queue<number>();
      q.shutdown();
      await assert.rejects(q.put(1), QueueShutDownError);
      assert.throws(() => q.putNowait(1), QueueShutDownError);
    });

    test('shutdown() lets consumers take what is queued, then get() fails', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      q.shutdown();
      assert.equal(await q.get(), 1);
      assert.equal(q.getNowait(), 2);
      await assert.rejects(q.get(), QueueShutDownError);
      assert.throws(() => q.getNowait(), QueueShutDownError);
    });

    test('shutdown() rejects every blocked getter with QueueShutDownError', async () => {
      const q = new Queue<number>();
      const g1 = q.get();
      const g2 = q.get();
      q.shutdown();
      await assert.rejects(g1, QueueShutDownError);
      await assert.rejects(g2, QueueShutDownError);
    });

    test('shutdown() rejects every blocked putter and their items are not put', async () => {
      const q = new Queue<number>(1);
      q.putNowait(1);
      const p1 = q.put(2);
      const p2 = q.put(3);
      q.shutdown();
      await assert.rejects(p1, QueueShutDownError);
      await assert.rejects(p2, QueueShutDownError);
      assert.deepEqual(drain(q), [1]);
    });

    test('a plain shutdown() does not release join(): the queued items are still unfinished', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      let joined = false;
      const j = q.join().then(() => (joined = true));
      q.shutdown();
      await flush();
      assert.equal(joined, false);
      q.getNowait();
      q.taskDone();
      await j;
    });

    test('shutdown({ immediate: true }) drops the queued items, counts them done, and get() fails at once', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      q.putNowait(3);
      const joined = q.join();
      q.shutdown({ immediate: true });
      assert.equal(q.qsize(), 0);
      await joined;
      await assert.rejects(q.get(), QueueShutDownError);
      assert.throws(() => q.getNowait(), QueueShutDownError);
      assert.throws(() => q.taskDone(), InvalidStateError);
    });

    test('with immediate, join() still waits for items taken before the shutdown', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      q.getNowait(); // taken, not yet done
      let joined = false;
      const j = q.join().then(() => (joined = true));
      q.shutdown({ immediate: true }); // drops 2
      await flush();
      assert.equal(joined, false);
      q.taskDone();
      await j;
      assert.equal(joined, true);
    });

    test('shutdown({ immediate: true }) rejects blocked putters and getters too', async () => {
      const full = new Queue<number>(1);
      full.putNowait(1);
      const putter = full.put(2);
      full.shutdown({ immediate: true });
      await assert.rejects(putter, QueueShutDownError);
      assert.equal(full.qsize(), 0);
      await full.join();

      const empty = new Queue<number>();
      const getter = empty.get();
      empty.shutdown({ immediate: true });
      await assert.rejects(getter, QueueShutDownError);
    });

    test('shutdown() can be called again, e.g. to drop what is left with immediate', () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.shutdown();
      assert.equal(q.qsize(), 1);
      q.shutdown({ immediate: true });
      assert.equal(q.qsize(), 0);
    });

    test('`using` a queue shuts it down at the end of the scope', async () => {
      let kept!: Queue<number>;
      {
        using q = new Queue<number>();
        kept = q;
        q.putNowait(1);
      }
      assert.throws(() => kept.putNowait(2), QueueShutDownError);
      assert.equal(kept.getNowait(), 1, 'not immediate: the item is still there');
    });

    test('bad shutdown options throw TypeError naming the argument', () => {
      const q = new Queue();
      assert.throws(
        () => q.shutdown({ immediate: 'yes' as never }),
        (e: unknown) =>
          e instanceof TypeError &&
          /"options\.immediate"/.test(e.message) &&
          /string "yes"/.test(e.message),
      );
      assert.throws(
        () => q.shutdown(7 as never),
        (e: unknown) => e instanceof TypeError && /"options"/.test(e.message),
      );
    });
  });

  describe('async iteration', () => {
    test('for await yields the items until the queue is shut down and empty', async () => {
      const q = new Queue<number>();
      const seen: number[] = [];
      const consumer = createTask(async () => {
        for await (const item of q) seen.push(item);
        return 'ended';
      });
      for (let i = 0; i < 5; i++) await q.put(i);
      await flush();
      q.putNowait(5);
      q.shutdown();
      assert.equal(await consumer, 'ended');
      assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
    });

    test('iteration does not call taskDone()', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.shutdown();
      for await (const _item of q) {
        // nothing
      }
      assert.doesNotThrow(() => q.taskDone(), 'the one unfinished item is still counted');
    });

    test('an immediate shutdown ends the iteration without the remaining items', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.putNowait(2);
      const seen: number[] = [];
      for await (const item of q) {
        seen.push(item);
        q.shutdown({ immediate: true });
      }
      assert.deepEqual(seen, [1]);
    });

    test('several consumers share the items: each item goes to exactly one', async () => {
      const q = new Queue<number>(2);
      const seen: number[][] = [[], [], []];
      const consumers = seen.map((mine) =>
        createTask(async () => {
          for await (const item of q) {
            mine.push(item);
            await flush();
          }
        }),
      );
      for (let i = 0; i < 30; i++) await q.put(i);
      q.shutdown();
      await Promise.all(consumers);
      const all = seen.flat().sort((a, b) => a - b);
      assert.deepEqual(
        all,
        Array.from({ length: 30 }, (_, i) => i),
      );
      assert.ok(
        seen.every((s) => s.length > 0),
        'every consumer got some',
      );
    });

    test('the iterator is itself async-iterable', async () => {
      const q = new Queue<number>();
      q.putNowait(1);
      q.shutdown();
      const it = q[Symbol.asyncIterator]();
      assert.equal(it[Symbol.asyncIterator](), it);
      assert.deepEqual(await it.next(), { done: false, value: 1 });
      assert.deepEqual(await it.next(), { done: true, value: undefined });
    });
  });

  test('bad arguments throw TypeError/RangeError naming the argument and the value', () => {
    assert.throws(
      () => new Queue(-1),
      (e: unknown) =>
        e instanceof RangeError && /"maxsize"/.test(e.message) && /-1/.test(e.message),
    );
    assert.throws(
      () => new Queue(2.5),
      (e: unknown) =>
        e instanceof RangeError && /"maxsize"/.test(e.message) && /2\.5/.test(e.message),
    );
    assert.throws(
      () => new Queue('3' as never),
      (e: unknown) =>
        e instanceof TypeError && /"maxsize"/.test(e.message) && /string "3"/.test(e.message),
    );
    const q = new Queue();
    assert.throws(
      () => q.get({ signal: 'x' as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
    assert.throws(
      () => q.put(1, 5 as never),
      (e: unknown) => e instanceof TypeError && /"options"/.test(e.message),
    );
    assert.throws(
      () => q.join({ signal: {} as never }),
      (e: unknown) => e instanceof TypeError && /"options\.signal"/.test(e.message),
    );
  });

  test('toString names the class', () => {
    assert.equal(Object.prototype.toString.call(new Queue()), '[object Queue]');
    assert.equal(Object.prototype.toString.call(new PriorityQueue()), '[object PriorityQueue]');
    assert.equal(Object.prototype.toString.call(new LifoQueue()), '[object LifoQueue]');
  });
});

describe('PriorityQueue', () => {
  test('numbers come out smallest first, compared numerically (not as strings)', () => {
    const q = new PriorityQueue<number>();
    for (const n of [10, 2, 33, -1, 2, 100, 0.5]) q.putNowait(n);
    assert.deepEqual(drain(q), [-1, 0.5, 2, 2, 10, 33, 100]);
  });

  test('strings are ordered by code unit', () => {
    const q = new PriorityQueue<string>();
    for (const s of ['b', 'a', 'B', 'ab', '', 'é']) q.putNowait(s);
    assert.deepEqual(drain(q), ['', 'B', 'a', 'ab', 'b', 'é']);
  });

  test('bigints, booleans and Dates are ordered; numbers and bigints compare with each other', () => {
    const big = new PriorityQueue<number | bigint>();
    for (const v of [3n, 1, 2n, 0.5]) big.putNowait(v);
    assert.deepEqual(drain(big), [0.5, 1, 2n, 3n]);
    const bools = new PriorityQueue<boolean>();
    for (const v of [true, false, true]) bools.putNowait(v);
    assert.deepEqual(drain(bools), [false, true, true]);
    const dates = new PriorityQueue<Date>();
    const d1 = new Date(1000);
    const d2 = new Date(2000);
    dates.putNowait(d2);
    dates.putNowait(d1);
    assert.deepEqual(drain(dates), [d1, d2]);
  });

  test('arrays compare element by element like Python tuples, so [priority, item] works', () => {
    const q = new PriorityQueue<[number, string]>();
    q.putNowait([2, 'write']);
    q.putNowait([1, 'read']);
    q.putNowait([2, 'append']);
    q.putNowait([0, 'open']);
    assert.deepEqual(drain(q), [
      [0, 'open'],
      [1, 'read'],
      [2, 'append'],
      [2, 'write'],
    ]);
    const nested = new PriorityQueue<unknown[]>();
    nested.putNowait([1, [2, 'b']]);
    nested.putNowait([1, [2, 'a']]);
    nested.putNowait([1]);
    assert.deepEqual(drain(nested), [[1], [1, [2, 'a']], [1, [2, 'b']]]);
  });

  test('items after distinct priorities are never compared, so they may be any objects', () => {
    const q = new PriorityQueue<[number, { name: string }]>();
    q.putNowait([2, { name: 'b' }]);
    q.putNowait([1, { name: 'a' }]);
    assert.deepEqual(
      drain(q).map(([, o]) => o.name),
      ['a', 'b'],
    );
  });

  test('values the default order cannot compare throw TypeError naming them; the queue is unchanged', async () => {
    const q = new PriorityQueue<unknown>();
    q.putNowait(1);
    assert.throws(
      () => q.putNowait('x'),
      (e: unknown) =>
        e instanceof TypeError && /string "x"/.test(e.message) && /number 1/.test(e.message),
    );
    await assert.rejects(
      q.put({}),
      (e: unknown) => e instanceof TypeError && /an object/.test(e.message),
    );
    assert.equal(q.qsize(), 1);
    const tuples = new PriorityQueue<[number, object]>();
    tuples.putNowait([1, {}]);
    assert.throws(() => tuples.putNowait([1, {}]), TypeError, 'equal priorities compare the items');
    assert.equal(tuples.qsize(), 1);
    assert.deepEqual(q.getNowait(), 1);
  });

  test('a custom compare orders anything', () => {
    const q = new PriorityQueue<{ deadline: number }>(0, (a, b) => a.deadline - b.deadline);
    for (const d of [5, 1, 3]) q.putNowait({ deadline: d });
    assert.deepEqual(
      drain(q).map((x) => x.deadline),
      [1, 3, 5],
    );
    const maxFirst = new PriorityQueue<number>(0, (a, b) => b - a);
    for (const n of [1, 3, 2]) maxFirst.putNowait(n);
    assert.deepEqual(drain(maxFirst), [3, 2, 1]);
  });

  test('a heap of many random numbers comes out sorted', () => {
    const q = new PriorityQueue<number>();
    const values = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1009);
    for (const v of values) q.putNowait(v);
    assert.deepEqual(
      drain(q),
      values.slice().sort((a, b) => a - b),
    );
  });

  test('a bounded priority queue lets a waiting putter in when an item is taken', async () => {
    const q = new PriorityQueue<number>(2);
    q.putNowait(5);
    q.putNowait(3);
    const putter = q.put(1);
    assert.equal(q.getNowait(), 3);
    await putter;
    assert.deepEqual(drain(q), [1, 5]);
  });

  test('a waiting putter whose item cannot be ordered fails with TypeError; the next putter gets in', async () => {
    const q = new PriorityQueue<unknown>(2);
    q.putNowait(1);
    q.putNowait(2);
    const bad = q.put('x');
    const good = q.put(3);
    assert.equal(q.getNowait(), 1);
    await assert.rejects(bad, TypeError);
    await good;
    assert.deepEqual(drain(q), [2, 3]);
  });

  test('the shutdown and join rules are those of Queue', async () => {
    const q = new PriorityQueue<number>();
    q.putNowait(2);
    q.putNowait(1);
    q.shutdown();
    assert.equal(await q.get(), 1);
    assert.equal(await q.get(), 2);
    await assert.rejects(q.get(), QueueShutDownError);
    q.taskDone();
    q.taskDone();
    await q.join();
  });

  test('a compare that is not a function throws TypeError naming "compare"', () => {
    assert.throws(
      () => new PriorityQueue(0, 'desc' as never),
      (e: unknown) =>
        e instanceof TypeError && /"compare"/.test(e.message) && /string "desc"/.test(e.message),
    );
    assert.throws(
      () => new PriorityQueue(-3),
      (e: unknown) => e instanceof RangeError && /"maxsize"/.test(e.message),
    );
  });
});

describe('LifoQueue', () => {
  test('the last item put comes out first', async () => {
    const q = new LifoQueue<number>();
    for (const n of [1, 2, 3]) q.putNowait(n);
    assert.equal(await q.get(), 3);
    q.putNowait(4);
    assert.deepEqual(drain(q), [4, 2, 1]);
  });

  test('a bounded LIFO queue waits when full and a getter takes the newest item', async () => {
    const q = new LifoQueue<number>(2);
    q.putNowait(1);
    q.putNowait(2);
    assert.throws(() => q.putNowait(3), QueueFullError);
    const putter = q.put(3);
    assert.equal(q.getNowait(), 2);
    await putter;
    assert.deepEqual(drain(q), [3, 1]);
  });

  test('a getter waiting on an empty LIFO queue gets the next item put', async () => {
    const q = new LifoQueue<string>();
    const g = q.get();
    q.putNowait('a');
    q.putNowait('b');
    assert.equal(await g, 'a');
    assert.equal(q.getNowait(), 'b');
  });

  test('shutdown, join and the maxsize check behave as in Queue', async () => {
    assert.throws(() => new LifoQueue(-1), RangeError);
    const q = new LifoQueue<number>();
    q.putNowait(1);
    q.putNowait(2);
    q.shutdown({ immediate: true });
    await q.join();
    await assert.rejects(q.get(), QueueShutDownError);
  });
});
