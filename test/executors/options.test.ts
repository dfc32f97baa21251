import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';

describe('pool options are validated at construction', () => {
  for (const Pool of [ThreadPoolExecutor, ProcessPoolExecutor]) {
    test(`${Pool.name} rejects bad options with clear errors`, () => {
      const bad: [unknown, RegExp][] = [
        [5, /"options" argument must be an object/],
        [{ maxWorkers: 0 }, /maxWorkers.*integer >= 1/],
        [{ maxWorkers: 1.5 }, /maxWorkers/],
        [{ maxWorkers: '2' }, /maxWorkers.*must be an integer/],
        [{ initializer: 'setup' }, /initializer.*function/],
        [{ initializer: Math.max }, /native or bound/],
        [{ initargs: [1] }, /initargs.*only with options.initializer/],
        [{ initializer: () => 1, initargs: 'x' }, /initargs.*array/],
        [{ maxTasksPerWorker: 0 }, /maxTasksPerWorker/],
        [{ idleTimeout: -1 }, /idleTimeout/],
        [{ gracePeriod: Infinity }, /gracePeriod.*finite/],
        [{ name: 7 }, /name.*string/],
        [{ max_workers: 2 }, /key "max_workers"/],
      ];
      for (const [options, message] of bad) {
        assert.throws(() => new Pool(options as never), message, JSON.stringify(options));
      }
    });
  }

  test('resourceLimits is for threads only and checked', () => {
    assert.throws(
      () => new ThreadPoolExecutor({ resourceLimits: { maxOldGenerationSizeMb: -1 } }),
      /maxOldGenerationSizeMb.*positive number/,
    );
    assert.throws(
      () => new ThreadPoolExecutor({ resourceLimits: { heap: 1 } as never }),
      /key "heap"/,
    );
    assert.throws(
      () => new ProcessPoolExecutor({ resourceLimits: {} } as never),
      /key "resourceLimits"/,
    );
  });

  test('a pool that is never used starts nothing and needs no shutdown', () => {
    const pool = new ThreadPoolExecutor({
      maxWorkers: 2,
      maxTasksPerWorker: Infinity,
      idleTimeout: 10,
    });
    assert.equal(pool.stats().workers, 0);
  });

  test('shutdown validates its options', async () => {
    const pool = new ThreadPoolExecutor();
    await assert.rejects(pool.shutdown({ wait: 'yes' } as never), /wait.*boolean/);
    await assert.rejects(pool.shutdown({ cancel: true } as never), /key "cancel"/);
    await pool.shutdown();
  });
});
