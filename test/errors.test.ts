import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after } from 'node:test';
import * as tsio from 'tsio';
import {
  BrokenBarrierError,
  BrokenChannelError,
  CancelledError,
  ChannelClosedError,
  InvalidStateError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TaskGroupError,
  TimeoutError,
  TsioError,
  isCancelledError,
} from 'tsio';

const classes = [
  [CancelledError, 'ERR_TSIO_CANCELLED'],
  [TimeoutError, 'ERR_TSIO_TIMEOUT'],
  [InvalidStateError, 'ERR_TSIO_INVALID_STATE'],
  [BrokenBarrierError, 'ERR_TSIO_BROKEN_BARRIER'],
  [QueueEmptyError, 'ERR_TSIO_QUEUE_EMPTY'],
  [QueueFullError, 'ERR_TSIO_QUEUE_FULL'],
  [QueueShutDownError, 'ERR_TSIO_QUEUE_SHUT_DOWN'],
  [ChannelClosedError, 'ERR_TSIO_CHANNEL_CLOSED'],
  [BrokenChannelError, 'ERR_TSIO_BROKEN_CHANNEL'],
] as const;

describe('errors', () => {
  for (const [Cls, code] of classes) {
    test(`${Cls.name} has code ${code}, its name, and is a TsioError and an Error`, () => {
      const e = new Cls('msg');
      assert.equal(e.code, code);
      assert.equal(Cls.code, code);
      assert.equal(e.name, Cls.name);
      assert.equal(e.message, 'msg');
      assert.ok(e instanceof Cls);
      assert.ok(e instanceof TsioError);
      assert.ok(e instanceof Error);
      assert.match(String(e.stack), new RegExp(Cls.name));
    });
  }

  test('TaskGroupError is an AggregateError with its errors and code', () => {
    const inner = [new Error('a'), new Error('b')];
    const e = new TaskGroupError(inner);
    assert.ok(e instanceof AggregateError);
    assert.ok(e instanceof TaskGroupError);
    assert.deepEqual(e.errors, inner);
    assert.equal(e.code, 'ERR_TSIO_TASK_GROUP');
    assert.match(e.message, /2 errors in the TaskGroup: Error: a; Error: b/);
  });

  test('instanceof does not confuse the classes', () => {
    assert.equal(new CancelledError() instanceof TimeoutError, false);
    assert.equal(new TimeoutError() instanceof CancelledError, false);
    assert.equal(new Error('x') instanceof TsioError, false);
  });

  // A second installed copy of tsio: the built files copied elsewhere, so every module (errors,
  // futures) is a separate instance, as with two versions in node_modules.
  let copyDir: string | undefined;
  async function secondCopy(): Promise<typeof tsio> {
    if (copyDir === undefined) {
      copyDir = mkdtempSync(join(tmpdir(), 'tsio-copy-'));
      cpSync(dirname(fileURLToPath(import.meta.resolve('tsio'))), copyDir, { recursive: true });
    }
    return (await import(pathToFileURL(join(copyDir, 'index.js')).href)) as typeof tsio;
  }
  after(() => {
    if (copyDir !== undefined) rmSync(copyDir, { recursive: true, force: true });
  });

  test('instanceof survives a second copy of the package', async () => {
    const copy = await secondCopy();
    assert.notEqual(copy.CancelledError, CancelledError);
    const foreign = new copy.CancelledError('from the other copy');
    assert.ok(foreign instanceof CancelledError);
    assert.ok(foreign instanceof TsioError);
    assert.ok(isCancelledError(foreign));
    assert.ok(new CancelledError() instanceof copy.CancelledError);
    assert.equal(foreign instanceof TimeoutError, false);
    const f = new copy.Future<number>();
    assert.ok(f instanceof tsio.Future);
    assert.ok(tsio.isFuture(f));
    const g = new copy.TaskGroupError([]);
    assert.ok(g instanceof TaskGroupError);
  });

  test('a task of one copy is awaited by gather of the other', async () => {
    const copy = await secondCopy();
    const t = copy.createTask(() => 5);
    assert.ok(t instanceof tsio.Task);
    assert.equal(new tsio.Future() instanceof tsio.Task, false);
    assert.deepEqual(await tsio.gather([t]), [5]);
  });

  test('default messages say what happened', () => {
    assert.match(new CancelledError().message, /cancelled/);
    assert.match(new TimeoutError().message, /timed out/);
    assert.match(new QueueEmptyError().message, /empty/);
    assert.match(new QueueFullError().message, /full/);
    assert.match(new QueueShutDownError().message, /shut down/);
    assert.match(new BrokenBarrierError().message, /broken/);
  });

  test('errors keep a cause', () => {
    const cause = new Error('root');
    assert.equal(new TimeoutError('t', { cause }).cause, cause);
  });
});
