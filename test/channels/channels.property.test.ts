// Random interleavings on SharedQueue and Pipe across the main thread and worker threads: random
// numbers of producers and consumers, maxsize, buffer sizes, message sizes and operations
// (put/putNowait/putSync, get/getNowait/getSync, aborted gets and puts). Every message arrives
// exactly once, unchanged, and each consumer sees each producer's messages in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serialize } from 'node:v8';
import { QueueEmptyError, QueueFullError, QueueShutDownError } from 'tsio';
import { ThreadPoolExecutor } from 'tsio/executors';
import { Pipe, SharedQueue, type Connection } from 'tsio/channels';
import { deadline, describeError } from './util.js';

/** Runs bounded by this, so a hang fails the run quickly (and shrinking stays affordable). */
const RUN_LIMIT = 10_000;
/** The same for one echo of the Pipe property (each takes milliseconds when all is well). */
const PIPE_LIMIT = 5000;
const MAX_THREADS = 3;

type Msg = { p: string; s: number; pad: string };

/** Producer operations: 0 put, 1 putNowait (retry when full), 2 putSync (threads), 3 put aborted. */
type ProducerPlan = { where: 'main' | 'thread'; ops: number[]; sizes: number[] };
/** Consumer operations (cycled): 0 get, 1 getNowait, 2 getSync (threads), 3/4 get aborted. */
type ConsumerPlan = { where: 'main' | 'thread'; ops: number[] };

const CHARS = ['x', 'é', 'Ω', '😀'];
/** The padding of message s of a producer: its length in UTF-16 units is sizes[s]. */
function padOf(s: number, units: number): string {
  const ch = CHARS[s % CHARS.length]!;
  return ch.repeat(Math.floor(units / ch.length)).padEnd(units, 'y');
}

let pool: ThreadPoolExecutor;
describe('channels property tests', () => {
  before(async () => {
    pool = new ThreadPoolExecutor({ maxWorkers: MAX_THREADS, name: 'channel-property' });
    await Promise.all(Array.from({ length: MAX_THREADS }, () => pool.submit(() => 1)));
  });
  after(() => pool.shutdown());

  /** A producer in a worker thread (self-contained: it is shipped as source). */
  async function threadProducer(
    q: SharedQueue<Msg>,
    id: string,
    ops: number[],
    sizes: number[],
    chars: string[],
  ): Promise<number> {
    for (let s = 0; s < ops.length; s++) {
      const ch = chars[s % chars.length]!;
      const msg = {
        p: id,
        s,
        pad: ch.repeat(Math.floor(sizes[s]! / ch.length)).padEnd(sizes[s]!, 'y'),
      };
      const op = ops[s]!;
      if (op === 0) await q.put(msg);
      else if (op === 1) {
        for (;;) {
          try {
            q.putNowait(msg);
            break;
          } catch (e) {
            if ((e as Error).name !== 'QueueFullError') throw e;
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        }
      } else if (op === 2) q.putSync(msg, { timeout: 15_000 });
      else {
        const controller = new AbortController();
        const p = q.put(msg, { signal: controller.signal });
        if (s % 2 === 0) controller.abort();
        else setTimeout(() => controller.abort(), 0);
        try {
          await p;
        } catch (e) {
          if (e !== controller.signal.reason) throw e;
          await q.put(msg); // the aborted put put nothing: put it again
        }
      }
    }
    return ops.length;
  }

  /** A consumer in a worker thread: gets until the queue is shut down and empty. */
  async function threadConsumer(q: SharedQueue<Msg>, ops: number[]): Promise<Msg[]> {
    const got: Msg[] = [];
    for (let i = 0; ; i++) {
      const op = ops[i % ops.length]!;
      try {
        if (op === 0) got.push(await q.get());
        else if (op === 1) {
          try {
            got.push(q.getNowait());
          } catch (e) {
            if ((e as Error).name !== 'QueueEmptyError') throw e;
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
        } else if (op === 2) {
          try {
            got.push(q.getSync({ timeout: 5 }));
          } catch (e) {
            if ((e as Error).name !== 'TimeoutError') throw e;
          }
        } else {
          const controller = new AbortController();
          const p = q.get({ signal: controller.signal });
          if (op === 3) controller.abort();
          else setTimeout(() => controller.abort(), 0);
          try {
            got.push(await p);
          } catch (e) {
            if (e !== controller.signal.reason) throw e;
          }
          // Yield to the event loop (as a real consumer would between attempts).
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (e) {
        if ((e as Error).name === 'QueueShutDownError') return got;
        throw e;
      }
    }
  }

  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

  async function mainProducer(
    q: SharedQueue<Msg>,
    id: string,
    plan: ProducerPlan,
  ): Promise<number> {
    for (let s = 0; s < plan.ops.length; s++) {
      const msg = { p: id, s, pad: padOf(s, plan.sizes[s]!) };
      const op = plan.ops[s]!;
      if (op === 0 || op === 2) await q.put(msg);
      else if (op === 1) {
        for (;;) {
          try {
            q.putNowait(msg);
            break;
          } catch (e) {
            if (!(e instanceof QueueFullError)) throw e;
            await pause();
          }
        }
      } else {
        const controller = new AbortController();
        const p = q.put(msg, { signal: controller.signal });
        if (s % 2 === 0) controller.abort();
        else setImmediate(() => controller.abort());
        try {
          await p;
        } catch (e) {
          if (e !== controller.signal.reason) throw e;
          await q.put(msg);
        }
      }
    }
    return plan.ops.length;
  }

  async function mainConsumer(q: SharedQueue<Msg>, plan: ConsumerPlan): Promise<Msg[]> {
    const got: Msg[] = [];
    for (let i = 0; ; i++) {
      const op = plan.ops[i % plan.ops.length]!;
      try {
        if (op === 0 || op === 2) got.push(await q.get());
        else if (op === 1) {
          try {
            got.push(q.getNowait());
          } catch (e) {
            if (!(e instanceof QueueEmptyError)) throw e;
            await pause();
          }
        } else {
          const controller = new AbortController();
          const p = q.get({ signal: controller.signal });
          if (op === 3) controller.abort();
          else setImmediate(() => controller.abort());
          try {
            got.push(await p);
          } catch (e) {
            if (e !== controller.signal.reason) throw e;
          }
          await nextTurn();
        }
      } catch (e) {
        if (e instanceof QueueShutDownError) return got;
        throw e;
      }
    }
  }

  const where = fc.constantFrom<'main' | 'thread'>('main', 'thread');

  const queuePlan = fc
    .record({
      maxsize: fc.integer({ min: 0, max: 4 }),
      bufferSize: fc.constantFrom(2048, 8192, 65_536),
      producers: fc.array(
        fc.record({
          where,
          steps: fc.array(
            fc.record({
              op: fc.constantFrom(0, 1, 2, 3),
              fraction: fc.integer({ min: 0, max: 100 }),
            }),
            { maxLength: 80, size: 'medium' },
          ),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      consumers: fc.array(
        fc.record({
          where,
          ops: fc.array(fc.constantFrom(0, 1, 2, 3, 4), { minLength: 1, maxLength: 6 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map(({ maxsize, bufferSize, producers, consumers }) => {
      // At most MAX_THREADS thread tasks at once (they must all run together); the rest in main.
      let threads = 0;
      const place = (w: 'main' | 'thread'): 'main' | 'thread' => {
        if (w === 'main' || threads >= MAX_THREADS) return 'main';
        threads++;
        return 'thread';
      };
      const ps: ProducerPlan[] = producers.map((p) => ({
        where: place(p.where),
        ops: p.steps.map((s) => s.op),
        // Up to a quarter of the buffer (at most 2 bytes per UTF-16 unit).
        sizes: p.steps.map((s) => Math.floor(((bufferSize / 8) * s.fraction) / 100)),
      }));
      const cs: ConsumerPlan[] = consumers.map((c) => ({ where: place(c.where), ops: c.ops }));
      return { maxsize, bufferSize, producers: ps, consumers: cs };
    });

  describe('SharedQueue under random interleavings', () => {
    test(
      'no message lost or duplicated; per-producer order kept; aborted gets take nothing',
      { timeout: 120_000 },
      async () => {
        await fc.assert(
          fc.asyncProperty(queuePlan, async ({ maxsize, bufferSize, producers, consumers }) => {
            const q = new SharedQueue<Msg>(maxsize, { bufferSize });
            const consumerRuns = consumers.map((c) =>
              c.where === 'main'
                ? mainConsumer(q, c)
                : pool.submitWith({ timeout: RUN_LIMIT }, threadConsumer, q, c.ops),
            );
            // Settle every consumer whatever happens, so that nothing outlives the run.
            const consumersDone = Promise.allSettled(consumerRuns);
            let results: Msg[][];
            try {
              const producerRuns = producers.map((p, i) =>
                p.where === 'main'
                  ? mainProducer(q, `P${i}`, p)
                  : pool.submitWith(
                      { timeout: RUN_LIMIT },
                      threadProducer,
                      q,
                      `P${i}`,
                      p.ops,
                      p.sizes,
                      CHARS,
                    ),
              );
              const sent = await deadline(Promise.all(producerRuns), 'the producers', RUN_LIMIT);
              assert.deepEqual(
                sent,
                producers.map((p) => p.ops.length),
              );
              q.shutdown();
              results = await deadline(Promise.all(consumerRuns), 'the consumers', RUN_LIMIT);
            } finally {
              try {
                q.shutdown({ immediate: true });
              } catch {
                // a broken queue: the assertion above already failed
              }
              await consumersDone;
            }
            const seen = new Set<string>();
            results.forEach((got, c) => {
              const last = new Map<string, number>();
              for (const m of got) {
                const key = `${m.p}#${m.s}`;
                assert.ok(!seen.has(key), `${key} received twice`);
                seen.add(key);
                assert.ok(
                  (last.get(m.p) ?? -1) < m.s,
                  `consumer ${c}: ${key} after #${last.get(m.p)}`,
                );
                last.set(m.p, m.s);
                const plan = producers[Number(m.p.slice(1))]!;
                assert.equal(m.pad, padOf(m.s, plan.sizes[m.s]!), `${key} arrived unchanged`);
              }
            });
            const total = producers.reduce((n, p) => n + p.ops.length, 0);
            assert.equal(seen.size, total, `received ${seen.size} of ${total}`);
            assert.equal(q.qsize(), 0);
          }),
          {
            numRuns: 100,
            includeErrorInReport: true,
            interruptAfterTimeLimit: 45_000,
            markInterruptAsFailure: false,
          },
        );
      },
    );
  });

  /** Echoes messages back; recvSync or for await, as asked. */
  async function echoer(c: Connection<unknown>, sync: boolean): Promise<number> {
    let n = 0;
    if (sync) {
      for (;;) {
        let m: unknown;
        try {
          m = c.recvSync({ timeout: 15_000 });
        } catch (e) {
          if ((e as Error).name === 'ChannelClosedError') return n;
          throw e;
        }
        c.send(m);
        n++;
      }
    }
    for await (const m of c) {
      c.send(m);
      n++;
    }
    return n;
  }

  const message = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).filter((v) => serialize(v).byteLength < 2000),
    fc.string({ unit: 'binary', maxLength: 40 }),
    // Any UTF-16 code units, lone surrogates included (structured clone keeps them).
    fc.string({ unit: fc.nat({ max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 20 }),
    fc.bigInt(),
    fc.integer({ min: 0, max: 1500 }).map((n) => 'z'.repeat(n)),
    fc.uint8Array({ maxLength: 1200 }),
  );

  describe('Pipe under random interleavings', () => {
    test(
      'main <-> thread echo: everything back once and in order, aborted recvs take nothing',
      { timeout: 120_000 },
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(message, { maxLength: 150, size: 'medium' }),
            fc.constantFrom(4096, 16_384),
            fc.boolean(),
            fc.array(fc.constantFrom(0, 1, 2, 3, 4), { minLength: 1, maxLength: 8 }),
            async (messages, bufferSize, sync, ops) => {
              const [a, b] = Pipe<unknown>({ bufferSize });
              const echo = pool.submitWith({ timeout: PIPE_LIMIT }, echoer, b, sync);
              try {
                const received: unknown[] = [];
                let sent = 0;
                for (let i = 0; received.length < messages.length; i++) {
                  const op = ops[i % ops.length]!;
                  // 0: send a burst; 1: recv; 2: poll then recv; 3/4: recv aborted now/soon.
                  if ((op === 0 || received.length === sent) && sent < messages.length) {
                    const burst = Math.min(messages.length - sent, 1 + (i % 7));
                    for (let k = 0; k < burst; k++) a.send(messages[sent++]);
                    continue;
                  }
                  // Here some sent message is not received yet.
                  if (op === 1 || op === 0)
                    received.push(await deadline(a.recv(), 'an echo', PIPE_LIMIT));
                  else if (op === 2) {
                    if (a.poll()) received.push(await a.recv());
                    else await pause();
                  } else {
                    const controller = new AbortController();
                    const p = a.recv({ signal: controller.signal });
                    if (op === 3) controller.abort();
                    else setImmediate(() => controller.abort());
                    try {
                      received.push(await deadline(p, 'a recv', PIPE_LIMIT));
                    } catch (e) {
                      if (e !== controller.signal.reason) throw e;
                    }
                    await nextTurn();
                  }
                }
                assert.equal(sent, messages.length);
                assert.deepEqual(received, messages);
                assert.equal(a.poll(), false, 'nothing extra');
                a.close();
                assert.equal(await deadline(echo, 'the echo task', PIPE_LIMIT), messages.length);
              } catch (e) {
                a.close();
                await echo.then(undefined, () => undefined);
                throw new Error(describeError(e), { cause: e });
              } finally {
                b.close();
              }
            },
          ),
          {
            numRuns: 60,
            includeErrorInReport: true,
            interruptAfterTimeLimit: 25_000,
            markInterruptAsFailure: false,
          },
        );
      },
    );
  });
});
