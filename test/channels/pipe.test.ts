// Pipe and Connection with both ends in the main thread (no workers): messages, copies, errors,
// direction, poll, drain, the outbox, close, iteration and signals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import * as tsio from 'tsio';
import { InvalidStateError, TsioError } from 'tsio';
import {
  BrokenChannelError,
  ChannelClosedError,
  Connection,
  Pipe,
  SharedLock,
  SharedQueue,
} from 'tsio/channels';
import {
  abortListeners,
  deadline,
  describeError,
  processListeners,
  rejection,
  stillPending,
  text,
  track,
  turns,
} from './util.js';

function isClosed(e: unknown): boolean {
  return e instanceof ChannelClosedError;
}

describe('exports', () => {
  test('the channel errors are tsio errors with codes, exported from tsio too', () => {
    assert.equal(tsio.ChannelClosedError, ChannelClosedError);
    assert.equal(tsio.BrokenChannelError, BrokenChannelError);
    const closed = new ChannelClosedError();
    const broken = new BrokenChannelError();
    assert.ok(closed instanceof TsioError);
    assert.ok(broken instanceof TsioError);
    assert.match(closed.code, /^ERR_TSIO_/);
    assert.match(broken.code, /^ERR_TSIO_/);
    assert.notEqual(closed.code, broken.code);
    assert.equal(closed.name, 'ChannelClosedError');
    assert.equal(broken.name, 'BrokenChannelError');
  });

  test('Pipe returns two Connection instances', () => {
    const ends = Pipe();
    assert.ok(Array.isArray(ends));
    assert.equal(ends.length, 2);
    const [a, b] = ends;
    assert.ok(a instanceof Connection);
    assert.ok(b instanceof Connection);
    assert.notEqual(a, b);
    a.close();
    b.close();
  });
});

describe('Pipe in the main thread', () => {
  test('a duplex pipe carries messages both ways, in order', async () => {
    const [a, b] = Pipe<unknown>();
    assert.equal(a.readable, true);
    assert.equal(a.writable, true);
    assert.equal(b.readable, true);
    assert.equal(b.writable, true);
    assert.equal(a.closed, false);
    for (let i = 0; i < 100; i++) a.send(i);
    b.send('from b');
    for (let i = 0; i < 100; i++) assert.equal(await b.recv(), i);
    assert.equal(await a.recv(), 'from b');
    // Interleaved both ways: the two directions do not mix.
    for (let i = 0; i < 50; i++) {
      a.send(`a${i}`);
      b.send(`b${i}`);
    }
    for (let i = 0; i < 50; i++) {
      assert.equal(await b.recv(), `a${i}`);
      assert.equal(await a.recv(), `b${i}`);
    }
    assert.equal(a.poll(), false);
    assert.equal(b.poll(), false);
    a.close();
    b.close();
  });

  test('recv() waits for the next message', async () => {
    const [a, b] = Pipe<number>();
    const p = b.recv();
    assert.equal(await stillPending(p, 20), true);
    a.send(42);
    assert.equal(await deadline(p, 'recv'), 42);
    a.close();
    b.close();
  });

  test('messages are copies with structured-clone semantics', async () => {
    const [a, b] = Pipe<unknown>();
    const cyclic: { name: string; self?: unknown } = { name: 'cycle' };
    cyclic.self = cyclic;
    const values: unknown[] = [
      0,
      -0,
      1.5,
      NaN,
      Infinity,
      -Infinity,
      Number.MAX_SAFE_INTEGER,
      '',
      'héllo wörld 😀 \u0000 end',
      'lone surrogates \uD800 and \uDFFF stay',
      true,
      false,
      null,
      undefined,
      123456789012345678901234567890n,
      -1n,
      { a: 1, nested: { b: [1, 'two', { c: null }] } },
      [1, [2, [3, [4]]], 'x'],
      [],
      new Map<unknown, unknown>([
        ['k', 1],
        [2, { v: true }],
      ]),
      new Set([1, 'a', 3n]),
      new Date(1_700_000_000_000),
      /a+b?/giu,
      new Uint8Array([1, 2, 255]),
      new Float64Array([1.5, -2.25]),
      new BigInt64Array([1n, -2n]),
      new Int16Array(new ArrayBuffer(8), 2, 2),
      new ArrayBuffer(16),
      new DataView(new ArrayBuffer(4)),
    ];
    for (const v of values) a.send(v);
    for (const v of values) assert.deepEqual(await b.recv(), v);
    a.send(cyclic);
    const got = (await b.recv()) as typeof cyclic;
    assert.equal(got.name, 'cycle');
    assert.equal(got.self, got, 'cycles are kept');
    const error = new TypeError('bad thing', { cause: 'why' });
    a.send(error);
    const e = (await b.recv()) as Error;
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'TypeError');
    assert.equal(e.message, 'bad thing');
    // A copy: later changes to the original do not show, and the received value is a new object.
    const original = { list: [1, 2, 3] };
    a.send(original);
    original.list.push(4);
    const copy = (await b.recv()) as typeof original;
    assert.deepEqual(copy, { list: [1, 2, 3] });
    assert.notEqual(copy, original);
    const bytes = new Uint8Array([9, 9]);
    a.send(bytes);
    assert.equal(bytes.byteLength, 2, 'the sent buffer is copied, not transferred');
    assert.deepEqual(await b.recv(), new Uint8Array([9, 9]));
    a.close();
    b.close();
  });

  test('received typed arrays and buffers are independent copies (not views over a reused buffer)', async () => {
    const [a, b] = Pipe<unknown>();
    a.send(Uint8Array.from([0]));
    a.send(Uint8Array.from([1]));
    a.send({ f: new Float64Array([1.5, 2.5]) });
    a.send(new Uint8Array(64).fill(9));
    a.send(new ArrayBuffer(8));
    const first = (await b.recv()) as Uint8Array;
    const second = (await b.recv()) as Uint8Array;
    const third = (await b.recv()) as { f: Float64Array };
    const fourth = (await b.recv()) as Uint8Array;
    const fifth = (await b.recv()) as ArrayBuffer;
    assert.deepEqual(first, Uint8Array.from([0]), 'not overwritten by the next message');
    assert.deepEqual(second, Uint8Array.from([1]));
    assert.deepEqual(third.f, new Float64Array([1.5, 2.5]));
    assert.deepEqual(fourth, new Uint8Array(64).fill(9));
    // As with structuredClone: a whole array's buffer is just its bytes.
    assert.equal(first.buffer.byteLength, 1);
    assert.equal(third.f.buffer.byteLength, 16);
    assert.equal(fifth.byteLength, 8);
    assert.notEqual(first.buffer, second.buffer);
    a.close();
    b.close();
  });

  test('values that cannot be copied throw TypeError naming them; the pipe still works', async () => {
    const [a, b] = Pipe<unknown>();
    const [other1, other2] = Pipe();
    const q = new SharedQueue();
    const lock = new SharedLock();
    const socket = new Socket();
    const bad: [string, unknown, RegExp][] = [
      ['a function', (x: number) => x + 1, /function|=>|could not be cloned/i],
      ['a nested function', { deep: { fn() {} } }, /function|fn|could not be cloned/i],
      ['a symbol', Symbol('tag'), /symbol/i],
      ['a socket', socket, /socket|handle|function|could not be cloned/i],
      ['a SharedArrayBuffer', new SharedArrayBuffer(8), /SharedArrayBuffer/],
      ['a SharedArrayBuffer in an object', { sab: new SharedArrayBuffer(8) }, /SharedArrayBuffer/],
      ['the connection itself', a, /Connection|channel|Pipe/i],
      ['another connection in an array', [other1], /Connection|channel|Pipe/i],
      ['a SharedQueue in an object', { q }, /SharedQueue|channel|queue/i],
      ['a SharedLock', lock, /SharedLock|shared|lock/i],
    ];
    for (const [what, value, pattern] of bad) {
      assert.throws(
        () => a.send(value),
        (e: unknown) => {
          assert.ok(e instanceof TypeError, `${what}: ${describeError(e)}`);
          assert.match(e.message, pattern, `${what}: the message names it`);
          return true;
        },
        what,
      );
      assert.equal(b.poll(), false, `${what}: nothing was sent`);
      // The pipe is still usable, in both directions.
      a.send(what);
      assert.equal(await deadline(b.recv(), 'recv'), what);
      b.send(1);
      assert.equal(await deadline(a.recv(), 'recv'), 1);
    }
    socket.destroy();
    q.shutdown();
    for (const c of [a, b, other1, other2]) c.close();
  });

  test('a message bigger than the buffer throws RangeError naming both sizes', async () => {
    const [a, b] = Pipe<string>({ bufferSize: 4096 });
    assert.throws(
      () => a.send(text(10_000)),
      (e: unknown) => {
        assert.ok(e instanceof RangeError, describeError(e));
        assert.match(e.message, /4096|4 ?Ki?B/i, 'names the buffer size');
        const numbers = (e.message.replace(/[,_](?=\d{3})/g, '').match(/\d+/g) ?? []).map(Number);
        assert.ok(
          numbers.some((n) => n >= 10_000) || /\d+(\.\d+)? ?Ki?B/i.test(e.message),
          `names the message size: ${e.message}`,
        );
        return true;
      },
    );
    assert.equal(b.poll(), false);
    a.send('small');
    assert.equal(await b.recv(), 'small');
    // A message that fits is fine, even if it is most of the buffer.
    a.send(text(2000));
    assert.equal(await b.recv(), text(2000));
    a.close();
    b.close();
  });

  test('the default buffer is 1 MiB: 900 KB passes, 2 MB is a RangeError', async () => {
    const [a, b] = Pipe<Uint8Array>();
    a.send(new Uint8Array(900_000).fill(7));
    const got = await b.recv();
    assert.equal(got.byteLength, 900_000);
    assert.equal(got[899_999], 7);
    assert.throws(() => a.send(new Uint8Array(2_000_000)), RangeError);
    a.close();
    b.close();
  });

  test('duplex: false gives a receive-only first end and a send-only second end', async () => {
    const [r, w] = Pipe<number>({ duplex: false });
    assert.equal(r.readable, true);
    assert.equal(r.writable, false);
    assert.equal(w.readable, false);
    assert.equal(w.writable, true);
    const wrongWay = (e: unknown): boolean => {
      assert.ok(
        e instanceof TypeError || e instanceof InvalidStateError,
        `TypeError or InvalidStateError, got ${describeError(e)}`,
      );
      return true;
    };
    assert.throws(() => r.send(1), wrongWay);
    await assert.rejects(async () => w.recv(), wrongWay);
    w.send(5);
    w.send(6);
    assert.equal(await r.recv(), 5);
    assert.equal(await r.recv(), 6);
    w.close();
    await assert.rejects(r.recv(), ChannelClosedError);
    r.close();
  });

  test('poll() tells synchronously whether a message is waiting, without taking it', async () => {
    const [a, b] = Pipe<string>();
    assert.equal(b.poll(), false);
    a.send('m');
    assert.equal(b.poll(), true);
    assert.equal(b.poll(), true, 'poll does not consume');
    assert.equal(await b.recv(), 'm');
    assert.equal(b.poll(), false);
    a.close();
    b.close();
  });

  test('pollAsync(ms) waits up to ms for a message', async () => {
    const [a, b] = Pipe<string>();
    assert.equal(await deadline(b.pollAsync(20), 'pollAsync(20)'), false);
    const p = b.pollAsync(10_000);
    assert.equal(await stillPending(p, 10), true);
    a.send('late');
    assert.equal(await deadline(p, 'pollAsync'), true);
    assert.equal(await b.recv(), 'late', 'pollAsync does not consume');
    a.send('early');
    assert.equal(await b.pollAsync(10_000), true);
    assert.equal(await b.recv(), 'early');
    a.close();
    b.close();
  });

  test('pollAsync with a signal rejects with its reason and leaves no listener', async () => {
    const [a, b] = Pipe<string>();
    const controller = new AbortController();
    const p = b.pollAsync(10_000, { signal: controller.signal });
    assert.equal(await stillPending(p), true);
    const reason = new Error('stop polling');
    controller.abort(reason);
    assert.equal(await rejection(p), reason);
    assert.equal(abortListeners(controller.signal), 0);
    const pre = AbortSignal.abort(new Error('already'));
    a.send('x');
    assert.equal(await rejection(b.pollAsync(100, { signal: pre })), pre.reason);
    const kept = new AbortController();
    assert.equal(await b.pollAsync(100, { signal: kept.signal }), true);
    assert.equal(abortListeners(kept.signal), 0, 'a settled pollAsync removes its listener');
    assert.equal(await b.recv(), 'x');
    a.close();
    b.close();
  });

  test('send() never blocks: messages wait in an outbox, in order, and drain() resolves when written', async () => {
    const bufferSize = 4096;
    const [a, b] = Pipe<{ i: number; body: string }>({ bufferSize });
    assert.equal(await deadline(a.drain(), 'drain of an empty outbox'), undefined);
    const n = 60;
    const sizes = Array.from({ length: n }, (_, i) => 1100 + ((i * 397) % 900)); // > bufferSize / 4
    for (let i = 0; i < n; i++)
      a.send({ i, body: text(sizes[i]!, String.fromCharCode(97 + (i % 26))) });
    const drained = track(a.drain());
    await turns();
    assert.equal(drained.settled, false, 'the outbox holds what did not fit');
    for (let i = 0; i < n; i++) {
      const m = await deadline(b.recv(), `message ${i}`);
      assert.equal(m.i, i, 'order kept through the outbox');
      assert.equal(m.body, text(sizes[i]!, String.fromCharCode(97 + (i % 26))));
    }
    await deadline(drained.promise, 'drain after everything was read');
    assert.equal(b.poll(), false);
    a.close();
    b.close();
  });

  test('a small message sent after queued big ones does not overtake them', async () => {
    const [a, b] = Pipe<string>({ bufferSize: 4096 });
    a.send(text(1500, 'a'));
    a.send(text(1500, 'b'));
    a.send(text(1500, 'c')); // does not fit: outbox
    a.send('small'); // would fit, but must wait behind 'c'
    a.send(text(1500, 'd'));
    assert.equal(await b.recv(), text(1500, 'a'));
    assert.equal(await b.recv(), text(1500, 'b'));
    assert.equal(await b.recv(), text(1500, 'c'));
    assert.equal(await b.recv(), 'small');
    assert.equal(await b.recv(), text(1500, 'd'));
    a.close();
    b.close();
  });

  test('many messages through a small buffer while the reader is already waiting', async () => {
    const [a, b] = Pipe<number[]>({ bufferSize: 4096 });
    const received: number[][] = [];
    const reader = (async () => {
      for await (const m of b) received.push(m);
    })();
    for (let i = 0; i < 300; i++) a.send(Array.from({ length: 100 + (i % 50) }, (_, k) => i + k));
    await deadline(a.drain(), 'drain');
    a.close();
    await deadline(reader, 'the reader to end');
    assert.equal(received.length, 300);
    received.forEach((m, i) => {
      assert.equal(m.length, 100 + (i % 50));
      assert.equal(m[0], i);
    });
    b.close();
  });

  test('close() is idempotent; buffered and outbox messages are still read, then recv rejects ChannelClosedError', async () => {
    const [a, b] = Pipe<string>({ bufferSize: 4096 });
    a.send('one');
    a.send(text(1500, 'p'));
    a.send(text(1500, 'q'));
    a.send(text(1500, 'r')); // in the outbox
    a.close();
    a.close();
    assert.equal(a.closed, true);
    assert.equal(b.closed, false);
    assert.equal(await b.recv(), 'one');
    assert.equal(await b.recv(), text(1500, 'p'));
    assert.equal(await b.recv(), text(1500, 'q'));
    assert.equal(await b.recv(), text(1500, 'r'));
    assert.ok(isClosed(await rejection(b.recv())));
    assert.ok(isClosed(await rejection(b.recv())), 'and again');
    assert.throws(() => a.send('after close'), ChannelClosedError);
    assert.throws(() => b.send('to a closed end'), ChannelClosedError);
    b.close();
    b.close();
    assert.equal(b.closed, true);
  });

  test('a pending recv() is woken when the other end closes', async () => {
    const [a, b] = Pipe<string>();
    const p = b.recv();
    assert.equal(await stillPending(p), true);
    a.close();
    assert.ok(isClosed(await rejection(p)));
    b.close();
  });

  test('closing an end fails its own pending and later recv()', async () => {
    const [a, b] = Pipe<string>();
    const p = b.recv();
    assert.equal(await stillPending(p), true);
    b.close();
    assert.ok(isClosed(await rejection(p)), 'pending recv on the closed end');
    assert.ok(isClosed(await rejection(b.recv())), 'recv on the closed end');
    assert.throws(() => b.send('x'), ChannelClosedError);
    assert.throws(() => a.send('x'), ChannelClosedError, 'the other end was closed');
    a.close();
  });

  test('for await reads until the other end closes, then ends normally', async () => {
    const [a, b] = Pipe<number>();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const m of b) seen.push(m);
      return 'ended';
    })();
    for (let i = 0; i < 10; i++) a.send(i);
    await turns();
    a.send(10);
    a.close();
    assert.equal(await deadline(loop, 'the loop to end'), 'ended');
    assert.deepEqual(
      seen,
      Array.from({ length: 11 }, (_, i) => i),
    );
    b.close();
  });

  test('an aborted recv() rejects with the reason, leaves no listener and takes nothing', async () => {
    const [a, b] = Pipe<number>();
    const controller = new AbortController();
    const p = b.recv({ signal: controller.signal });
    assert.equal(await stillPending(p), true);
    const reason = new Error('no longer needed');
    controller.abort(reason);
    assert.equal(await rejection(p), reason);
    assert.equal(abortListeners(controller.signal), 0);
    a.send(1);
    a.send(2);
    assert.equal(await b.recv(), 1, 'the aborted recv took nothing');
    // An already aborted signal rejects at once even with a message waiting, which stays.
    const pre = new AbortController();
    pre.abort();
    assert.equal(await rejection(b.recv({ signal: pre.signal })), pre.signal.reason);
    assert.equal(b.poll(), true);
    // A recv that succeeds removes its listener.
    const ok = new AbortController();
    assert.equal(await b.recv({ signal: ok.signal }), 2);
    assert.equal(abortListeners(ok.signal), 0);
    // Several aborted and live receivers: every message goes to a live one.
    const controllers = Array.from({ length: 6 }, () => new AbortController());
    const waiting = controllers.map((c) => b.recv({ signal: c.signal }));
    controllers.forEach((c, i) => {
      if (i % 2 === 0) c.abort(new Error(`abort ${i}`));
    });
    for (let i = 0; i < 3; i++) a.send(100 + i);
    const outcomes = await deadline(Promise.allSettled(waiting), 'the receivers');
    const values = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    assert.deepEqual(
      values.sort((x, y) => x - y),
      [100, 101, 102],
    );
    outcomes.forEach((o, i) => assert.equal(o.status, i % 2 === 0 ? 'rejected' : 'fulfilled'));
    for (const c of controllers) assert.equal(abortListeners(c.signal), 0);
    assert.equal(b.poll(), false);
    a.close();
    b.close();
  });

  test('recvSync() is refused on the main thread without blocking or taking anything', async () => {
    const [a, b] = Pipe<number>();
    a.send(1);
    assert.throws(
      () => b.recvSync(),
      (e: unknown) => e instanceof Error && !(e instanceof tsio.TimeoutError),
    );
    assert.throws(
      () => b.recvSync({ timeout: 10 }),
      (e: unknown) => e instanceof Error && !(e instanceof tsio.TimeoutError),
    );
    assert.equal(await b.recv(), 1, 'nothing was taken');
    a.close();
    b.close();
  });

  test('using pipes in the main thread adds no listeners on process', async () => {
    const before = processListeners();
    for (let round = 0; round < 3; round++) {
      const [a, b] = Pipe<number>({ bufferSize: 4096 });
      const controller = new AbortController();
      const aborted = b.recv({ signal: controller.signal });
      controller.abort();
      await rejection(aborted);
      for (let i = 0; i < 20; i++) a.send(i);
      for (let i = 0; i < 20; i++) await b.recv();
      assert.equal(await b.pollAsync(5), false);
      a.close();
      await rejection(b.recv());
      b.close();
    }
    assert.deepEqual(processListeners(), before);
  });
});
