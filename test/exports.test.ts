import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tsio from 'tsio';
import * as testing from 'tsio/testing';
import * as executors from 'tsio/executors';
import * as channels from 'tsio/channels';

// Every name of API.md sections 1-4.
const names = [
  'Future',
  'Task',
  'createTask',
  'run',
  'sleep',
  'gather',
  'wait',
  'FIRST_COMPLETED',
  'FIRST_EXCEPTION',
  'ALL_COMPLETED',
  'asCompleted',
  'waitFor',
  'timeout',
  'timeoutAt',
  'shield',
  'TaskGroup',
  'Lock',
  'Event',
  'Condition',
  'Semaphore',
  'BoundedSemaphore',
  'Barrier',
  'Queue',
  'PriorityQueue',
  'LifoQueue',
  'CancelledError',
  'TimeoutError',
  'InvalidStateError',
  'BrokenBarrierError',
  'QueueEmptyError',
  'QueueFullError',
  'QueueShutDownError',
  'TaskGroupError',
  'isFuture',
  'isCancelledError',
  'TsioError',
  'toThread',
  'runInExecutor',
  'WorkerCrashedError',
  'ChannelClosedError',
  'BrokenChannelError',
];

const channelNames = [
  'Pipe',
  'Connection',
  'SharedQueue',
  'SharedLock',
  'SharedValue',
  'SharedArray',
  'ChannelClosedError',
  'BrokenChannelError',
];

const executorNames = [
  'ThreadPoolExecutor',
  'ProcessPoolExecutor',
  'ExecutorFuture',
  'defineTask',
  'importTask',
  'isTaskRef',
  'taskSignal',
  'WorkerCrashedError',
  'BrokenExecutorError',
  'BrokenThreadPoolError',
  'BrokenProcessPoolError',
];

describe('package entry points', () => {
  test('the core entry exports every name of the API', () => {
    for (const name of names) assert.ok(name in tsio, `tsio exports ${name}`);
  });

  test('tsio/executors exports every name of API.md section 5', () => {
    for (const name of executorNames)
      assert.ok(name in executors, `tsio/executors exports ${name}`);
    assert.equal(executors.WorkerCrashedError, tsio.WorkerCrashedError);
  });

  test('tsio/channels exports the channels and their errors (the same classes as tsio)', () => {
    for (const name of channelNames) assert.ok(name in channels, `tsio/channels exports ${name}`);
    assert.equal(channels.ChannelClosedError, tsio.ChannelClosedError);
    assert.equal(channels.BrokenChannelError, tsio.BrokenChannelError);
  });

  test('tsio/testing exports the virtual clock', () => {
    assert.equal(typeof testing.useVirtualClock, 'function');
    assert.equal(typeof testing.VirtualClock, 'function');
  });

  test('internal modules cannot be imported', async () => {
    // Specifiers in variables: TypeScript would refuse them as literals, which is the point.
    for (const specifier of [
      'tsio/dist/internal/clock.js',
      'tsio/internal/clock',
      'tsio/dist/index.js',
    ]) {
      await assert.rejects(import(specifier), /ERR_PACKAGE_PATH_NOT_EXPORTED|not exported/i);
    }
  });

  test('the core entry loads neither worker_threads, child_process nor node:http', () => {
    const script = `
      import { createRequire } from 'node:module';
      const before = new Set(process.moduleLoadList);
      await import('tsio');
      const loaded = process.moduleLoadList.filter((m) => !before.has(m));
      const bad = loaded.filter((m) => /worker_threads|child_process|NativeModule http$|NativeModule _http/.test(m));
      console.log(JSON.stringify(bad));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});
