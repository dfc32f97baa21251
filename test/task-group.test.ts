import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelledError,
  InvalidStateError,
  TaskGroup,
  TaskGroupError,
  createTask,
  sleep,
  type Task,
} from 'tsio';
import { useVirtualClock } from 'tsio/testing';

describe('TaskGroup', () => {
  test('run waits for every child and resolves with the body value', async () => {
    using clock = useVirtualClock();
    let a: Task<string> | undefined;
    let b: Task<string> | undefined;
    const p = TaskGroup.run(async (tg) => {
      a = tg.createTask(() => sleep(10, 'a'));
      b = tg.createTask(() => sleep(20, 'b'), { name: 'bee' });
      return 'body';
    });
    await clock.advance(20);
    assert.equal(await p, 'body');
    assert.equal(a!.result(), 'a');
    assert.equal(b!.result(), 'b');
    assert.equal(b!.name, 'bee');
  });

  test('a child failure cancels the siblings and the body signal and collects only real errors', async () => {
    using clock = useVirtualClock();
    const err = new Error('child failed');
    let sibling: Task<unknown> | undefined;
    let bodySignal: AbortSignal | undefined;
    const p = TaskGroup.run(async (tg) => {
      bodySignal = tg.signal;
      sibling = tg.createTask((signal) => sleep(1000, 'sibling', { signal }));
      tg.createTask(async () => {
        await sleep(10);
        throw err;
      });
      await sleep(1000, undefined, { signal: tg.signal });
    });
    const rejected = assert.rejects(p, (e) => {
      assert.ok(e instanceof TaskGroupError);
      assert.ok(e instanceof AggregateError);
      assert.deepEqual(
        e.errors,
        [err],
        'the cancellations of the sibling and the body are excluded',
      );
      assert.equal(e.code, 'ERR_TSIO_TASK_GROUP');
      return true;
    });
    await clock.advance(10);
    await rejected;
    assert.equal(sibling!.cancelled(), true);
    assert.equal(bodySignal!.aborted, true);
    assert.ok(bodySignal!.reason instanceof CancelledError);
  });

  test('errors are collected in the order they happened', async () => {
    using clock = useVirtualClock();
    const p = TaskGroup.run(async (tg) => {
      tg.createTask(async () => {
        await sleep(20);
        throw new Error('second');
      });
      tg.createTask(async () => {
        await sleep(10);
        throw new Error('first');
      });
      // A child that ignores cancellation and fails later still counts.
      tg.createTask(async () => {
        await sleep(30);
        throw new Error('third');
      });
    });
    const rejected = assert.rejects(p, (e: TaskGroupError) => {
      assert.deepEqual(
        e.errors.map((x) => (x as Error).message),
        ['first', 'second', 'third'],
      );
      return true;
    });
    await clock.advance(30);
    await rejected;
  });

  test('a body error cancels the children and is reported in the TaskGroupError', async () => {
    using clock = useVirtualClock();
    let child: Task<unknown> | undefined;
    const bodyError = new Error('body failed');
    const p = TaskGroup.run(async (tg) => {
      child = tg.createTask((signal) => sleep(1000, 'x', { signal }));
      await sleep(5);
      throw bodyError;
    });
    const rejected = assert.rejects(p, (e: TaskGroupError) => {
      assert.deepEqual(e.errors, [bodyError]);
      return true;
    });
    await clock.advance(5);
    await rejected;
    assert.equal(child!.cancelled(), true);
    assert.ok(child!.signal.reason instanceof CancelledError, 'children get a CancelledError');
  });

  test('cancelled from outside, the group cancels its children and rejects with CancelledError', async () => {
    using clock = useVirtualClock();
    const ac = new AbortController();
    let child: Task<unknown> | undefined;
    const p = TaskGroup.run(
      async (tg) => {
        child = tg.createTask((signal) => sleep(1000, 'x', { signal }));
        await sleep(1000, undefined, { signal: tg.signal });
      },
      { signal: ac.signal },
    );
    await clock.advance(10);
    const reason = new CancelledError('outer cancel');
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    assert.equal(child!.cancelled(), true);
  });

  test('a child cancelled on its own does not fail the group', async () => {
    const p = TaskGroup.run(async (tg) => {
      const t = tg.createTask((signal) => sleep(1000, 'x', { signal }));
      const ok = tg.createTask(() => 'ok');
      await sleep(0);
      t.cancel();
      return [ok];
    });
    const [ok] = await p;
    assert.equal(ok!.result(), 'ok');
  });

  test('children may start more children while the group is exiting', async () => {
    using clock = useVirtualClock();
    const seen: string[] = [];
    const p = TaskGroup.run(async (tg) => {
      tg.createTask(async () => {
        await sleep(10);
        tg.createTask(async () => {
          await sleep(10);
          seen.push('grandchild');
        });
      });
    });
    await clock.advance(20);
    await p;
    assert.deepEqual(seen, ['grandchild']);
  });

  test('createTask on a finished group throws InvalidStateError', async () => {
    let group: TaskGroup | undefined;
    await TaskGroup.run(async (tg) => {
      group = tg;
    });
    assert.throws(
      () => group!.createTask(() => 1),
      (e) => e instanceof InvalidStateError && /finished/.test(e.message),
    );
  });

  test('createTask on a group that is shutting down throws InvalidStateError', async () => {
    await assert.rejects(
      TaskGroup.run(async (tg) => {
        tg.createTask(async () => {
          throw new Error('x');
        });
        await sleep(0);
        assert.throws(() => tg.createTask(() => 1), /shutting down/);
      }),
      TaskGroupError,
    );
  });

  test('await using waits for the children when the block ends', async () => {
    using clock = useVirtualClock();
    const order: string[] = [];
    const block = (async () => {
      await using tg = new TaskGroup();
      tg.createTask(async () => {
        await sleep(10);
        order.push('child');
      });
      order.push('block end');
    })();
    await clock.advance(10);
    await block;
    order.push('after');
    assert.deepEqual(order, ['block end', 'child', 'after']);
  });

  test('await using rejects with TaskGroupError when a child failed', async () => {
    await assert.rejects(
      (async () => {
        await using tg = new TaskGroup();
        tg.createTask(async () => {
          throw new Error('child');
        });
      })(),
      TaskGroupError,
    );
  });

  test('an already aborted signal cancels the group at once', async () => {
    const reason = new CancelledError('too late');
    await assert.rejects(
      TaskGroup.run(
        async (tg) => {
          assert.equal(tg.signal.aborted, true);
        },
        { signal: AbortSignal.abort(reason) },
      ),
      (e) => e === reason,
    );
  });

  test('bad arguments throw TypeError naming the argument', () => {
    assert.throws(() => new TaskGroup(1 as never), /"options"/);
    assert.throws(() => new TaskGroup({ signal: 1 as never }), /"options.signal"/);
    assert.throws(() => TaskGroup.run(1 as never), /"body"/);
  });

  test('a task created outside the group is not waited for', async () => {
    const outside = createTask(() => sleep(1, 'outside'));
    await TaskGroup.run(async () => {});
    assert.equal(await outside, 'outside');
  });
});
