import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CancelledError, Future, gather, runInExecutor, toThread } from 'tsio';
import { ThreadPoolExecutor } from 'tsio/executors';
import { sha256 } from './fixtures/executors/tasks.js';

const block = (ms: number): number => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return ms;
};

describe('toThread and runInExecutor', () => {
  test('toThread runs a function on the shared thread pool', async () => {
    const f = toThread((a: number, b: number) => a * b, 6, 7);
    assert.ok(f instanceof Future);
    assert.equal(await f, 42);
    assert.equal(
      await toThread(sha256, 'abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  test('blocking calls on threads overlap', async () => {
    const start = performance.now();
    assert.deepEqual(await gather([toThread(block, 300), toThread(block, 300)]), [300, 300]);
    // One after the other would take at least 600 ms.
    assert.ok(performance.now() - start < 590, 'ran at the same time');
  });

  test('a toThread future can be cancelled before it starts', async () => {
    const f = toThread(() => 1);
    assert.equal(f.cancel(), true);
    await assert.rejects(f, CancelledError);
  });

  test('an unsendable function throws at the call', () => {
    assert.throws(() => toThread(Math.max, 1, 2), /native or bound/);
  });

  test('runInExecutor uses the given executor, or the shared pool for null', async () => {
    await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
    assert.equal(await runInExecutor(pool, (s: string) => s + '!', 'hi'), 'hi!');
    assert.equal(await runInExecutor(null, (s: string) => s + '?', 'hi'), 'hi?');
    assert.equal(pool.stats().completed, 1);
    assert.throws(() => runInExecutor({} as never, () => 1), /Executor/);
  });

  test('a script that uses pools and toThread exits by itself', () => {
    const script = fileURLToPath(
      new URL('./fixtures/executors/exits-by-itself.js', import.meta.url),
    );
    const start = Date.now();
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.signal, null, 'not killed by the timeout');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [42, 42, 'thread']);
    assert.ok(Date.now() - start < 15_000);
  });
});
