// Property tests: Lock, Semaphore and Queue driven by random clients that start after random
// delays (microtask hops and event-loop turns, never wall-clock time), hold or wait for random
// lengths, and are aborted at random moments, checked against a simple model: mutual exclusion
// (at most `permits` inside), every waiter settles exactly once (granted, or rejected with its
// own abort reason), grants in request order among the waiters that were not aborted, no queue
// item lost or duplicated, per-producer FIFO order, and no abort listener left on any signal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { Lock, Queue, QueueShutDownError, Semaphore, sleep } from 'tsio';

const NUM_RUNS = Number(process.env.NUM_RUNS ?? 150);

/** `n` hops: microtask hops, the first one an event-loop turn when `turn` is set. */
async function pause(n: number, turn: boolean): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (turn && i === 0) await sleep(0);
    else await Promise.resolve();
  }
}

/** Fails (instead of hanging) if `p` has not settled after `turns` event-loop turns. */
async function settlesWithin<T>(p: Promise<T>, turns: number, what: string): Promise<T> {
  let done = false;
  const watched = p.finally(() => (done = true));
  for (let i = 0; i < turns && !done; i++) await sleep(0);
  assert.ok(done, `${what} did not settle within ${turns} event-loop turns`);
  return watched;
}

type Kind = 'acquire' | 'hold';

interface ClientSpec {
  kind: Kind;
  startDelay: number;
  holdFor: number;
  /** Hops after the start at which the client's signal aborts; null: no signal. */
  abortAfter: number | null;
  turn: boolean;
}

const clientArb = fc.record<ClientSpec>({
  kind: fc.constantFrom<Kind>('acquire', 'hold'),
  startDelay: fc.nat({ max: 6 }),
  holdFor: fc.nat({ max: 4 }),
  abortAfter: fc.option(fc.nat({ max: 8 }), { nil: null, freq: 3 }),
  turn: fc.boolean(),
});

interface Gate {
  acquire(options?: { signal?: AbortSignal }): Promise<unknown>;
  release(): void;
  hold<T>(fn: () => T | PromiseLike<T>, options?: { signal?: AbortSignal }): PromiseLike<unknown>;
}

interface Outcome {
  requestOrder: number[];
  grantOrder: { id: number; kind: Kind }[];
  settled: number[];
  granted: Set<number>;
  signals: AbortSignal[];
}

/** Runs the clients against `gate` (a lock or a semaphore of `permits`) and checks the model. */
async function runClients(gate: Gate, permits: number, clients: ClientSpec[]): Promise<Outcome> {
  const out: Outcome = {
    requestOrder: [],
    grantOrder: [],
    settled: clients.map(() => 0),
    granted: new Set(),
    signals: [],
  };
  let inside = 0;
  const reasons = clients.map((_, id) => new Error(`abort ${id}`));
  const enter = (id: number, kind: Kind): void => {
    inside++;
    assert.ok(inside <= permits, `${inside} clients inside, at most ${permits} allowed`);
    out.grantOrder.push({ id, kind });
  };
  const aborters: Promise<void>[] = [];
  const runs = clients.map(async (spec, id) => {
    const ac = spec.abortAfter === null ? undefined : new AbortController();
    if (ac !== undefined) {
      out.signals.push(ac.signal);
      aborters.push(pause(spec.abortAfter!, spec.turn).then(() => ac.abort(reasons[id])));
    }
    await pause(spec.startDelay, spec.turn);
    out.requestOrder.push(id);
    const options = ac === undefined ? undefined : { signal: ac.signal };
    try {
      if (spec.kind === 'acquire') {
        await gate.acquire(options);
        enter(id, 'acquire');
        await pause(spec.holdFor, false);
        inside--;
        gate.release();
      } else {
        await gate.hold(async () => {
          enter(id, 'hold');
          await pause(spec.holdFor, false);
          inside--;
        }, options);
      }
      out.granted.add(id);
    } catch (error) {
      assert.equal(error, reasons[id], 'a waiter only ever rejects with its own abort reason');
    }
    out.settled[id]!++;
  });
  await settlesWithin(Promise.all([...runs, ...aborters]), 2000, 'the clients');
  assert.deepEqual(
    out.settled,
    clients.map(() => 1),
    'every waiter settled exactly once',
  );
  assert.equal(out.grantOrder.length, out.granted.size, 'each granted client entered once');
  for (const signal of out.signals) {
    assert.equal(getEventListeners(signal, 'abort').length, 0, 'no abort listener left');
  }
  return out;
}

/** True when `ids` appear in the same relative order as in `order`. */
function inOrder(ids: number[], order: number[]): boolean {
  const rank = new Map(order.map((id, i) => [id, i]));
  for (let i = 1; i < ids.length; i++)
    if (rank.get(ids[i - 1]!)! > rank.get(ids[i]!)!) return false;
  return true;
}

describe('primitives under random schedules', () => {
  test('Lock: mutual exclusion, each waiter settles once, FIFO grants, no leftover listeners', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(clientArb, { minLength: 1, maxLength: 10 }), async (clients) => {
        const lock = new Lock();
        const out = await runClients(lock, 1, clients);
        assert.ok(
          inOrder(
            out.grantOrder.map((g) => g.id),
            out.requestOrder,
          ),
          `grants ${JSON.stringify(out.grantOrder)} follow requests ${JSON.stringify(out.requestOrder)}`,
        );
        // A client whose signal never aborted was always granted.
        clients.forEach((c, id) => {
          if (c.abortAfter === null) assert.ok(out.granted.has(id), `client ${id} was granted`);
        });
        assert.equal(lock.locked(), false, 'the lock is free at the end');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test('Semaphore: at most `value` inside, each waiter settles once, FIFO grants, permits restored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(clientArb, { minLength: 1, maxLength: 12 }),
        async (permits, clients) => {
          const sem = new Semaphore(permits);
          const out = await runClients(sem, permits, clients);
          // Grants of each kind follow the request order (a hold's callback and an acquire's
          // continuation resume on different microtask paths, so only each kind is compared).
          for (const kind of ['acquire', 'hold'] as const) {
            const ids = out.grantOrder.filter((g) => g.kind === kind).map((g) => g.id);
            assert.ok(inOrder(ids, out.requestOrder), `${kind} grants in request order`);
          }
          clients.forEach((c, id) => {
            if (c.abortAfter === null) assert.ok(out.granted.has(id), `client ${id} was granted`);
          });
          // Exactly `permits` permits are free again.
          for (let i = 0; i < permits; i++) {
            assert.equal(sem.locked(), false);
            await sem.acquire();
          }
          assert.equal(sem.locked(), true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('Queue: no item lost or duplicated, per-producer FIFO, aborted puts never delivered', async () => {
    interface Op {
      delay: number;
      turn: boolean;
      /** Abort the put/get after this many hops (null: no signal). */
      abortAfter: number | null;
      nowait: boolean;
    }
    const opArb = fc.record<Op>({
      delay: fc.nat({ max: 3 }),
      turn: fc.boolean(),
      abortAfter: fc.option(fc.nat({ max: 4 }), { nil: null, freq: 3 }),
      nowait: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.option(fc.nat({ max: 20 }), { nil: null }),
        async (maxsize, producers, consumers, shutdownAfter) => {
          const q = new Queue<[number, number]>(maxsize);
          const accepted = new Set<string>();
          const refused = new Set<string>();
          const received: [number, number][][] = consumers.map(() => []);
          const signals: AbortSignal[] = [];
          const aborters: Promise<void>[] = [];
          let shutDown = false;
          let stopped = false;
          let taken = 0;

          const optionsFor = (op: Op): { signal: AbortSignal } | undefined => {
            if (op.abortAfter === null) return undefined;
            const ac = new AbortController();
            signals.push(ac.signal);
            aborters.push(pause(op.abortAfter, op.turn).then(() => ac.abort(new Error('abort'))));
            return { signal: ac.signal };
          };

          const produce = async (p: number, ops: Op[]): Promise<void> => {
            for (let i = 0; i < ops.length; i++) {
              const op = ops[i]!;
              await pause(op.delay, op.turn);
              const item: [number, number] = [p, i];
              const key = `${p}:${i}`;
              try {
                if (op.nowait) {
                  try {
                    q.putNowait(item);
                  } catch (error) {
                    if (error instanceof QueueShutDownError) throw error;
                    refused.add(key); // full
                    continue;
                  }
                } else {
                  await q.put(item, optionsFor(op));
                }
                accepted.add(key);
              } catch (error) {
                refused.add(key);
                if (error instanceof QueueShutDownError) return;
              }
            }
          };

          const consume = async (c: number, ops: Op[]): Promise<void> => {
            for (let i = 0; !stopped; i++) {
              const op = ops[i % ops.length]!;
              await pause(op.delay, op.turn);
              try {
                const item = op.nowait ? q.getNowait() : await q.get(optionsFor(op));
                received[c]!.push(item);
                taken++;
                q.taskDone();
              } catch (error) {
                if (error instanceof QueueShutDownError) return;
                await sleep(0); // empty or aborted: let the others run before trying again
              }
            }
          };

          const producing = Promise.all(producers.map((ops, p) => produce(p, ops)));
          const consuming = Promise.all(consumers.map((ops, c) => consume(c, ops)));
          const stopper = (async () => {
            if (shutdownAfter !== null) await pause(shutdownAfter, true);
            else await producing;
            shutDown = true;
            q.shutdown();
          })();
          try {
            await settlesWithin(
              Promise.all([producing, consuming, stopper]),
              5000,
              'producers and consumers',
            );
            await settlesWithin(Promise.all(aborters), 10, 'the aborters');
          } finally {
            stopped = true; // a failed run must not leave consumers looping
            q.shutdown({ immediate: true });
          }
          assert.ok(shutDown);

          // Every accepted item was received exactly once; nothing else was.
          const keys = received.flat().map(([p, i]) => `${p}:${i}`);
          assert.equal(new Set(keys).size, keys.length, 'no item delivered twice');
          assert.deepEqual(new Set(keys), accepted, 'every accepted item delivered, nothing else');
          for (const key of refused) assert.ok(!accepted.has(key));
          assert.equal(q.qsize(), 0);
          // Each producer's items come out in the order it put them: every consumer sees the
          // items it got from one producer in increasing order.
          for (const mine of received) {
            for (let p = 0; p < producers.length; p++) {
              const fromP = mine.filter(([from]) => from === p).map(([, i]) => i);
              assert.deepEqual(
                fromP,
                fromP.slice().sort((a, b) => a - b),
                `producer ${p} FIFO`,
              );
            }
          }
          // Every item was marked done, so join() resolves at once.
          assert.equal(taken, accepted.size);
          await settlesWithin(q.join(), 1, 'join()');
          for (const signal of signals) {
            assert.equal(getEventListeners(signal, 'abort').length, 0, 'no abort listener left');
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
