// Pipe and SharedQueue with child processes (a process task gets a proxy whose operations run in
// the parent): main<->process, process<->process, thread<->process, the refused blocking forms,
// signals, errors, and crashes of a process holding a channel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueShutDownError, WorkerCrashedError } from 'tsio';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';
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
  stillPending,
  text,
} from './util.js';

let procs: ProcessPoolExecutor;
let threads: ThreadPoolExecutor;

function inProcess<A extends unknown[], R>(fn: (...args: A) => R, ...args: A) {
  return procs.submitWith({ timeout: TASK_TIMEOUT }, fn, ...args);
}
function inThread<A extends unknown[], R>(fn: (...args: A) => R, ...args: A) {
  return threads.submitWith({ timeout: TASK_TIMEOUT }, fn, ...args);
}

describe('channels with processes', () => {
  const warnings = listenerWarnings();
  before(async () => {
    warnings.start();
    procs = new ProcessPoolExecutor({ maxWorkers: 2, name: 'channel-procs' });
    threads = new ThreadPoolExecutor({ maxWorkers: 2, name: 'channel-threads' });
    await Promise.all([procs.submit(() => 1), procs.submit(() => 2), threads.submit(() => 3)]);
  });
  after(async () => {
    warnings.stop();
    await procs.shutdown();
    await threads.shutdown();
  });

  const isChannelError = (e: unknown): boolean =>
    e instanceof ChannelClosedError || e instanceof BrokenChannelError;

  describe('Pipe with processes', () => {
    test('main <-> process: messages go both ways in order; closing main ends the loop in the child', async () => {
      const [a, b] = Pipe<unknown>();
      const f = inProcess(async (c: Connection<unknown>) => {
        let n = 0;
        for await (const m of c) {
          c.send(m);
          n++;
        }
        return n;
      }, b);
      const values: unknown[] = [
        1,
        'two',
        { three: [3n, new Map([[1, 'x']])] },
        new Set([4]),
        new Date(5),
        new Float64Array([6.5]),
        null,
        undefined,
        text(5000, 'ü'),
      ];
      for (let round = 0; round < 10; round++) for (const v of values) a.send(v);
      for (let round = 0; round < 10; round++) {
        for (const v of values) assert.deepEqual(await deadline(a.recv(), 'an echo'), v);
      }
      a.close();
      assert.equal(await deadline(f, 'the echo task'), 10 * values.length);
    });

    test(
      'process <-> process (through the parent): ping-pong between two tasks',
      SLOW,
      async () => {
        const [a, b] = Pipe<number>();
        const pinger = inProcess(
          async (c: Connection<number>, n: number) => {
            for (let i = 0; i < n; i++) {
              c.send(i);
              const r = await c.recv();
              if (r !== i + 1) throw new Error(`expected ${i + 1}, got ${r}`);
            }
            c.close();
            return n;
          },
          a,
          200,
        );
        const ponger = inProcess(async (c: Connection<number>) => {
          let n = 0;
          for await (const m of c) {
            c.send(m + 1);
            n++;
          }
          return n;
        }, b);
        assert.deepEqual(await deadline(Promise.all([pinger, ponger]), 'the tasks'), [200, 200]);
      },
    );

    test(
      'process -> process through a small buffer: order kept, close still delivers everything',
      SLOW,
      async () => {
        const [r, w] = Pipe<{ i: number; body: string }>({ duplex: false, bufferSize: 4096 });
        const reader = inProcess(async (c: Connection<{ i: number; body: string }>) => {
          const got: number[] = [];
          for await (const m of c) {
            if (m.body.length !== 1200 + (m.i % 500)) throw new Error(`bad body for ${m.i}`);
            got.push(m.i);
          }
          return got;
        }, r);
        const writer = inProcess(
          (c: Connection<{ i: number; body: string }>, n: number) => {
            for (let i = 0; i < n; i++) c.send({ i, body: 'p'.repeat(1200 + (i % 500)) });
            c.close();
            return n;
          },
          w,
          150,
        );
        assert.equal(await deadline(writer, 'the writer'), 150);
        assert.deepEqual(
          await deadline(reader, 'the reader'),
          Array.from({ length: 150 }, (_, i) => i),
        );
      },
    );

    test('thread <-> process', SLOW, async () => {
      const [a, b] = Pipe<number>();
      const inT = inThread(
        (c: Connection<number>, n: number) => {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            c.send(i);
            sum += c.recvSync({ timeout: 15_000 });
          }
          c.close();
          return sum;
        },
        a,
        100,
      );
      const inP = inProcess(async (c: Connection<number>) => {
        let n = 0;
        for await (const m of c) {
          c.send(m * 3);
          n++;
        }
        return n;
      }, b);
      assert.deepEqual(await deadline(Promise.all([inT, inP]), 'the tasks'), [3 * 4950, 100]);
    });

    test('recvSync is refused in a child process, without taking anything', async () => {
      const [a, b] = Pipe<number>();
      a.send(1);
      const r = await inProcess(async (c: Connection<number>) => {
        let name = 'no error';
        try {
          c.recvSync({ timeout: 10 });
        } catch (e) {
          name = (e as Error).name;
        }
        return [name, await c.recv()];
      }, b);
      assert.notEqual(r[0], 'no error');
      assert.notEqual(r[0], 'TimeoutError');
      assert.equal(r[1], 1, 'nothing was taken');
      a.close();
      b.close();
    });

    test('in a child, send throws TypeError for uncloneables and RangeError for too big; the pipe still works', async () => {
      const [a, b] = Pipe<unknown>({ bufferSize: 4096 });
      const r = await inProcess((c: Connection<unknown>) => {
        const out: string[] = [];
        for (const bad of [() => 1, Symbol('s'), new SharedArrayBuffer(4), 'x'.repeat(10_000)]) {
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
      assert.deepEqual(r, ['TypeError', 'TypeError', 'TypeError', 'RangeError']);
      assert.equal(await deadline(a.recv(), 'recv'), 'fine');
      assert.equal(a.poll(), false);
      a.close();
      b.close();
    });

    test('an aborted recv in a child rejects with its reason and takes nothing', async () => {
      const [a, b] = Pipe<number | string>();
      const f = inProcess(async (c: Connection<number | string>) => {
        const controller = new AbortController();
        const p = c.recv({ signal: controller.signal });
        setTimeout(() => controller.abort(new Error('stop')), 10);
        let aborted = 'not aborted';
        try {
          await p;
        } catch (e) {
          aborted = e === controller.signal.reason ? 'reason' : String(e);
        }
        c.send('ready');
        return [aborted, await c.recv(), await c.recv()];
      }, b);
      assert.equal(await deadline(a.recv(), 'ready'), 'ready');
      a.send(1);
      a.send(2);
      assert.deepEqual(await deadline(f, 'the task'), ['reason', 1, 2]);
      a.close();
      b.close();
    });

    test("a child sees main's close: recv rejects ChannelClosedError after the buffered messages", async () => {
      const [a, b] = Pipe<number>();
      a.send(7);
      a.close();
      const r = await inProcess(async (c: Connection<number>) => {
        const first = await c.recv();
        let name = 'no error';
        try {
          await c.recv();
        } catch (e) {
          name = (e as Error).name;
        }
        return [first, name];
      }, b);
      assert.deepEqual(r, [7, 'ChannelClosedError']);
      b.close();
    });

    test('a connection nested in an argument is a clear TypeError', async () => {
      const [a, b] = Pipe();
      const e = await rejection(
        (async () => procs.submit((o: { end: Connection }) => typeof o, { end: b }))(),
      );
      assert.ok(e instanceof TypeError, describeError(e));
      assert.match(e.message, /direct argument/);
      a.close();
      b.close();
    });
  });

  describe('SharedQueue with processes', () => {
    test('main <-> process: a child consumes one queue and produces into another', async () => {
      const jobs = new SharedQueue<number>(4);
      const results = new SharedQueue<number>();
      const worker = inProcess(
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
      for (let i = 0; i < 100; i++) await deadline(jobs.put(i), `put ${i}`);
      jobs.shutdown();
      assert.equal(await deadline(worker, 'the worker'), 100);
      const got: number[] = [];
      for (let i = 0; i < 100; i++) got.push(await deadline(results.get(), 'a result'));
      assert.deepEqual(
        got,
        Array.from({ length: 100 }, (_, i) => i * i),
      );
      results.shutdown();
    });

    test(
      'process <-> process: producer and consumer through the parent, ended by shutdown',
      SLOW,
      async () => {
        const q = new SharedQueue<number>(3);
        const consumer = inProcess(async (qq: SharedQueue<number>) => {
          const got: number[] = [];
          for (;;) {
            try {
              got.push(await qq.get());
            } catch (e) {
              if ((e as Error).name === 'QueueShutDownError') return got;
              throw e;
            }
          }
        }, q);
        const producer = inProcess(
          async (qq: SharedQueue<number>, n: number) => {
            for (let i = 0; i < n; i++) await qq.put(i);
            return n;
          },
          q,
          300,
        );
        assert.equal(await deadline(producer, 'the producer'), 300);
        q.shutdown();
        assert.deepEqual(
          await deadline(consumer, 'the consumer'),
          Array.from({ length: 300 }, (_, i) => i),
        );
      },
    );

    test(
      'per-producer order with producers and consumers in main, a thread and a process',
      SLOW,
      async () => {
        type Msg = { p: string; s: number };
        const q = new SharedQueue<Msg>(4);
        const N = 150;
        const producer = async (qq: SharedQueue<Msg>, id: string, n: number) => {
          for (let s = 0; s < n; s++) await qq.put({ p: id, s });
          return n;
        };
        const consumer = async (qq: SharedQueue<Msg>) => {
          const got: Msg[] = [];
          for (;;) {
            try {
              got.push(await qq.get());
            } catch (e) {
              if ((e as Error).name === 'QueueShutDownError') return got;
              throw e;
            }
          }
        };
        const consumers = [inProcess(consumer, q), inThread(consumer, q)];
        const mainConsumer = (async () => {
          const got: Msg[] = [];
          for await (const m of q) got.push(m);
          return got;
        })();
        const producers = [inProcess(producer, q, 'proc', N), inThread(producer, q, 'thread', N)];
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
      },
    );

    test('in a child: put rejects TypeError/RangeError for bad items; the synchronous calls are refused, not faked', async () => {
      const q = new SharedQueue<unknown>(1, { bufferSize: 4096 });
      const r = await inProcess(async (qq: SharedQueue<unknown>) => {
        const out: string[] = [];
        const attempt = async (f: () => unknown) => {
          try {
            await f();
            out.push('ok');
          } catch (e) {
            out.push((e as Error).name);
          }
        };
        await attempt(() => qq.put(() => 1));
        await attempt(() => qq.put(Symbol('s')));
        await attempt(() => qq.put('x'.repeat(10_000)));
        await attempt(() => qq.put('one'));
        // qsize/empty/full/putNowait/getNowait need the shared memory: a child cannot answer at
        // once, so they must throw rather than guess.
        const refused: boolean[] = [];
        for (const f of [
          () => qq.qsize(),
          () => qq.empty(),
          () => qq.full(),
          () => qq.putNowait('two'),
          () => qq.getNowait(),
        ]) {
          try {
            f();
            refused.push(false);
          } catch (e) {
            refused.push(e instanceof Error);
          }
        }
        out.push(String(refused.every(Boolean)), String(qq.maxsize));
        return out;
      }, q);
      assert.deepEqual(r, ['TypeError', 'TypeError', 'RangeError', 'ok', 'true', '1']);
      assert.equal(await deadline(q.get(), 'the item put by the child'), 'one');
      assert.equal(q.qsize(), 0, 'nothing else was put');
      q.shutdown();
    });

    test('getSync, putSync and sync iteration are refused in a child process, taking nothing', async () => {
      const q = new SharedQueue<number>(2);
      q.putNowait(1);
      const r = await inProcess(async (qq: SharedQueue<number>) => {
        const out: string[] = [];
        const attempt = (f: () => unknown) => {
          try {
            f();
            out.push('no error');
          } catch (e) {
            out.push((e as Error).name);
          }
        };
        attempt(() => qq.getSync({ timeout: 10 }));
        attempt(() => qq.putSync(2, { timeout: 10 }));
        attempt(() => {
          for (const _ of qq) break;
        });
        out.push(String(await qq.get()));
        return out;
      }, q);
      for (const name of r.slice(0, 3)) {
        assert.notEqual(name, 'no error');
        assert.notEqual(name, 'TimeoutError');
      }
      assert.equal(r[3], '1', 'nothing was taken or put');
      assert.equal(q.qsize(), 0);
      q.shutdown();
    });

    test('an aborted get in a child rejects with its reason and takes nothing', async () => {
      const q = new SharedQueue<number>();
      const ready = new SharedQueue<string>();
      const f = inProcess(
        async (qq: SharedQueue<number>, rr: SharedQueue<string>) => {
          const out: unknown[] = [];
          for (let i = 0; i < 5; i++) {
            const controller = new AbortController();
            const p = qq.get({ signal: controller.signal });
            if (i % 2 === 0) controller.abort(new Error(`stop ${i}`));
            else setTimeout(() => controller.abort(new Error(`stop ${i}`)), 10);
            try {
              out.push(await p);
            } catch (e) {
              out.push(e === controller.signal.reason ? 'reason' : String(e));
            }
          }
          await rr.put('ready');
          out.push(await qq.get(), await qq.get());
          return out;
        },
        q,
        ready,
      );
      assert.equal(await deadline(ready.get(), 'ready'), 'ready');
      q.putNowait(1);
      q.putNowait(2);
      assert.deepEqual(await deadline(f, 'the task'), [
        'reason',
        'reason',
        'reason',
        'reason',
        'reason',
        1,
        2,
      ]);
      assert.equal(q.qsize(), 0);
      q.shutdown();
      ready.shutdown();
    });

    test('a child blocked in get() is woken by shutdown with QueueShutDownError; its put fails too', async () => {
      const q = new SharedQueue<number>();
      const f = inProcess(async (qq: SharedQueue<number>) => {
        const out: string[] = [];
        try {
          await qq.get();
          out.push('got');
        } catch (e) {
          out.push((e as Error).name);
        }
        try {
          await qq.put(1);
          out.push('put');
        } catch (e) {
          out.push((e as Error).name);
        }
        return out;
      }, q);
      assert.equal(await stillPending(f, 200), true);
      q.shutdown();
      assert.deepEqual(await deadline(f, 'the task'), ['QueueShutDownError', 'QueueShutDownError']);
    });

    test('a pipelined put refused in the parent fails its own task, never a later one', async () => {
      const q = new SharedQueue<number>();
      q.shutdown();
      // Without a signal a child's put resolves before the parent has it (Python's feeder
      // thread does the same); the parent's refusal then fails the task that put.
      const first = inProcess(async (qq: SharedQueue<number>) => {
        await qq.put(1);
        return 'returned';
      }, q);
      const e = await rejection(first);
      assert.ok(e instanceof QueueShutDownError, describeError(e));
      // With a signal the put is a round trip and rejects itself.
      const second = await inProcess(async (qq: SharedQueue<number>) => {
        try {
          await qq.put(2, { signal: new AbortController().signal });
          return 'put';
        } catch (error) {
          return (error as Error).name;
        }
      }, q);
      assert.equal(second, 'QueueShutDownError');
      // A later task on the same process does not inherit the first one's failure.
      const third = await inProcess((qq: SharedQueue<number>) => qq.maxsize, q);
      assert.equal(third, 0);
    });

    test("a task waits for its own pipelined puts, not for another producer's waiting ones", async () => {
      const q = new SharedQueue<string>(1);
      const task = inProcess(async (qq: SharedQueue<string>) => {
        await qq.put('child');
        return 'done';
      }, q);
      assert.equal(await deadline(task, 'the task'), 'done');
      // The queue is full; a put of the main thread now waits for room, and a second task's
      // put waits behind it: the first task is long done, the second resolves its put only
      // once there is room, yet neither waits for the other's items.
      const mainPut = q.put('main');
      const second = inProcess(async (qq: SharedQueue<string>) => {
        await qq.put('second');
        return 'second done';
      }, q);
      assert.equal(await stillPending(second, 100), true, 'its own put waits for room');
      assert.equal(q.getNowait(), 'child');
      await deadline(mainPut, 'the main put');
      assert.equal(q.getNowait(), 'main');
      assert.equal(await deadline(second, 'the second task'), 'second done');
      assert.equal(q.getNowait(), 'second');
      q.shutdown();
    });

    test('a refusal that arrives after every reply was read still fails the task', async () => {
      const q = new SharedQueue<number>(1);
      q.putNowait(0); // full: the child's put waits in the parent
      const go = new SharedQueue<string>();
      const task = inProcess(
        async (qq: SharedQueue<number>, gg: SharedQueue<string>) => {
          await qq.put(1); // pipelined: resolves at once, waits for room in the parent
          await gg.get(); // a round trip; after it no request of this process awaits a reply
          await new Promise((resolve) => setTimeout(resolve, 1500));
          return 'returned';
        },
        q,
        go,
      );
      go.putNowait('go');
      // The child has its reply long before this; the shutdown then refuses the waiting put, and
      // only a reply nobody asked for tells the child.
      await new Promise((resolve) => setTimeout(resolve, 300));
      q.shutdown();
      const e = await rejection(task);
      assert.ok(e instanceof QueueShutDownError, describeError(e));
      go.shutdown();
    });

    test('a send refused by a closed pipe fails the task that sent, not the next task', async () => {
      const [a, b] = Pipe<string>();
      a.close();
      const e = await rejection(inProcess((c: Connection<string>) => c.send('x'), b));
      assert.ok(e instanceof ChannelClosedError, describeError(e));
      const q = new SharedQueue<number>();
      assert.equal(
        await inProcess(async (qq: SharedQueue<number>) => {
          await qq.put(1);
          return 'ok';
        }, q),
        'ok',
      );
      assert.equal(q.getNowait(), 1);
      q.shutdown();
    });

    test('a queue nested in an argument is a clear TypeError', async () => {
      const q = new SharedQueue();
      const e = await rejection(
        (async () => procs.submit((o: { q: SharedQueue }) => typeof o, { q }))(),
      );
      assert.ok(e instanceof TypeError, describeError(e));
      assert.match(e.message, /direct argument/);
      q.shutdown();
    });

    test('channels used by process tasks add no listeners: none on process in main, none growing in the child', async () => {
      const before = processListeners();
      const counts: number[] = [];
      for (let round = 0; round < 3; round++) {
        const q = new SharedQueue<number>();
        const [a, b] = Pipe<number>();
        q.putNowait(round);
        a.send(round);
        const r = await inProcess(
          async (qq: SharedQueue<number>, c: Connection<number>) => {
            const x = await qq.get();
            const y = await c.recv();
            const controller = new AbortController();
            const p = qq.get({ signal: controller.signal });
            controller.abort();
            await p.catch(() => undefined);
            c.send(x + y);
            return process.listenerCount('message') + process.listenerCount('disconnect');
          },
          q,
          b,
        );
        counts.push(r);
        assert.equal(await deadline(a.recv(), 'recv'), 2 * round);
        q.shutdown();
        a.close();
        b.close();
      }
      assert.deepEqual(processListeners(), before);
      // The pool has two children; each may add one listener once, but not one per task or call.
      assert.ok(
        counts.every((c) => c <= Math.min(...counts) + 1) && counts[2]! <= counts[0]! + 1,
        `listener counts in the children: ${counts.join(', ')}`,
      );
    });
  });

  describe('a child process that crashes while holding a channel', () => {
    test('Pipe: a pending recv in main is woken with an error', SLOW, async () => {
      await using crashy = new ProcessPoolExecutor({ maxWorkers: 1 });
      const [a, b] = Pipe<string>();
      using g = guard();
      const pending = a.recv({ signal: g.signal });
      const f = crashy.submitWith(
        { timeout: TASK_TIMEOUT },
        async (c: Connection<string>) => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          void c;
          process.exit(3);
        },
        b,
      );
      assert.equal(await stillPending(pending, 10), true);
      await assert.rejects(f, WorkerCrashedError);
      const e = await rejection(pending, 'the pending recv');
      assert.ok(isChannelError(e), describeError(e));
      a.close();
    });

    test(
      'SharedQueue: a pending get in main fails with BrokenChannelError, and later operations too',
      SLOW,
      async () => {
        await using crashy = new ProcessPoolExecutor({ maxWorkers: 1 });
        const q = new SharedQueue<number>();
        using g = guard();
        const pending = q.get({ signal: g.signal });
        const f = crashy.submitWith(
          { timeout: TASK_TIMEOUT },
          async (qq: SharedQueue<number>) => {
            await new Promise((resolve) => setTimeout(resolve, 300));
            void qq;
            process.exit(4);
          },
          q,
        );
        assert.equal(await stillPending(pending, 10), true);
        await assert.rejects(f, WorkerCrashedError);
        const e = await rejection(pending, 'the pending get');
        assert.ok(e instanceof BrokenChannelError, describeError(e));
        assert.throws(() => q.putNowait(1), BrokenChannelError);
        await assert.rejects(q.get(), BrokenChannelError);
      },
    );

    test(
      'SharedQueue: a child waiting in get() when the crash happens elsewhere sees BrokenChannelError',
      SLOW,
      async () => {
        const q = new SharedQueue<number>();
        const waiting = inProcess(async (qq: SharedQueue<number>) => {
          try {
            await qq.get();
            return 'got';
          } catch (e) {
            return (e as Error).name;
          }
        }, q);
        assert.equal(await stillPending(waiting, 100), true);
        await using crashy = new ThreadPoolExecutor({ maxWorkers: 1 });
        await assert.rejects(
          crashy.submit((qq: SharedQueue<number>) => {
            void qq;
            process.exit(5);
          }, q),
          WorkerCrashedError,
        );
        assert.equal(await deadline(waiting, 'the waiting child'), 'BrokenChannelError');
      },
    );
  });

  test('no MaxListenersExceededWarning was emitted while the channels above were used', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    warnings.stop();
    assert.deepEqual(warnings.seen, []);
  });
});
