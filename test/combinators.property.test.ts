// Property tests: gather, wait and asCompleted driven by random children (tasks, futures and
// promises that succeed, fail or are cancelled after random virtual delays), checked against a
// simple model of asyncio's rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import {
  ALL_COMPLETED,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  TimeoutError,
  asCompleted,
  createTask,
  gather,
  sleep,
  wait,
  type ReturnWhen,
} from 'tsio';
import { useVirtualClock } from 'tsio/testing';

type Kind = 'task' | 'future' | 'promise';
type End = 'value' | 'error' | 'cancel';
interface Spec {
  kind: Kind;
  end: End;
  delay: number;
}

/** Distinct delays, so the completion order is fully determined by the model. */
const specsArb = fc
  .array(
    fc.record({
      kind: fc.constantFrom<Kind>('task', 'future', 'promise'),
      end: fc.constantFrom<End>('value', 'error', 'cancel'),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .chain((items) =>
    fc
      .shuffledSubarray(
        Array.from({ length: 20 }, (_, i) => i + 1),
        { minLength: items.length, maxLength: items.length },
      )
      .map((delays) => items.map((it, i): Spec => ({ ...it, delay: delays[i]! }))),
  );

class Boom extends Error {}

/** Makes the child a spec describes; a promise cannot be cancelled, so it rejects with one. */
function make(spec: Spec, i: number): PromiseLike<number> {
  const { kind, end, delay } = spec;
  if (kind === 'task') {
    return createTask(async (signal) => {
      await sleep(delay, undefined, { signal });
      if (end === 'error') throw new Boom(`child ${i}`);
      if (end === 'cancel') throw new CancelledError(`child ${i}`);
      return i;
    });
  }
  if (kind === 'future') {
    const f = new Future<number>();
    void sleep(delay).then(() => {
      if (f.done()) return; // cancelled by a gather under test
      if (end === 'value') f.setResult(i);
      else if (end === 'error') f.setException(new Boom(`child ${i}`));
      else f.cancel(`child ${i}`);
    });
    return f;
  }
  return sleep(delay).then(() => {
    if (end === 'error') throw new Boom(`child ${i}`);
    if (end === 'cancel') throw new CancelledError(`child ${i}`);
    return i;
  });
}

function byCompletion(specs: Spec[]): number[] {
  return specs.map((_, i) => i).sort((a, b) => specs[a]!.delay - specs[b]!.delay);
}

const runs = { numRuns: 150 };

describe('gather, wait and asCompleted against a model', () => {
  test('gather: results keep input order; the first failure in time rejects; every child settles', async () => {
    await fc.assert(
      fc.asyncProperty(specsArb, fc.boolean(), async (specs, returnExceptions) => {
        using clock = useVirtualClock();
        const children = specs.map(make);
        const g = gather(children, { returnExceptions });
        let outcome: { ok: true; value: unknown[] } | { ok: false; error: unknown } | undefined;
        g.then(
          (value) => (outcome = { ok: true, value }),
          (error: unknown) => (outcome = { ok: false, error }),
        );
        await clock.runAll();
        assert.ok(outcome, 'the gather settled');
        for (const c of children) if (c instanceof Future) assert.ok(c.done());
        const firstBad = byCompletion(specs).find((i) => specs[i]!.end !== 'value');
        if (returnExceptions) {
          assert.ok(outcome.ok);
          specs.forEach((s, i) => {
            const v = outcome!.ok ? outcome!.value[i] : undefined;
            if (s.end === 'value') assert.equal(v, i);
            else if (s.end === 'error') assert.ok(v instanceof Boom);
            else assert.ok(v instanceof CancelledError);
          });
        } else if (firstBad === undefined) {
          assert.deepEqual(outcome, { ok: true, value: specs.map((_, i) => i) });
        } else {
          assert.equal(outcome.ok, false);
          const err = (outcome as { error: Error }).error;
          assert.equal(err.message, `child ${firstBad}`);
          assert.equal(g.cancelled(), specs[firstBad]!.end === 'cancel');
        }
      }),
      runs,
    );
  });

  test('gather: cancelling it cancels every unfinished task and future, and it always settles', async () => {
    await fc.assert(
      fc.asyncProperty(specsArb, fc.integer({ min: 0, max: 21 }), async (specs, at) => {
        using clock = useVirtualClock();
        const children = specs.map(make);
        const g = gather(children, { returnExceptions: true });
        let settled = 0;
        g.then(
          () => settled++,
          () => settled++,
        );
        await clock.advance(at + 0.5);
        const wasDone = g.done();
        const unfinished = children.filter((c) => c instanceof Future && !c.done());
        const cancelled = g.cancel();
        assert.equal(cancelled, !wasDone && unfinished.length > 0);
        await clock.runAll();
        assert.equal(settled, 1);
        for (const c of unfinished) assert.ok((c as Future<number>).cancelled());
        if (cancelled) assert.ok(g.cancelled());
      }),
      runs,
    );
  });

  test('wait: done and pending split the inputs as the model says and nothing is cancelled', async () => {
    const returnWhenArb = fc.constantFrom<ReturnWhen>(
      ALL_COMPLETED,
      FIRST_COMPLETED,
      FIRST_EXCEPTION,
    );
    await fc.assert(
      fc.asyncProperty(
        specsArb,
        returnWhenArb,
        fc.option(fc.integer({ min: 0, max: 21 }), { nil: undefined }),
        async (specs, returnWhen, timeoutAt) => {
          using clock = useVirtualClock();
          const children = specs.map(make);
          const timeout = timeoutAt === undefined ? undefined : timeoutAt + 0.5;
          const p = wait(children, { returnWhen, timeout });
          await clock.runAll();
          const { done, pending } = await p;
          // Model: walk the completions in time order until the condition or the timeout.
          const expectedDone = new Set<number>();
          for (const i of byCompletion(specs)) {
            if (timeout !== undefined && specs[i]!.delay > timeout) break;
            expectedDone.add(i);
            if (returnWhen === FIRST_COMPLETED) break;
            if (returnWhen === FIRST_EXCEPTION && specs[i]!.end === 'error') break;
          }
          assert.deepEqual(
            [...done].map((c) => children.indexOf(c)).sort((a, b) => a - b),
            [...expectedDone].sort((a, b) => a - b),
          );
          assert.equal(done.size + pending.size, children.length);
          for (const c of pending) assert.ok(!done.has(c));
          // wait never cancels: only children whose own spec says so end cancelled.
          children.forEach((c, i) => {
            if (c instanceof Future) assert.equal(c.cancelled(), specs[i]!.end === 'cancel');
          });
          assert.equal(clock.pendingTimers(), 0);
        },
      ),
      runs,
    );
  });

  test('asCompleted: yields in completion order, once each, and times out without cancelling', async () => {
    await fc.assert(
      fc.asyncProperty(
        specsArb,
        fc.option(fc.integer({ min: 0, max: 21 }), { nil: undefined }),
        fc.boolean(),
        async (specs, timeoutAt, asyncForm) => {
          using clock = useVirtualClock();
          const children = specs.map(make);
          const doubled = [...children, ...children];
          const timeout = timeoutAt === undefined ? undefined : timeoutAt + 0.5;
          const seen: number[] = [];
          let timedOut = false;
          const consumer = (async () => {
            try {
              if (asyncForm) {
                for await (const c of asCompleted(doubled, { timeout })) {
                  seen.push(children.indexOf(c));
                }
              } else {
                let k = 0;
                for (const next of asCompleted(doubled, { timeout })) {
                  try {
                    seen.push(await next);
                  } catch (e) {
                    if (e instanceof TimeoutError) throw e;
                    // Failed children: record by order of completion.
                    seen.push(byCompletion(specs)[k]!);
                  }
                  k++;
                }
              }
            } catch (e) {
              if (!(e instanceof TimeoutError)) throw e;
              timedOut = true;
            }
          })();
          await clock.runAll();
          await consumer;
          const order = byCompletion(specs).filter(
            (i) => timeout === undefined || specs[i]!.delay < timeout,
          );
          assert.deepEqual(seen, order);
          assert.equal(timedOut, order.length < specs.length);
          children.forEach((c, i) => {
            if (c instanceof Future) assert.equal(c.cancelled(), specs[i]!.end === 'cancel');
          });
        },
      ),
      runs,
    );
  });

  test('signals passed to wait and asCompleted keep no listener once they settle or abort', async () => {
    await fc.assert(
      fc.asyncProperty(specsArb, fc.integer({ min: 0, max: 21 }), async (specs, abortAt) => {
        using clock = useVirtualClock();
        const ac = new AbortController();
        const children = specs.map(make);
        const w = wait(children, { signal: ac.signal }).catch((e: unknown) => e);
        const it = asCompleted(children, { signal: ac.signal })[Symbol.asyncIterator]();
        const drained = (async () => {
          try {
            for (;;) if ((await it.next()).done) return 'done';
          } catch (e) {
            return e;
          }
        })();
        await clock.advance(abortAt + 0.5);
        ac.abort(new CancelledError('stop'));
        await clock.runAll();
        await Promise.all([w, drained]);
        assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
      }),
      runs,
    );
  });
});
