/* eslint-disable @typescript-eslint/no-unused-vars -- values here exist for their types */
// Type tests: this file must compile (the test build runs tsc on it); the runtime checks are
// incidental. A wrong type makes `npm test` fail at the build step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Future, type Task, createTask, gather, wait, asCompleted, waitFor, timeout } from 'tsio';

type Equals<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

test('gather returns a correctly typed tuple for a tuple input', async () => {
  const f = new Future<boolean>();
  f.setResult(true);
  const g = gather([createTask(async () => 1), Promise.resolve('s'), f] as const);
  const r = await g;
  expectType<Equals<typeof r, [number, string, boolean]>>(true);
  const [n, s, b] = await gather([createTask(async () => 1), Promise.resolve('s'), f]);
  expectType<Equals<typeof n, number>>(true);
  expectType<Equals<typeof s, string>>(true);
  expectType<Equals<typeof b, boolean>>(true);
  assert.deepEqual([n, s, b], [1, 's', true]);
});

test('gather over an array type gives an array of the awaited type', async () => {
  const tasks: Task<number>[] = [createTask(() => 1), createTask(() => 2)];
  const r = await gather(tasks);
  expectType<Equals<typeof r, number[]>>(true);
  const settled = await gather(tasks, { returnExceptions: true });
  expectType<Equals<typeof settled, (number | Error)[]>>(true);
  assert.deepEqual(r, [1, 2]);
});

test('createTask infers its result type', async () => {
  const t = createTask(async () => ({ status: 200, url: 'u' }));
  expectType<Equals<typeof t, Task<{ status: number; url: string }>>>(true);
  const v = await t;
  expectType<Equals<typeof v, { status: number; url: string }>>(true);
  const sync = createTask(() => 'x');
  expectType<Equals<typeof sync, Task<string>>>(true);
  expectType<Equals<ReturnType<typeof sync.result>, string>>(true);
  await sync;
});

test('wait and asCompleted keep the element type', async () => {
  const tasks = [createTask(() => 1), createTask(() => 2)];
  const { done } = await wait(tasks);
  expectType<Equals<typeof done, Set<Task<number>>>>(true);
  for (const p of asCompleted(tasks)) {
    const v = await p;
    expectType<Equals<typeof v, number>>(true);
  }
  // At run time `for await` yields the original tasks, but TypeScript types the loop variable of
  // every async iteration as an awaited value (it assumes async iterators never yield thenables),
  // so the element reads as `number` here; docs/rosetta.md says to cast (`t as Task<number>`).
  for await (const t of asCompleted(tasks)) {
    expectType<Equals<typeof t, number>>(true);
    assert.ok(tasks.includes(t as unknown as Task<number>));
  }
});

test('waitFor and timeout return the type of what they wait for', async () => {
  const a = await waitFor(Promise.resolve(1), 100);
  expectType<Equals<typeof a, number>>(true);
  const b = await waitFor(async () => 'x', 100);
  expectType<Equals<typeof b, string>>(true);
  const c = await timeout(100, async () => true);
  expectType<Equals<typeof c, boolean>>(true);
  // @ts-expect-error the body of createTask must be a function
  assert.throws(() => createTask(42));
});
