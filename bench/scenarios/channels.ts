/**
 * Scope `channels`: tsio/channels (`SharedQueue`, `Pipe`, `SharedArray`) against bare
 * `MessageChannel`, `BroadcastChannel`, `postMessage` and child-process IPC. One producer, one
 * consumer, n items; the consumer counts the items and sums their `i` (their values, for
 * numbers), and the run fails unless it got exactly n with the sum of 0..n-1.
 *
 * Small messages, item i = `{ i, v: 'x' }`:
 * - `tsio-queue-thread`: a `SharedQueue` made in the main thread; a `ThreadPoolExecutor` of 2
 *   threads runs a producer task (`putSync` x n, then `shutdown()`) and a consumer task (sync
 *   `for...of`, i.e. `getSync` until shut down and empty).
 * - `tsio-pipe-thread`: a `Pipe()`, one end to each task: `send` x n, `await drain()`, `close()`;
 *   `recvSync()` until `ChannelClosedError`.
 * - `messagechannel-thread`, `broadcastchannel-thread`: two bare `new Worker`s
 *   (`bench/workers/channels-thread.mjs`), the two ports of a `MessageChannel` transferred to
 *   them, or a `BroadcastChannel` of one name opened in each; the producer posts all n at once,
 *   then an end marker; the consumer reports `{ count, sum }` to the main thread at the marker.
 * - `tsio-queue-process`: a `ProcessPoolExecutor` of 1 process runs the producer (`await put` x n,
 *   then `shutdown()`, on the proxy the child gets: its operations run in the parent, over the
 *   pool's IPC channel); the main thread consumes with `for await`. `tsio-pipe-process`: the same
 *   through a `Pipe()` (`send` x n, `await drain()`, `close()` in the child).
 * - `ipc-process`: a bare `fork` (`serialization: 'advanced'`, `bench/workers/channels-process.mjs`)
 *   `process.send`s n messages and an end marker; the parent counts them.
 *
 * Float64 numbers (n = values):
 * - `tsio-numbers-sab`: tsio's shared memory used directly: a ring of 2^16 float64 values in a
 *   `SharedArray('float64')` plus a `SharedArray('int32', 2)` of written / read counters, both
 *   passed to two pool-thread tasks; the producer writes values into the ring and publishes every
 *   4,096 with `Atomics.store` + `notify`, the consumer sums what is published and frees it;
 *   each sleeps with `Atomics.wait` only while the ring is full / empty. No copy, no messages.
 * - `tsio-numbers-queue`: a `SharedQueue` of `Float64Array` chunks of 1,000 (`putSync` / `for...of`):
 *   each chunk serialized into and out of the queue's shared buffer.
 * - `postmessage-numbers`: each number one `postMessage` between two bare workers
 *   (`MessageChannel`).
 * - `postmessage-numbers-chunked`: `Float64Array` chunks of 1,000 values, one `postMessage` (a
 *   structured-clone copy) each.
 *
 * Every case first sets up its workers (pool, bare workers, child) and runs a warm-up round of 10%
 * of n (at least 100) through the same kind of channel; the channels of a tsio round are made
 * before its timing starts. `ms` runs from telling the producer to go (tsio: submitting both
 * tasks) to the consumer's tally (and the producer's completion). Every worker, child and pool is
 * shut down before the variant returns.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { Pipe, SharedArray, SharedQueue, type Connection } from 'tsio/channels';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';
import { expectEqual, runScenario, sumTo, warmupSize, type Measured } from './harness.js';

/** What a consumer reports: items received (values, for numbers) and the sum of their `i`. */
interface Tally {
  count: number;
  sum: number;
}

/** A producer and a consumer, set up; `round(k)` moves k items and times only that. */
interface Session {
  round(k: number): Promise<{ ms: number; tally: Tally }>;
  close(): Promise<void>;
}

/** A bench worker script, resolved from `build/bench/scenarios/` back to `bench/workers/`. */
const workerPath = (name: string): string =>
  fileURLToPath(new URL(`../../../bench/workers/${name}`, import.meta.url));

/** The in-session warm-up round: this fraction of n (at least 100). */
const WARMUP = 0.1;

/**
 * Opens a session, runs a warm-up round through it (starting its workers and warming their code),
 * then the measured round of n items; checks both rounds' tallies.
 */
async function measure(n: number, open: () => Promise<Session>): Promise<Measured> {
  if (!Number.isSafeInteger(sumTo(n))) throw new RangeError(`n = ${n}: the sum would not be exact`);
  const session = await open();
  try {
    for (const k of [warmupSize(n, WARMUP), n]) {
      const { ms, tally } = await session.round(k);
      expectEqual('items received', tally.count, k);
      expectEqual('sum of items', tally.sum, sumTo(k));
      if (k === n) return { ms };
    }
    throw new Error('unreachable');
  } finally {
    await session.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Bare worker threads

type Mode = 'objects' | 'numbers' | 'chunks';

/** Waits for a bare worker's `'ready'`; fails if it errors or exits first. */
async function ready(worker: Worker): Promise<void> {
  const [m] = (await once(worker, 'message')) as [unknown];
  expectEqual('worker says', m, 'ready');
}

/**
 * Two bare workers: a producer and a consumer joined by a MessageChannel's ports (`'port'`) or by
 * a BroadcastChannel opened in each (`'broadcast'`).
 */
async function bareThreads(mode: Mode, via: 'port' | 'broadcast'): Promise<Session> {
  const file = workerPath('channels-thread.mjs');
  const start = (role: 'producer' | 'consumer', end: MessagePort | string): Worker =>
    typeof end === 'string'
      ? new Worker(file, { workerData: { role, mode, channel: end } })
      : new Worker(file, { workerData: { role, mode, port: end }, transferList: [end] });
  let producer: Worker;
  let consumer: Worker;
  if (via === 'port') {
    const { port1, port2 } = new MessageChannel();
    producer = start('producer', port1);
    consumer = start('consumer', port2);
  } else {
    const name = `tsio-bench-${process.pid}`;
    producer = start('producer', name);
    consumer = start('consumer', name);
  }
  try {
    await Promise.all([ready(producer), ready(consumer)]);
  } catch (e) {
    await Promise.all([producer.terminate(), consumer.terminate()]);
    throw e;
  }
  return {
    async round(k) {
      const report = once(consumer, 'message');
      const t0 = performance.now();
      producer.postMessage({ go: k });
      const [tally] = (await report) as [Tally];
      return { ms: performance.now() - t0, tally };
    },
    async close() {
      await Promise.all([producer.terminate(), consumer.terminate()]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Bare child-process IPC

async function bareFork(): Promise<Session> {
  const child: ChildProcess = fork(workerPath('channels-process.mjs'), [], {
    serialization: 'advanced',
  });
  const exited = once(child, 'exit');
  const [m] = (await once(child, 'message')) as [unknown];
  expectEqual('child says', m, 'ready');
  return {
    async round(k) {
      let count = 0;
      let sum = 0;
      const done = new Promise<void>((resolve) => {
        const onMessage = (msg: { i: number } | { end: true }): void => {
          if ('end' in msg) {
            child.off('message', onMessage);
            resolve();
          } else {
            count++;
            sum += msg.i;
          }
        };
        child.on('message', onMessage);
      });
      const died = exited.then(([code, signal]: unknown[]) => {
        throw new Error(`child exited (${String(code)}, ${String(signal)}) during the round`);
      });
      const t0 = performance.now();
      child.send({ go: k });
      await Promise.race([done, died]);
      return { ms: performance.now() - t0, tally: { count, sum } };
    },
    async close() {
      child.disconnect();
      const [code] = (await exited) as [number | null];
      expectEqual('child exit code', code, 0);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// tsio

/** The small message of every case. */
interface Msg {
  i: number;
  v: string;
}

/*
 * The tasks below are shipped to the pool as source: self-contained, they use only their
 * arguments (each channel is a direct argument of `submit`).
 */

/** Producer (thread): n messages with the blocking `putSync`, then `shutdown()`. */
const queueProducer = (q: SharedQueue<Msg>, n: number): void => {
  for (let i = 0; i < n; i++) q.putSync({ i, v: 'x' });
  q.shutdown();
};

/** Consumer (thread): sync iteration (`getSync`), which ends once shut down and empty. */
const queueConsumer = (q: SharedQueue<Msg>): Tally => {
  let count = 0;
  let sum = 0;
  for (const m of q) {
    count++;
    sum += m.i;
  }
  return { count, sum };
};

/**
 * Producer (thread or child process): n `send`s (never blocking: when the buffer is full they wait
 * in the end's outbox), `await drain()` as the docs advise, then `close()` (the other end sees EOF).
 */
const pipeProducer = async (conn: Connection<Msg>, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) conn.send({ i, v: 'x' });
  await conn.drain();
  conn.close();
};

/** Consumer (thread): `recvSync()` until the producer's end is closed. */
const pipeConsumer = (conn: Connection<Msg>): Tally => {
  let count = 0;
  let sum = 0;
  for (;;) {
    let m: Msg;
    try {
      m = conn.recvSync();
    } catch (e) {
      if ((e as Error).name === 'ChannelClosedError') break;
      throw e;
    }
    count++;
    sum += m.i;
  }
  conn.close();
  return { count, sum };
};

/** Producer (thread): n values in Float64Array chunks of 1,000 (one reused buffer: put copies). */
const chunkProducer = (q: SharedQueue<Float64Array>, n: number): void => {
  const chunk = new Float64Array(1000);
  for (let i = 0; i < n; i += 1000) {
    const len = Math.min(1000, n - i);
    const out = len === 1000 ? chunk : new Float64Array(len);
    for (let j = 0; j < len; j++) out[j] = i + j;
    q.putSync(out);
  }
  q.shutdown();
};

/** Consumer (thread) of the chunks: counts and sums their values. */
const chunkConsumer = (q: SharedQueue<Float64Array>): Tally => {
  let count = 0;
  let sum = 0;
  for (const chunk of q) {
    count += chunk.length;
    for (let j = 0; j < chunk.length; j++) sum += chunk[j]!;
  }
  return { count, sum };
};

/**
 * Producer (thread) of the shared-memory ring: `data` is a `SharedArray('float64', 2^k)`, `ctrl`
 * a `SharedArray('int32', 2)`: values written so far, values read so far. It writes the values
 * straight into the shared buffer, publishes them every 4,096 (`Atomics.store` + `notify`), and
 * sleeps (`Atomics.wait`) only while the ring is full. No copy, no serialization, no message.
 */
const ringProducer = (
  data: SharedArray<'float64'>,
  ctrl: SharedArray<'int32'>,
  n: number,
): void => {
  const buf = data.array;
  const c = ctrl.array;
  const cap = buf.length;
  const mask = cap - 1;
  let w = 0;
  while (w < n) {
    const r = Atomics.load(c, 1);
    if (w - r === cap) {
      Atomics.wait(c, 1, r);
      continue;
    }
    const end = Math.min(n, r + cap, w + 4096);
    for (; w < end; w++) buf[w & mask] = w;
    Atomics.store(c, 0, w);
    Atomics.notify(c, 0);
  }
};

/** Consumer (thread) of the ring: sums what is published, frees it, sleeps while it is empty. */
const ringConsumer = (
  data: SharedArray<'float64'>,
  ctrl: SharedArray<'int32'>,
  n: number,
): Tally => {
  const buf = data.array;
  const c = ctrl.array;
  const mask = buf.length - 1;
  let r = 0;
  let sum = 0;
  while (r < n) {
    const w = Atomics.load(c, 0);
    if (w === r) {
      Atomics.wait(c, 0, r);
      continue;
    }
    for (; r < w; r++) sum += buf[r & mask]!;
    Atomics.store(c, 1, r);
    Atomics.notify(c, 1);
  }
  return { count: r, sum };
};

/** Producer (child process): the queue is a proxy whose operations run in the parent. */
const processProducer = async (q: SharedQueue<Msg>, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await q.put({ i, v: 'x' });
  q.shutdown();
};

/** The main thread's consumer: `for await` over the queue (or pipe end) until it ends. */
async function consume(source: AsyncIterable<Msg>): Promise<Tally> {
  let count = 0;
  let sum = 0;
  for await (const m of source) {
    count++;
    sum += m.i;
  }
  return { count, sum };
}

/**
 * Sets up one round of k items (the channels: outside the timing) and returns the round: start
 * the producer and the consumer, resolve with the consumer's tally once both are done.
 */
type Prepare<P> = (pool: P, k: number) => () => Promise<Tally>;

/** A session on a pool (started by the warm-up round) whose rounds `prepare` sets up. */
function tsioPool<P extends ThreadPoolExecutor | ProcessPoolExecutor>(
  make: () => P,
  prepare: Prepare<P>,
): () => Promise<Session> {
  return async () => {
    const pool = make();
    return {
      async round(k) {
        const go = prepare(pool, k);
        const t0 = performance.now();
        const tally = await go();
        return { ms: performance.now() - t0, tally };
      },
      close: () => pool.shutdown(),
    };
  };
}

const threads = (): ThreadPoolExecutor => new ThreadPoolExecutor({ maxWorkers: 2 });
const oneProcess = (): ProcessPoolExecutor => new ProcessPoolExecutor({ maxWorkers: 1 });

/**
 * Awaits the producer and the consumer; the consumer's tally. If either fails, `stop` closes the
 * channel so that the other does not wait for ever (and the pool can shut down).
 */
async function both(
  producer: Promise<unknown>,
  consumer: Promise<Tally>,
  stop: () => void,
): Promise<Tally> {
  try {
    const [, tally] = await Promise.all([producer, consumer]);
    return tally;
  } catch (error) {
    stop();
    await Promise.allSettled([producer, consumer]);
    throw error;
  }
}

const tsioQueueThread: Prepare<ThreadPoolExecutor> = (pool, k) => {
  const q = new SharedQueue<Msg>();
  return () =>
    both(pool.submit(queueProducer, q, k), pool.submit(queueConsumer, q), () =>
      q.shutdown({ immediate: true }),
    );
};

const tsioPipeThread: Prepare<ThreadPoolExecutor> = (pool, k) => {
  const [a, b] = Pipe<Msg>();
  return () =>
    both(pool.submit(pipeProducer, a, k), pool.submit(pipeConsumer, b), () => {
      a.close();
      b.close();
    });
};

const tsioNumbersQueue: Prepare<ThreadPoolExecutor> = (pool, k) => {
  const q = new SharedQueue<Float64Array>();
  return () =>
    both(pool.submit(chunkProducer, q, k), pool.submit(chunkConsumer, q), () =>
      q.shutdown({ immediate: true }),
    );
};

/** Values in the shared ring (a power of two): 512 KiB. */
const RING_VALUES = 1 << 16;

const tsioNumbersSab: Prepare<ThreadPoolExecutor> = (pool, k) => {
  const data = new SharedArray('float64', RING_VALUES);
  const ctrl = new SharedArray('int32', 2);
  return () =>
    both(
      pool.submit(ringProducer, data, ctrl, k),
      pool.submit(ringConsumer, data, ctrl, k),
      () => undefined,
    );
};

/** A child-process task puts k messages (through the parent); the main thread gets them. */
const tsioQueueProcess: Prepare<ProcessPoolExecutor> = (pool, k) => {
  const q = new SharedQueue<Msg>();
  return () =>
    both(pool.submit(processProducer, q, k), consume(q), () => q.shutdown({ immediate: true }));
};

/** A child-process task sends k messages down a pipe; the main thread receives them. */
const tsioPipeProcess: Prepare<ProcessPoolExecutor> = (pool, k) => {
  const [a, b] = Pipe<Msg>();
  return () =>
    both(pool.submit(pipeProducer, a, k), consume(b), () => {
      a.close();
      b.close();
    });
};

await runScenario('channels', {
  'tsio-queue-thread': (n) => measure(n, tsioPool(threads, tsioQueueThread)),
  'tsio-pipe-thread': (n) => measure(n, tsioPool(threads, tsioPipeThread)),
  'tsio-numbers-sab': (n) => measure(n, tsioPool(threads, tsioNumbersSab)),
  'tsio-numbers-queue': (n) => measure(n, tsioPool(threads, tsioNumbersQueue)),
  'tsio-queue-process': (n) => measure(n, tsioPool(oneProcess, tsioQueueProcess)),
  'tsio-pipe-process': (n) => measure(n, tsioPool(oneProcess, tsioPipeProcess)),
  'messagechannel-thread': (n) => measure(n, () => bareThreads('objects', 'port')),
  'broadcastchannel-thread': (n) => measure(n, () => bareThreads('objects', 'broadcast')),
  'postmessage-numbers': (n) => measure(n, () => bareThreads('numbers', 'port')),
  'postmessage-numbers-chunked': (n) => measure(n, () => bareThreads('chunks', 'port')),
  'ipc-process': (n) => measure(n, bareFork),
});
