// SharedQueue in the main thread (no workers): FIFO, bounds, the buffer limit, signals, shutdown
// (Python 3.13), iteration, values that cannot be copied, and the refused blocking forms.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { QueueEmptyError, QueueFullError, QueueShutDownError, TimeoutError } from 'tsio';
import { Pipe, SharedQueue } from 'tsio/channels';
import {
  abortListeners,
  deadline,
  describeError,
  processListeners,
  rejection,
  stillPending,
  text,
  turns,
} from './util.js';

function drainNow<T>(q: SharedQueue<T>): T[] {
  const out: T[] = [];
  while (!q.empty()) out.push(q.getNowait());
  return out;
}

const isShutDown = (e: unknown): boolean => e instanceof QueueShutDownError;

describe('SharedQueue in the main thread', () => {
  test('items come out in the order they were put; qsize/empty/full/maxsize report the state', async () => {
    const q = new SharedQueue<number>();
    assert.equal(q.maxsize, 0);
    assert.equal(q.empty(), true);
    assert.equal(q.full(), false);
    assert.equal(q.qsize(), 0);
    await q.put(1);
    q.putNowait(2);
    await q.put(3);
    assert.equal(q.qsize(), 3);
    assert.equal(q.empty(), false);
    assert.equal(q.full(), false, 'an unbounded queue is never full by count');
    assert.equal(await q.get(), 1);
    assert.equal(q.getNowait(), 2);
    assert.equal(await q.get(), 3);
    assert.equal(q.qsize(), 0);
    assert.equal(q.empty(), true);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) q.putNowait(i);
      assert.equal(q.qsize(), 500);
      assert.deepEqual(
        drainNow(q),
        Array.from({ length: 500 }, (_, i) => i),
      );
    }
    q.shutdown();
  });

  test('items are copies with structured-clone semantics', async () => {
    const q = new SharedQueue<unknown>();
    const values: unknown[] = [
      -0,
      NaN,
      'ünïcødé 😀',
      null,
      undefined,
      2n ** 70n,
      { a: [1, { b: 'c' }] },
      new Map([[1, new Set(['x'])]]),
      new Date(0),
      /re/g,
      new Float32Array([0.5, 1.5]),
      new ArrayBuffer(3),
    ];
    for (const v of values) await q.put(v);
    for (const v of values) assert.deepEqual(await q.get(), v);
    const original = { n: 1 };
    q.putNowait(original);
    original.n = 2;
    assert.deepEqual(q.getNowait(), { n: 1 });
    const e = new RangeError('out of range');
    q.putNowait(e);
    const got = q.getNowait() as Error;
    assert.equal(got.name, 'RangeError');
    assert.equal(got.message, 'out of range');
    q.shutdown();
  });

  test('received typed arrays are independent copies (not views over a reused buffer)', async () => {
    const q = new SharedQueue<Uint8Array>();
    q.putNowait(Uint8Array.from([0]));
    await q.put(Uint8Array.from([1]));
    const x = q.getNowait();
    const y = await q.get();
    assert.deepEqual(x, Uint8Array.from([0]), 'not overwritten by the next item');
    assert.deepEqual(y, Uint8Array.from([1]));
    assert.equal(x.buffer.byteLength, 1, 'as with structuredClone');
    q.shutdown();
  });

  test('byte data decoded by v8 (Buffer, DataView, typed arrays in a Map or Set) is not overwritten by the next get', async () => {
    const q = new SharedQueue<unknown>();
    await q.put({ payload: Buffer.from('important') });
    await q.put(new Map([['k', Uint8Array.from([1, 2, 3, 4])]]));
    await q.put(new Set([new DataView(Int32Array.from([7, 7]).buffer)]));
    const a = (await q.get()) as { payload: Uint8Array };
    const b = (await q.get()) as Map<string, Uint8Array>;
    const c = (await q.get()) as Set<DataView>;
    for (let i = 0; i < 3; i++) await q.put('z'.repeat(60 + i));
    for (let i = 0; i < 3; i++) await q.get();
    assert.equal(Buffer.from(a.payload).toString(), 'important');
    assert.deepEqual([...b.get('k')!], [1, 2, 3, 4]);
    const view = [...c][0]!;
    assert.deepEqual([view.getInt32(0, true), view.getInt32(4, true)], [7, 7]);
    q.shutdown();
  });

  test('a bounded queue is full at maxsize: putNowait throws QueueFullError, put waits', async () => {
    const q = new SharedQueue<string>(2);
    assert.equal(q.maxsize, 2);
    q.putNowait('a');
    assert.equal(q.full(), false);
    q.putNowait('b');
    assert.equal(q.full(), true);
    assert.throws(() => q.putNowait('c'), QueueFullError);
    assert.equal(q.qsize(), 2);
    const put = q.put('c');
    assert.equal(await stillPending(put, 10), true, 'put waits while the queue is full');
    assert.equal(q.getNowait(), 'a');
    await deadline(put, 'the waiting put');
    assert.equal(q.qsize(), 2);
    assert.deepEqual(drainNow(q), ['b', 'c']);
    assert.throws(() => q.getNowait(), QueueEmptyError);
    q.shutdown();
  });

  test('getNowait() on an empty queue throws QueueEmptyError', () => {
    const q = new SharedQueue();
    assert.throws(() => q.getNowait(), QueueEmptyError);
    q.shutdown();
  });

  test('get() waits while the queue is empty', async () => {
    const q = new SharedQueue<number>();
    const p = q.get();
    assert.equal(await stillPending(p, 10), true);
    q.putNowait(7);
    assert.equal(await deadline(p, 'get'), 7);
    const many = [q.get(), q.get(), q.get()];
    await turns();
    q.putNowait(1);
    q.putNowait(2);
    q.putNowait(3);
    const got = await deadline(Promise.all(many), 'three gets');
    assert.deepEqual(
      got.sort((x, y) => x - y),
      [1, 2, 3],
    );
    assert.equal(q.qsize(), 0);
    q.shutdown();
  });

  test('waiting putters keep their items and order', async () => {
    const q = new SharedQueue<number>(1);
    q.putNowait(0);
    const puts = [1, 2, 3, 4].map((i) => q.put(i));
    await turns();
    const out: number[] = [];
    for (let i = 0; i < 5; i++) out.push(await deadline(q.get(), `get ${i}`));
    await deadline(Promise.all(puts), 'the puts');
    assert.deepEqual(out, [0, 1, 2, 3, 4]);
    q.shutdown();
  });

  test('an unbounded queue is limited by its buffer: putNowait throws QueueFullError, put waits for room', async () => {
    const q = new SharedQueue<string>(0, { bufferSize: 4096 });
    let stored = 0;
    let full: unknown = null;
    for (let i = 0; i < 20 && full === null; i++) {
      try {
        q.putNowait(text(1000, String.fromCharCode(97 + i)));
        stored++;
      } catch (e) {
        full = e;
      }
    }
    assert.ok(full instanceof QueueFullError, `no room in the buffer: ${describeError(full)}`);
    assert.ok(stored >= 1 && stored <= 4, `${stored} items of 1000 bytes in 4096 bytes`);
    assert.equal(q.qsize(), stored);
    const late = q.put(text(1000, 'z'));
    assert.equal(await stillPending(late, 10), true, 'put waits for room');
    assert.equal(q.getNowait(), text(1000, 'a'));
    await deadline(late, 'the put to find room');
    const rest = drainNow(q);
    assert.equal(rest.length, stored);
    assert.equal(rest[rest.length - 1], text(1000, 'z'));
    rest.slice(0, -1).forEach((s, i) => assert.equal(s, text(1000, String.fromCharCode(98 + i))));
    q.shutdown();
  });

  test('an item bigger than the buffer is a RangeError naming both sizes', async () => {
    const q = new SharedQueue<string>(0, { bufferSize: 4096 });
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof RangeError, describeError(e));
      assert.match(e.message, /4096|4 ?Ki?B/i);
      return true;
    };
    assert.throws(() => q.putNowait(text(10_000)), check);
    await assert.rejects(q.put(text(10_000)), check);
    assert.equal(q.qsize(), 0);
    await q.put('fits');
    assert.equal(await q.get(), 'fits');
    q.shutdown();
  });

  test('values that cannot be copied: put rejects and putNowait throws TypeError; the queue still works', async () => {
    const q = new SharedQueue<unknown>(3);
    const [a, b] = Pipe();
    const other = new SharedQueue();
    const socket = new Socket();
    const bad: [string, unknown, RegExp][] = [
      ['a function', () => 1, /function|=>|could not be cloned/i],
      ['a symbol', Symbol('s'), /symbol/i],
      ['a socket', { socket }, /socket|handle|function|could not be cloned/i],
      ['a SharedArrayBuffer', new SharedArrayBuffer(4), /SharedArrayBuffer/],
      ['a connection', { end: a }, /Connection|channel|Pipe/i],
      ['a queue', [other], /SharedQueue|channel|queue/i],
      ['the queue itself', q, /SharedQueue|channel|queue/i],
    ];
    q.putNowait('first');
    for (const [what, value, pattern] of bad) {
      const check = (e: unknown): boolean => {
        assert.ok(e instanceof TypeError, `${what}: ${describeError(e)}`);
        assert.match(e.message, pattern, what);
        return true;
      };
      let put: Promise<void> | undefined;
      assert.doesNotThrow(() => {
        put = q.put(value);
      }, `${what}: put() reports through its promise`);
      await assert.rejects(put!, check);
      assert.throws(() => q.putNowait(value), check);
      assert.equal(q.qsize(), 1, `${what}: nothing was put`);
    }
    q.putNowait('second');
    assert.deepEqual(drainNow(q), ['first', 'second']);
    socket.destroy();
    a.close();
    b.close();
    other.shutdown();
    q.shutdown();
  });

  test('an aborted get() rejects with the reason, leaves no listener and takes nothing', async () => {
    const q = new SharedQueue<number>();
    const controller = new AbortController();
    const p = q.get({ signal: controller.signal });
    assert.equal(await stillPending(p), true);
    const reason = new Error('gave up');
    controller.abort(reason);
    assert.equal(await rejection(p), reason);
    assert.equal(abortListeners(controller.signal), 0);
    q.putNowait(1);
    assert.equal(q.qsize(), 1);
    assert.equal(await q.get(), 1);
    const pre = AbortSignal.abort(new Error('before'));
    q.putNowait(2);
    assert.equal(await rejection(q.get({ signal: pre })), pre.reason);
    assert.equal(q.qsize(), 1, 'an already aborted get takes nothing');
    const ok = new AbortController();
    assert.equal(await q.get({ signal: ok.signal }), 2);
    assert.equal(abortListeners(ok.signal), 0);
    q.shutdown();
  });

  test('after an aborted get(), getNowait() and get() take an item that is there at once', async () => {
    const q = new SharedQueue<number>();
    const controller = new AbortController();
    const waiting = q.get({ signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve)); // the get is now waiting
    controller.abort();
    await rejection(waiting);
    q.putNowait(1);
    assert.equal(q.qsize(), 1);
    assert.equal(q.getNowait(), 1, 'getNowait sees the item');
    // The same after a shutdown: the queued items are still gettable.
    const c2 = new AbortController();
    const w2 = q.get({ signal: c2.signal });
    await new Promise((resolve) => setImmediate(resolve));
    c2.abort();
    await rejection(w2);
    q.putNowait(2);
    q.shutdown();
    assert.equal(q.getNowait(), 2, 'a shut-down queue still gives what it holds');
    assert.throws(() => q.getNowait(), QueueShutDownError);
  });

  test('an aborted put() rejects with the reason, leaves no listener and puts nothing', async () => {
    const q = new SharedQueue<number>(1);
    q.putNowait(1);
    const controller = new AbortController();
    const p = q.put(2, { signal: controller.signal });
    assert.equal(await stillPending(p), true);
    controller.abort();
    assert.equal(await rejection(p), controller.signal.reason);
    assert.equal(abortListeners(controller.signal), 0);
    assert.equal(q.getNowait(), 1);
    await turns();
    assert.equal(q.qsize(), 0, 'the aborted item was never put');
    const pre = AbortSignal.abort();
    assert.equal(await rejection(q.put(3, { signal: pre })), pre.reason);
    assert.equal(q.qsize(), 0);
    const ok = new AbortController();
    await q.put(4, { signal: ok.signal });
    assert.equal(abortListeners(ok.signal), 0);
    assert.equal(q.getNowait(), 4);
    q.shutdown();
  });

  test('getSync, putSync and sync iteration are refused on the main thread, without blocking', () => {
    const q = new SharedQueue<number>(1);
    q.putNowait(1);
    const refused = (e: unknown): boolean => e instanceof Error && !(e instanceof TimeoutError);
    assert.throws(() => q.getSync(), refused);
    assert.throws(() => q.getSync({ timeout: 10 }), refused);
    assert.equal(q.qsize(), 1, 'getSync took nothing');
    assert.throws(() => q.putSync(2, { timeout: 10 }), refused);
    assert.throws(() => {
      for (const _ of q) break;
    }, refused);
    assert.equal(q.getNowait(), 1);
    assert.throws(() => q.putSync(3), refused);
    assert.equal(q.qsize(), 0, 'putSync put nothing');
    q.shutdown();
  });

  test('maxsize <= 0 means no limit (Python); bad arguments throw TypeError/RangeError naming them', () => {
    assert.equal(new SharedQueue(-1).maxsize, 0);
    assert.equal(new SharedQueue(0).full(), false);
    assert.throws(() => new SharedQueue('3' as never), TypeError);
    assert.throws(
      () => new SharedQueue(0, { bufferSize: 0 }),
      (e: unknown) => e instanceof RangeError && /bufferSize/.test(e.message),
    );
    assert.throws(
      () => new SharedQueue(0, { bufferSize: 'big' as never }),
      (e: unknown) => e instanceof TypeError && /bufferSize/.test(e.message),
    );
  });

  test('many producers and consumers in the main thread: each item once, per-producer order kept', async () => {
    const q = new SharedQueue<[number, number]>(3, { bufferSize: 8192 });
    const producers = Array.from({ length: 6 }, async (_, p) => {
      for (let s = 0; s < 100; s++) {
        if (s % 3 === 0) await q.put([p, s]);
        else {
          for (;;) {
            try {
              q.putNowait([p, s]);
              break;
            } catch (e) {
              if (!(e instanceof QueueFullError)) throw e;
              await new Promise((resolve) => setImmediate(resolve));
            }
          }
        }
      }
    });
    const consumers = Array.from({ length: 4 }, async () => {
      const got: [number, number][] = [];
      for await (const item of q) got.push(item);
      return got;
    });
    await deadline(Promise.all(producers), 'the producers');
    q.shutdown();
    const results = await deadline(Promise.all(consumers), 'the consumers');
    const seen = new Set<string>();
    for (const got of results) {
      const last = new Map<number, number>();
      for (const [p, s] of got) {
        assert.ok((last.get(p) ?? -1) < s, `producer ${p}: ${s} after ${last.get(p)}`);
        last.set(p, s);
        const key = `${p}:${s}`;
        assert.ok(!seen.has(key), `${key} received twice`);
        seen.add(key);
      }
    }
    assert.equal(seen.size, 600, 'every item received');
  });

  describe('shutdown (Python 3.13)', () => {
    test('after shutdown(), put() rejects and putNowait() throws QueueShutDownError', async () => {
      const q = new SharedQueue<number>();
      q.shutdown();
      await assert.rejects(q.put(1), QueueShutDownError);
      assert.throws(() => q.putNowait(1), QueueShutDownError);
      assert.equal(q.qsize(), 0);
    });

    test('getters take what is queued, then get() and getNowait() fail with QueueShutDownError', async () => {
      const q = new SharedQueue<number>();
      for (const i of [1, 2, 3]) q.putNowait(i);
      q.shutdown();
      assert.equal(q.qsize(), 3);
      assert.equal(await q.get(), 1);
      assert.equal(q.getNowait(), 2);
      assert.equal(await q.get(), 3);
      assert.ok(isShutDown(await rejection(q.get())));
      assert.throws(() => q.getNowait(), QueueShutDownError);
      assert.ok(isShutDown(await rejection(q.get())), 'and again');
    });

    test('shutdown() rejects every waiting getter', async () => {
      const q = new SharedQueue<number>();
      const getters = [q.get(), q.get(), q.get()];
      assert.equal(await stillPending(getters[0]!), true);
      q.shutdown();
      for (const g of getters) assert.ok(isShutDown(await rejection(g)));
    });

    test('shutdown() rejects every waiting putter; their items are not put, the queued ones stay', async () => {
      const q = new SharedQueue<number>(2);
      q.putNowait(1);
      q.putNowait(2);
      const putters = [q.put(3), q.put(4)];
      assert.equal(await stillPending(putters[0]!), true);
      q.shutdown();
      for (const p of putters) assert.ok(isShutDown(await rejection(p)));
      assert.equal(q.qsize(), 2);
      assert.deepEqual([await q.get(), await q.get()], [1, 2]);
      assert.ok(isShutDown(await rejection(q.get())));
    });

    test('shutdown({ immediate: true }) drops the queued items; waiting getters and putters fail', async () => {
      const q = new SharedQueue<number>(2);
      q.putNowait(1);
      q.putNowait(2);
      const putter = q.put(3);
      await turns();
      q.shutdown({ immediate: true });
      assert.ok(isShutDown(await rejection(putter)));
      assert.equal(q.qsize(), 0);
      assert.equal(q.empty(), true);
      assert.ok(isShutDown(await rejection(q.get())), 'nothing left to get');
      assert.throws(() => q.getNowait(), QueueShutDownError);
      const q2 = new SharedQueue<number>();
      const getter = q2.get();
      await turns();
      q2.shutdown({ immediate: true });
      assert.ok(isShutDown(await rejection(getter)));
    });

    test('shutdown() can be called again, e.g. to drop what is left with immediate', async () => {
      const q = new SharedQueue<number>();
      for (const i of [1, 2, 3]) q.putNowait(i);
      q.shutdown();
      q.shutdown();
      assert.equal(q.getNowait(), 1);
      q.shutdown({ immediate: true });
      assert.equal(q.qsize(), 0);
      assert.throws(() => q.getNowait(), QueueShutDownError);
    });

    test('close() is shutdown(): items drain, then gets fail', async () => {
      const q = new SharedQueue<number>();
      q.putNowait(1);
      q.close();
      q.close();
      assert.throws(() => q.putNowait(2), QueueShutDownError);
      assert.equal(await q.get(), 1);
      assert.ok(isShutDown(await rejection(q.get())));
    });

    test('for await yields the items until the queue is shut down and empty', async () => {
      const q = new SharedQueue<number>();
      const seen: number[] = [];
      const loop = (async () => {
        for await (const x of q) seen.push(x);
        return 'ended';
      })();
      q.putNowait(1);
      await q.put(2);
      await turns();
      q.putNowait(3);
      q.putNowait(4);
      q.shutdown();
      assert.equal(await deadline(loop, 'the loop to end'), 'ended');
      assert.deepEqual(seen, [1, 2, 3, 4]);
    });

    test('an immediate shutdown ends the iteration without the remaining items', async () => {
      const q = new SharedQueue<number>();
      for (const i of [1, 2, 3]) q.putNowait(i);
      const seen: number[] = [];
      for await (const x of q) {
        seen.push(x);
        if (x === 1) q.shutdown({ immediate: true });
      }
      assert.deepEqual(seen, [1]);
    });
  });

  test('using queues in the main thread adds no listeners on process', async () => {
    const before = processListeners();
    for (let round = 0; round < 3; round++) {
      const q = new SharedQueue<number>(2, { bufferSize: 4096 });
      const controller = new AbortController();
      const aborted = q.get({ signal: controller.signal });
      controller.abort();
      await rejection(aborted);
      const consumer = (async () => {
        let n = 0;
        for await (const _ of q) n++;
        return n;
      })();
      for (let i = 0; i < 20; i++) await q.put(i);
      q.shutdown();
      assert.equal(await consumer, 20);
    }
    assert.deepEqual(processListeners(), before);
  });
});
