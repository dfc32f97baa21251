/**
 * Scope `primitives`: throughput of Queue, Lock and Event, n operations per run.
 *
 * - Queue, one producer and one consumer, unbounded: `tsio-queue-1p1c`, `esfx-queue-1p1c`.
 * - Queue, one producer and one consumer, maxsize 16: `tsio-queue-bounded` (no JS package has a
 *   bounded async queue to compare with).
 * - Queue, `putNowait` x 1000 then `getNowait` x 1000, repeated: `tsio-queue-nowait`;
 *   `esfx-queue-batch` does the same with the only calls @esfx/async-queue has (`put`, `await get`).
 * - Lock, uncontended acquire/release: `tsio-lock`, `tsio-lock-hold`, `async-mutex-lock`,
 *   `async-sema-lock`.
 * - Lock, 16 tasks contending, each holding it across one microtask: the same names + `-16`.
 * - Event ping-pong between two tasks (2 set, 2 wait, 2 clear per round): `tsio-event-pingpong`,
 *   `hand-event-pingpong` (a hand-written promise event: no JS package for it is installed).
 */
import { AsyncQueue } from '@esfx/async-queue';
import { Mutex } from 'async-mutex';
import { Sema } from 'async-sema';
import { Event, Lock, Queue } from 'tsio';
import { expectEqual, runScenario, sumTo, timed, type Measured } from './harness.js';

const CONTENDERS = 16;
const BATCH = 1000;

/** One microtask hop (the "work" inside a contended critical section). */
const yieldOnce = (): Promise<void> => Promise.resolve();

/** Runs `producer` and `consumer` together; checks the consumer saw 0..n-1. */
async function producerConsumer(
  n: number,
  producer: () => Promise<void>,
  consumer: () => Promise<number>,
): Promise<Measured> {
  const { ms, value } = await timed(() => Promise.all([producer(), consumer()]));
  expectEqual('sum of items', value[1], sumTo(n));
  return { ms };
}

/** `n` acquire/release pairs in a row, nobody else waiting. */
async function uncontended(n: number, once: () => Promise<void>): Promise<Measured> {
  const { ms } = await timed(async () => {
    for (let i = 0; i < n; i++) await once();
  });
  return { ms };
}

/**
 * 16 tasks share `n` turns; each turn enters the critical section with `section`, which must
 * bump the counter through `body` while holding the lock.
 */
async function contended(
  n: number,
  section: (body: () => Promise<void>) => Promise<void>,
): Promise<Measured> {
  let counter = 0;
  let inside = 0;
  const body = async (): Promise<void> => {
    if (++inside !== 1) throw new Error('two tasks inside the critical section');
    counter++;
    await yieldOnce();
    inside--;
  };
  const perTask = Math.ceil(n / CONTENDERS);
  let left = n;
  const worker = async (): Promise<void> => {
    for (let i = 0; i < perTask && left > 0; i++) {
      left--;
      await section(body);
    }
  };
  const { ms } = await timed(() => Promise.all(Array.from({ length: CONTENDERS }, worker)));
  expectEqual('critical sections run', counter, n);
  return { ms };
}

/** A minimal promise-based event: the floor a JS event can reach. */
class PromiseEvent {
  #isSet = false;
  #promise: Promise<void> | null = null;
  #resolve: (() => void) | null = null;

  set(): void {
    if (this.#isSet) return;
    this.#isSet = true;
    const resolve = this.#resolve;
    this.#promise = this.#resolve = null;
    resolve?.();
  }

  clear(): void {
    this.#isSet = false;
  }

  wait(): Promise<void> {
    if (this.#isSet) return Promise.resolve();
    this.#promise ??= new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
    return this.#promise;
  }
}

interface EventLike {
  set(): void;
  clear(): void;
  wait(): PromiseLike<unknown>;
}

/** `n` round trips: ping sets `a` and waits for `b`, pong waits for `a` and sets `b`. */
async function pingPong(n: number, a: EventLike, b: EventLike): Promise<Measured> {
  let rounds = 0;
  const ping = async (): Promise<void> => {
    for (let i = 0; i < n; i++) {
      a.set();
      await b.wait();
      b.clear();
    }
  };
  const pong = async (): Promise<void> => {
    for (let i = 0; i < n; i++) {
      await a.wait();
      a.clear();
      rounds++;
      b.set();
    }
  };
  const { ms } = await timed(() => Promise.all([ping(), pong()]));
  expectEqual('rounds', rounds, n);
  return { ms };
}

await runScenario(
  'primitives',
  {
    'tsio-queue-1p1c': (n) => {
      const q = new Queue<number>();
      return producerConsumer(
        n,
        async () => {
          for (let i = 0; i < n; i++) await q.put(i);
        },
        async () => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += await q.get();
          return sum;
        },
      );
    },
    'esfx-queue-1p1c': (n) => {
      const q = new AsyncQueue<number>();
      return producerConsumer(
        n,
        async () => {
          // `put` is synchronous here; the await gives the consumer the same chances to run
          // as tsio's `await q.put(i)`.
          for (let i = 0; i < n; i++) {
            q.put(i);
            await yieldOnce();
          }
        },
        async () => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += await q.get();
          return sum;
        },
      );
    },
    'tsio-queue-bounded': (n) => {
      const q = new Queue<number>(16);
      return producerConsumer(
        n,
        async () => {
          for (let i = 0; i < n; i++) await q.put(i);
        },
        async () => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += await q.get();
          return sum;
        },
      );
    },
    'tsio-queue-nowait': async (n) => {
      const q = new Queue<number>();
      let sum = 0;
      const { ms } = await timed(async () => {
        for (let done = 0; done < n; done += BATCH) {
          const k = Math.min(BATCH, n - done);
          for (let i = 0; i < k; i++) q.putNowait(done + i);
          for (let i = 0; i < k; i++) sum += q.getNowait();
        }
      });
      expectEqual('sum of items', sum, sumTo(n));
      return { ms };
    },
    'esfx-queue-batch': async (n) => {
      const q = new AsyncQueue<number>();
      let sum = 0;
      const { ms } = await timed(async () => {
        for (let done = 0; done < n; done += BATCH) {
          const k = Math.min(BATCH, n - done);
          for (let i = 0; i < k; i++) q.put(done + i);
          for (let i = 0; i < k; i++) sum += await q.get();
        }
      });
      expectEqual('sum of items', sum, sumTo(n));
      return { ms };
    },
    'tsio-lock': (n) => {
      const lock = new Lock();
      return uncontended(n, async () => {
        await lock.acquire();
        lock.release();
      });
    },
    'tsio-lock-hold': (n) => {
      const lock = new Lock();
      const noop = (): void => {};
      return uncontended(n, async () => {
        await lock.hold(noop);
      });
    },
    'async-mutex-lock': (n) => {
      const mutex = new Mutex();
      return uncontended(n, async () => {
        const release = await mutex.acquire();
        release();
      });
    },
    'async-sema-lock': (n) => {
      const sema = new Sema(1);
      return uncontended(n, async () => {
        await sema.acquire();
        sema.release();
      });
    },
    'tsio-lock-16': (n) => {
      const lock = new Lock();
      return contended(n, async (body) => {
        await lock.acquire();
        try {
          await body();
        } finally {
          lock.release();
        }
      });
    },
    'tsio-lock-hold-16': (n) => {
      const lock = new Lock();
      return contended(n, async (body) => {
        await lock.hold(body);
      });
    },
    'async-mutex-lock-16': (n) => {
      const mutex = new Mutex();
      return contended(n, async (body) => {
        const release = await mutex.acquire();
        try {
          await body();
        } finally {
          release();
        }
      });
    },
    'async-sema-lock-16': (n) => {
      const sema = new Sema(1);
      return contended(n, async (body) => {
        await sema.acquire();
        try {
          await body();
        } finally {
          sema.release();
        }
      });
    },
    'tsio-event-pingpong': (n) => pingPong(n, new Event(), new Event()),
    'hand-event-pingpong': (n) => pingPong(n, new PromiseEvent(), new PromiseEvent()),
  },
  // Microbenchmarks: warm up on 10% of the operations so that the JIT has optimised the loop.
  0.1,
);
