// Pipe and SharedQueue across worker threads: main<->thread and thread<->thread, the blocking
// forms, per-producer order, crashes of a worker holding a channel, and argument errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueShutDownError, WorkerCrashedError } from 'tsio';
import { ThreadPoolExecutor } from 'tsio/executors';
import {
  BrokenChannelError,
  ChannelClosedError,
  Pipe,
  SharedQueue,
  type Connection,
} from 'tsio/channels';
import {
  SLOW,
  TASK_TIMEOUT,
  deadline,
  listenerWarnings,
  guard,
  describeError,
  processListeners,
  rejection,
  sleep,
  stillPending,
  text,
} from './util.js';

let pool: ThreadPoolExecutor;

/** Submits with a generous timeout, so that a hang fails the test instead of stalling it. */
function run<A extends unknown[], R>(fn: (...args: A) => R, ...args: A) {
  return pool.submitWith({ timeout: TASK_TIMEOUT }, fn, ...args);
}

describe('channels with worker threads', () => {
  const warnings = listenerWarnings();
  before(async () => {
    warnings.start();
    pool = new ThreadPoolExecutor({ maxWorkers: 4, name: 'channels' });
    await Promise.all(Array.from({ length: 4 }, () => pool.submit(() => 1)));
  });
  after(async () => {
    warnings.stop();
    await pool.shutdown();
  });

  /** Echoes every message back until the other end closes; returns how many it echoed. */
  async function echo(c: Connection<unknown>): Promise<number> {
    let n = 0;
    for await (const m of c) {
      c.send(m);
      n++;
    }
    return n;
  }

  const isChannelError = (e: unknown): boolean =>
    e instanceof ChannelClosedError || e instanceof BrokenChannelError;

  describe('Pipe with worker threads', () => {
    test('main <-> thread: messages go both ways in order; closing main ends the thread loop', async () => {
      const [a, b] = Pipe<unknown>({ bufferSize: 8192 });
      const f = run(echo, b);
      const values: unknown[] = [
        1,
        'two',
        { three: [3n, new Map([[1, 'x']])] },
        new Set([4]),
        new Date(5),
        new Uint16Array([6, 7]),
        null,
        undefined,
        text(3000, 'é'),
      ];
      for (let round = 0; round < 20; round++) for (const v of values) a.send(v);
      for (let round = 0; round < 20; round++) {
        for (const v of values) assert.deepEqual(await deadline(a.recv(), 'an echo'), v);
      }
      a.close();
      assert.equal(await deadline(f, 'the echo task'), 20 * values.length);
      assert.ok(isChannelError(await rejection(a.recv())));
    });

    test('main <-> thread with recvSync in the thread', async () => {
      const [a, b] = Pipe<number>();
      const f = run((c: Connection<number>) => {
        let sum = 0;
        for (;;) {
          let m: number;
          try {
            m = c.recvSync({ timeout: 10_000 });
          } catch (e) {
            if ((e as Error).name === 'ChannelClosedError') return sum;
            throw e;
          }
          sum += m;
          c.send(m * 2);
        }
      }, b);
      for (let i = 1; i <= 100; i++) {
        a.send(i);
        if (i % 10 === 0) {
          for (let k = i - 9; k <= i; k++) assert.equal(await deadline(a.recv(), 'reply'), k * 2);
        }
      }
      a.close();
      assert.equal(await deadline(f, 'the task'), 5050);
    });

    test(
      'thread <-> thread: ping-pong between two tasks (recvSync on one side, for await on the other)',
      SLOW,
      async () => {
        const [a, b] = Pipe<number>();
        const pinger = run(
          (c: Connection<number>, n: number) => {
            for (let i = 0; i < n; i++) {
              c.send(i);
              const r = c.recvSync({ timeout: 10_000 });
              if (r !== i + 1) throw new Error(`expected ${i + 1}, got ${r}`);
            }
            c.close();
            return n;
          },
          a,
          500,
        );
        const ponger = run(async (c: Connection<number>) => {
          let n = 0;
          for await (const m of c) {
            c.send(m + 1);
            n++;
          }
          return n;
        }, b);
        assert.deepEqual(await deadline(Promise.all([pinger, ponger]), 'the tasks'), [500, 500]);
      },
    );

    test(
      'thread -> thread through a small buffer: outbox order kept, close still delivers the outbox',
      SLOW,
      async () => {
        const [r, w] = Pipe<{ i: number; body: string }>({ duplex: false, bufferSize: 4096 });
        const reader = run(async (c: Connection<{ i: number; body: string }>) => {
          const got: number[] = [];
          for await (const m of c) {
            if (m.body.length !== 1000 + (m.i % 700)) throw new Error(`bad body for ${m.i}`);
            got.push(m.i);
          }
          return got;
        }, r);
        const writer = run(
          (c: Connection<{ i: number; body: string }>, n: number) => {
            for (let i = 0; i < n; i++) c.send({ i, body: 'w'.repeat(1000 + (i % 700)) });
            c.close(); // without drain(): queued messages must still be delivered
            return n;
          },
          w,
          300,
        );
        assert.equal(await deadline(writer, 'the writer'), 300);
        assert.deepEqual(
          await deadline(reader, 'the reader'),
          Array.from({ length: 300 }, (_, i) => i),
        );
      },
    );

    test('a thread blocked in recvSync still writes the messages waiting in its outbox', async () => {
      const [a, b] = Pipe<string>({ bufferSize: 4096 });
      const f = run((c: Connection<string>) => {
        c.recvSync({ timeout: 10_000 }); // 'go'
        for (let i = 0; i < 3; i++) c.send(String(i).repeat(1500)); // the third waits in the outbox
        return c.recvSync({ timeout: 10_000 }); // blocks this thread until main answers
      }, b);
      a.send('go');
      try {
        for (let i = 0; i < 3; i++) {
          assert.equal(await deadline(a.recv(), `reply ${i}`, 5000), String(i).repeat(1500));
        }
      } finally {
        a.send('done'); // unblocks the thread whatever happened
      }
      assert.equal(await deadline(f, 'the task'), 'done');
      a.close();
      b.close();
    });

    test('recvSync({ timeout }) in a thread throws TimeoutError and takes nothing', async () => {
      const [a, b] = Pipe<string>();
      const r = await run((c: Connection<string>) => {
        let first = 'no error';
        try {
          c.recvSync({ timeout: 30 });
        } catch (e) {
          first = (e as Error).name;
        }
        return first;
      }, b);
      assert.equal(r, 'TimeoutError');
      a.send('after');
      assert.equal(
        await run((c: Connection<string>) => c.recvSync({ timeout: 10_000 }), b),
        'after',
      );
      a.close();
      b.close();
    });

    test('recvSync in a thread waits for a message sent later from main', async () => {
      const [a, b] = Pipe<string>();
      const f = run((c: Connection<string>) => c.recvSync({ timeout: 15_000 }), b);
      await sleep(50);
      a.send('hello');
      assert.equal(await deadline(f, 'the blocked recvSync'), 'hello');
      a.close();
      b.close();
    });

    test('poll, pollAsync and an aborted recv in a thread', async () => {
      const [a, b] = Pipe<number | string>();
      const f = run(async (c: Connection<number | string>) => {
        const polled = c.poll();
        const controller = new AbortController();
        const p = c.recv({ signal: controller.signal });
        setTimeout(() => controller.abort(new Error('stop')), 5);
        let aborted = 'not aborted';
        try {
          await p;
        } catch (e) {
          aborted = e === controller.signal.reason ? 'reason' : String(e);
        }
        const early = await c.pollAsync(20);
        c.send('ready');
        const waited = await c.pollAsync(15_000);
        const got = await c.recv();
        return { polled, aborted, early, waited, got };
      }, b);
      assert.equal(await deadline(a.recv(), 'ready'), 'ready');
      a.send(1);
      assert.deepEqual(await deadline(f, 'the task'), {
        polled: false,
        aborted: 'reason',
        early: false,
        waited: true,
        got: 1,
      });
      a.close();
      b.close();
    });

    test("a thread sees main's close: its send throws ChannelClosedError, recvSync too after the buffer", async () => {
      const [a, b] = Pipe<number>();
      a.send(7);
      a.close();
      const r = await run((c: Connection<number>) => {
        const out: unknown[] = [c.recvSync({ timeout: 10_000 })];
        for (const step of [() => c.send(1), () => c.recvSync({ timeout: 10_000 })]) {
          try {
            step();
            out.push('no error');
          } catch (e) {
            out.push((e as Error).name);
          }
        }
        return out;
      }, b);
      assert.deepEqual(r, [7, 'ChannelClosedError', 'ChannelClosedError']);
      b.close();
    });

    test('uncloneable values sent in a thread throw TypeError there; the pipe still works', async () => {
      const [a, b] = Pipe<unknown>();
      const r = await run((c: Connection<unknown>) => {
        const out: string[] = [];
        for (const bad of [() => 1, Symbol('s'), new SharedArrayBuffer(4), { c }]) {
          try {
            c.send(bad);
            out.push('sent');
          } catch (e) {
            out.push((e as Error).name);
          }
        }
        c.send('fine');
        return out;
      }, b);
      assert.deepEqual(r, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
      assert.equal(await a.recv(), 'fine');
      assert.equal(a.poll(), false);
      a.close();
      b.close();
    });

    test('duplex: false holds in a thread too', async () => {
      const [r, w] = Pipe<number>({ duplex: false });
      const names = await run(
        (rr: Connection<number>, ww: Connection<number>) => {
          const out: string[] = [];
          try {
            rr.send(1);
            out.push('sent');
          } catch (e) {
            out.push((e as Error).name);
          }
          ww.send(2);
          return out;
        },
        r,
        w,
      );
      assert.ok(['TypeError', 'InvalidStateError'].includes(names[0]!), names[0]);
      assert.equal(await r.recv(), 2);
      r.close();
      w.close();
    });

    test('a connection nested in an argument is a clear TypeError ("pass it as a direct argument")', async () => {
      const [a, b] = Pipe();
      const e = await rejection(
        (async () => pool.submit((o: { end: Connection }) => typeof o, { end: b }))(),
      );
      assert.ok(e instanceof TypeError, describeError(e));
      assert.match(e.message, /direct argument/);
      a.send('still works');
      assert.equal(await run((c: Connection) => c.recv(), b), 'still works');
      a.close();
      b.close();
    });
  });

  describe('SharedQueue with worker threads', () => {
    test('main <-> thread: a worker consumes one queue and produces into another', async () => {
      const jobs = new SharedQueue<number>(4);
      const results = new SharedQueue<number>(4);
      const worker = run(
        async (q: SharedQueue<number>, r: SharedQueue<number>) => {
          let n = 0;
          for await (const x of q) {
            await r.put(x * x);
            n++;
          }
          return n;
        },
        jobs,
        results,
      );
      const got: number[] = [];
      const collector = (async () => {
        for (let i = 0; i < 200; i++) got.push(await results.get());
      })();
      for (let i = 0; i < 200; i++) await deadline(jobs.put(i), `put ${i}`);
      jobs.shutdown();
      assert.equal(await deadline(worker, 'the worker'), 200);
      await deadline(collector, 'the collector');
      assert.deepEqual(
        got,
        Array.from({ length: 200 }, (_, i) => i * i),
      );
      results.shutdown();
    });

    test(
      'thread <-> thread: putSync producer, getSync consumer, ended by shutdown',
      SLOW,
      async () => {
        const q = new SharedQueue<number>(2);
        const consumer = run((qq: SharedQueue<number>) => {
          const got: number[] = [];
          for (;;) {
            try {
              got.push(qq.getSync({ timeout: 15_000 }));
            } catch (e) {
              if ((e as Error).name === 'QueueShutDownError') return got;
              throw e;
            }
          }
        }, q);
        const producer = run(
          (qq: SharedQueue<number>, n: number) => {
            for (let i = 0; i < n; i++) qq.putSync(i, { timeout: 15_000 });
            return n;
          },
          q,
          1000,
        );
        assert.equal(await deadline(producer, 'the producer'), 1000);
        q.shutdown();
        assert.deepEqual(
          await deadline(consumer, 'the consumer'),
          Array.from({ length: 1000 }, (_, i) => i),
        );
      },
    );

    test('sync iteration in a thread ends when the queue is shut down and empty', async () => {
      const q = new SharedQueue<number>();
      const f = run((qq: SharedQueue<number>) => {
        let sum = 0;
        for (const x of qq) sum += x;
        return sum;
      }, q);
      for (let i = 1; i <= 10; i++) await q.put(i);
      q.shutdown();
      assert.equal(await deadline(f, 'the iterating thread'), 55);
    });

    test('getSync/putSync with a timeout throw TimeoutError in a thread and change nothing', async () => {
      const q = new SharedQueue<string>(1);
      const r = await run((qq: SharedQueue<string>) => {
        const names: string[] = [];
        try {
          qq.getSync({ timeout: 20 });
          names.push('got');
        } catch (e) {
          names.push((e as Error).name);
        }
        qq.putSync('kept', { timeout: 1000 });
        try {
          qq.putSync('dropped', { timeout: 20 });
          names.push('put');
        } catch (e) {
          names.push((e as Error).name);
        }
        names.push(String(qq.qsize()));
        return names;
      }, q);
      assert.deepEqual(r, ['TimeoutError', 'TimeoutError', '1']);
      assert.equal(q.getNowait(), 'kept');
      assert.equal(q.empty(), true);
      q.shutdown();
    });

    test('a blocked getSync wakes for a put from main; a blocked putSync wakes for a get from main', async () => {
      const q = new SharedQueue<number>(1);
      const getter = run((qq: SharedQueue<number>) => qq.getSync({ timeout: 15_000 }), q);
      await sleep(50);
      q.putNowait(11);
      assert.equal(await deadline(getter, 'getSync'), 11);
      q.putNowait(1);
      const putter = run((qq: SharedQueue<number>) => {
        qq.putSync(2, { timeout: 15_000 });
        return 'put';
      }, q);
      assert.equal(await stillPending(putter, 50), true, 'putSync waits while full');
      assert.equal(q.qsize(), 1);
      assert.equal(await q.get(), 1);
      assert.equal(await deadline(putter, 'putSync'), 'put');
      assert.equal(await q.get(), 2);
      q.shutdown();
    });

    test('shutdown wakes threads blocked in getSync and putSync with QueueShutDownError', async () => {
      const empty = new SharedQueue<number>();
      const full = new SharedQueue<number>(1);
      full.putNowait(0);
      const blocked = (qq: SharedQueue<number>, put: boolean) => {
        try {
          if (put) qq.putSync(1, { timeout: 15_000 });
          else qq.getSync({ timeout: 15_000 });
          return 'returned';
        } catch (e) {
          return (e as Error).name;
        }
      };
      const g = run(blocked, empty, false);
      const p = run(blocked, full, true);
      await sleep(50);
      empty.shutdown();
      full.shutdown();
      assert.deepEqual(await deadline(Promise.all([g, p]), 'the blocked threads'), [
        'QueueShutDownError',
        'QueueShutDownError',
      ]);
      assert.equal(full.getNowait(), 0, 'the queued item stays gettable');
      assert.throws(() => full.getNowait(), QueueShutDownError);
    });

    test('an aborted get in a thread takes nothing', async () => {
      const q = new SharedQueue<number>();
      const r = await run(async (qq: SharedQueue<number>) => {
        const out: string[] = [];
        for (let i = 0; i < 20; i++) {
          const controller = new AbortController();
          const p = qq.get({ signal: controller.signal });
          if (i % 2 === 0) controller.abort();
          else setTimeout(() => controller.abort(), 1);
          try {
            out.push(`got ${await p}`);
          } catch (e) {
            if (e !== controller.signal.reason) throw e;
          }
        }
        return out;
      }, q);
      assert.deepEqual(r, []);
      q.putNowait(1);
      assert.equal(await run((qq: SharedQueue<number>) => qq.get(), q), 1);
      assert.equal(q.qsize(), 0);
      q.shutdown();
    });

    test('uncloneable items put in a thread fail with TypeError; the queue still works', async () => {
      const q = new SharedQueue<unknown>();
      const r = await run(async (qq: SharedQueue<unknown>) => {
        const out: string[] = [];
        for (const bad of [() => 1, Symbol('s'), new SharedArrayBuffer(4), { qq }]) {
          try {
            await qq.put(bad);
            out.push('put');
          } catch (e) {
            out.push((e as Error).name);
          }
          try {
            qq.putNowait(bad);
            out.push('put');
          } catch (e) {
            out.push((e as Error).name);
          }
        }
        await qq.put('ok');
        return out;
      }, q);
      assert.deepEqual(
        r,
        Array.from({ length: 8 }, () => 'TypeError'),
      );
      assert.equal(q.qsize(), 1);
      assert.equal(q.getNowait(), 'ok');
      q.shutdown();
    });

    test('per-producer order with producers and consumers in main and threads', SLOW, async () => {
      type Msg = { p: string; s: number };
      const q = new SharedQueue<Msg>(5, { bufferSize: 16_384 });
      const N = 400;
      const threadProducer = async (qq: SharedQueue<Msg>, id: string, n: number, sync: boolean) => {
        for (let s = 0; s < n; s++) {
          if (sync) qq.putSync({ p: id, s }, { timeout: 15_000 });
          else await qq.put({ p: id, s });
        }
        return n;
      };
      const threadConsumer = async (qq: SharedQueue<Msg>, sync: boolean) => {
        const got: Msg[] = [];
        for (;;) {
          try {
            got.push(sync ? qq.getSync({ timeout: 15_000 }) : await qq.get());
          } catch (e) {
            if ((e as Error).name === 'QueueShutDownError') return got;
            throw e;
          }
        }
      };
      const consumers = [run(threadConsumer, q, true), run(threadConsumer, q, false)];
      const mainConsumer = (async () => {
        const got: Msg[] = [];
        for await (const m of q) got.push(m);
        return got;
      })();
      const producers = [
        run(threadProducer, q, 't-sync', N, true),
        run(threadProducer, q, 't-async', N, false),
      ];
      for (let s = 0; s < N; s++) await deadline(q.put({ p: 'main', s }), 'put');
      await deadline(Promise.all(producers), 'the producers');
      q.shutdown();
      const results = await deadline(Promise.all([...consumers, mainConsumer]), 'the consumers');
      const seen = new Set<string>();
      results.forEach((got, c) => {
        const last = new Map<string, number>();
        for (const { p, s } of got) {
          assert.ok((last.get(p) ?? -1) < s, `consumer ${c}: ${p}#${s} after #${last.get(p)}`);
          last.set(p, s);
          assert.ok(!seen.has(`${p}#${s}`), `${p}#${s} received twice`);
          seen.add(`${p}#${s}`);
        }
      });
      assert.equal(seen.size, 3 * N, 'nothing lost');
    });

    test('a task that used a queue and returned leaves it usable; using queues adds no process listeners', async () => {
      const before = processListeners();
      const q = new SharedQueue<number>();
      for (let i = 0; i < 20; i++) {
        await run(async (qq: SharedQueue<number>, x: number) => qq.put(x), q, i);
      }
      assert.equal(q.qsize(), 20);
      for (let i = 0; i < 20; i++) assert.equal(await q.get(), i);
      assert.deepEqual(processListeners(), before);
      q.shutdown();
    });

    test('a queue nested in an argument is a clear TypeError ("pass it as a direct argument")', async () => {
      const q = new SharedQueue<number>();
      const e = await rejection(
        (async () => pool.submit((o: { q: SharedQueue<number> }) => typeof o, { q }))(),
      );
      assert.ok(e instanceof TypeError, describeError(e));
      assert.match(e.message, /direct argument/);
      const e2 = await rejection(
        (async () => pool.submit((o: SharedQueue<number>[]) => o.length, [q]))(),
      );
      assert.ok(e2 instanceof TypeError, describeError(e2));
      assert.match(e2.message, /direct argument/);
      q.putNowait(3);
      assert.equal(await run((qq: SharedQueue<number>) => qq.getNowait(), q), 3);
      q.shutdown();
    });
  });

  describe('a worker thread that crashes while holding a channel', () => {
    test(
      'Pipe: the main side reads what was sent, then its recv fails; a pending recv is woken',
      SLOW,
      async () => {
        await using crashy = new ThreadPoolExecutor({ maxWorkers: 2 });
        using g = guard();
        const [a, b] = Pipe<string>();
        const f = crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          (c: Connection<string>) => {
            c.send('last words');
            process.exit(3);
          },
          b,
        );
        await assert.rejects(f, WorkerCrashedError);
        assert.equal(await deadline(a.recv(), 'the message sent before the crash'), 'last words');
        const e = await rejection(a.recv({ signal: g.signal }), 'recv after the crash');
        assert.ok(isChannelError(e), describeError(e));
        a.close();

        const [c, d] = Pipe<string>();
        const pending = c.recv({ signal: g.signal });
        const second = crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          (end: Connection<string>) => {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
            void end;
            process.exit(4);
          },
          d,
        );
        assert.equal(await stillPending(pending, 10), true);
        await assert.rejects(second, WorkerCrashedError);
        const e2 = await rejection(pending, 'the pending recv');
        assert.ok(isChannelError(e2), describeError(e2));
        c.close();
      },
    );

    test(
      'SharedQueue: a pending get in main and every later operation fail with BrokenChannelError',
      SLOW,
      async () => {
        await using crashy = new ThreadPoolExecutor({ maxWorkers: 2 });
        const q = new SharedQueue<number>(2);
        using g = guard();
        const pending = q.get({ signal: g.signal });
        const f = crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          (qq: SharedQueue<number>) => {
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
            void qq;
            process.exit(5);
          },
          q,
        );
        assert.equal(await stillPending(pending, 10), true);
        await assert.rejects(f, WorkerCrashedError);
        const e = await rejection(pending, 'the pending get');
        assert.ok(e instanceof BrokenChannelError, describeError(e));
        assert.throws(() => q.putNowait(1), BrokenChannelError);
        await assert.rejects(q.put(1), BrokenChannelError);
        assert.throws(() => q.getNowait(), BrokenChannelError);
        await assert.rejects(q.get(), BrokenChannelError);
        // A thread that gets the broken queue sees it broken too.
        const seen = await crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          (qq: SharedQueue<number>) => {
            try {
              qq.getSync({ timeout: 10_000 });
              return 'got';
            } catch (err) {
              return (err as Error).name;
            }
          },
          q,
        );
        assert.equal(seen, 'BrokenChannelError');
      },
    );

    test(
      'SharedQueue: a thread blocked in getSync sees BrokenChannelError when another holder crashes',
      SLOW,
      async () => {
        await using crashy = new ThreadPoolExecutor({ maxWorkers: 2 });
        const q = new SharedQueue<number>();
        const blocked = crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          (qq: SharedQueue<number>) => {
            try {
              qq.getSync({ timeout: 15_000 });
              return 'got';
            } catch (err) {
              return (err as Error).name;
            }
          },
          q,
        );
        await sleep(50);
        const crash = crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          (qq: SharedQueue<number>) => {
            void qq;
            process.exit(6);
          },
          q,
        );
        await assert.rejects(crash, WorkerCrashedError);
        assert.equal(await deadline(blocked, 'the blocked thread'), 'BrokenChannelError');
      },
    );

    test(
      'SharedQueue: a worker terminated for its timeout breaks the queue it held',
      SLOW,
      async () => {
        await using crashy = new ThreadPoolExecutor({ maxWorkers: 1, gracePeriod: 50 });
        const q = new SharedQueue<number>();
        using g = guard();
        const pending = q.get({ signal: g.signal });
        const looping = crashy.submitWith(
          { timeout: 100 },
          (qq: SharedQueue<number>) => {
            void qq;
            for (;;) {
              // only terminating the worker stops this
            }
          },
          q,
        );
        await assert.rejects(looping, (e: Error) => e.name === 'TimeoutError');
        const e = await rejection(pending, 'the pending get');
        assert.ok(e instanceof BrokenChannelError, describeError(e));
      },
    );

    test('a crash of a worker that never had the queue does not break it', SLOW, async () => {
      await using other = new ThreadPoolExecutor({ maxWorkers: 1 });
      const q = new SharedQueue<number>();
      using g = guard();
      const pending = q.get({ signal: g.signal });
      await assert.rejects(
        other.submit(() => process.exit(1)),
        WorkerCrashedError,
      );
      q.putNowait(1);
      assert.equal(await deadline(pending, 'get'), 1);
      q.shutdown();
    });
  });

  test('no MaxListenersExceededWarning was emitted while the channels above were used', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    assert.deepEqual(warnings.seen, []);
  });
});
