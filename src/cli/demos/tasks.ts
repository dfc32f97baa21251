/**
 * The seed's "asyncIO 的 task" examples: `create_task` (two tasks run at once), `asyncio.wait`
 * with a timeout (done and pending, nothing cancelled), and `asyncio.run(asyncio.wait(...))` over
 * plain coroutines.
 */
import { createTask, wait } from '../../index.js';
import type { Demo } from './demo.js';
import { realAsync } from './real-async.js';

/** `tasks`: `t1 = create_task(real_async(1)); t2 = ...; await t1; await t2` takes 2 s. */
export const tasks: Demo = {
  name: 'tasks',
  title: 'create_task: real_async(1) and real_async(2) run at once (2 s, not 3)',
  python:
    't1 = asyncio.create_task(real_async(1)); t2 = asyncio.create_task(real_async(2)); await t1; await t2',
  seed: 'lines 237-257 (do_it)',
  async run(ctx) {
    const { timeline } = ctx;
    ctx.log('invoke real async');
    const start = timeline.now();
    const t1 = createTask(() => realAsync(ctx, 't1', 1), { name: 't1' });
    const t2 = createTask(() => realAsync(ctx, 't2', 2), { name: 't2' });
    ctx.log(`created ${String(t1)} and ${String(t2)}: scheduled, not started yet`);
    await timeline.span('do_it', 'await t1', () => t1);
    timeline.mark('do_it', 't1 done');
    await timeline.span('do_it', 'await t2', () => t2);
    timeline.mark('do_it', 't2 done');
    ctx.time('total', timeline.now() - start, 'both tasks slept at once: 2 s in all, not 1 + 2');
    ctx.result('tasks', [String(t1), String(t2)]);
  },
};

/** `wait`: `done, pending = await asyncio.wait(tasks, timeout=...)`; the timeout cancels nothing. */
export const waitDemo: Demo = {
  name: 'wait',
  title: 'asyncio.wait with a timeout: done and pending, and pending is NOT cancelled',
  python: 'done, pending = await asyncio.wait(task_list, timeout=10)',
  seed: 'lines 259-281 (wait with timeout)',
  async run(ctx) {
    const { timeline } = ctx;
    ctx.log('invoke real async');
    const taskList = [
      createTask((signal) => realAsync(ctx, 'real_async(1)', 1, signal), { name: 'real_async(1)' }),
      createTask((signal) => realAsync(ctx, 'real_async(2)', 2, signal), { name: 'real_async(2)' }),
    ];
    const start = timeline.now();
    const first = await timeline.span('do_it', 'wait(timeout=1.5)', () =>
      wait(taskList, { timeout: 1.5 * ctx.second }),
    );
    timeline.mark('do_it', 'timeout');
    ctx.time('timeout', timeline.now() - start, 'wait(timeout=1.5) returned at its timeout');
    const names = (set: ReadonlySet<{ name: string }>): string =>
      [...set].map((t) => t.name).join(', ') || '-';
    ctx.log(`done: ${names(first.done)}; pending: ${names(first.pending)}`);
    const stillRunning = [...first.pending].every((t) => !t.done() && !t.cancelled());
    ctx.log(`the pending task is still running (not cancelled): ${stillRunning}`);

    // The seed's own call: a timeout of 10 s is long enough for everything.
    const second = await timeline.span('do_it', 'wait(timeout=10)', () =>
      wait(first.pending, { timeout: 10 * ctx.second }),
    );
    ctx.time('total', timeline.now() - start, 'with timeout=10 the 2 s task finished: 2 s in all');
    ctx.log(`then: done: ${names(second.done)}; pending: ${names(second.pending)}`);
    ctx.result('afterTimeout', { done: [...first.done].length, pending: first.pending.size });
    ctx.result('pendingStillRunning', stillRunning);
    ctx.result('afterAll', { done: second.done.size, pending: second.pending.size });
    if (!stillRunning) throw new Error('the timeout of wait() cancelled a pending task');
  },
};

/** `run-wait`: `asyncio.run(asyncio.wait([real_async(1), real_async(2)]))` without a main function. */
export const runWait: Demo = {
  name: 'run-wait',
  title: 'asyncio.run(asyncio.wait(...)) over plain coroutines, no extra function (2 s)',
  python: 'done, pending = asyncio.run(asyncio.wait([real_async(1), real_async(2)]))',
  seed: 'lines 283-301',
  async run(ctx) {
    const { timeline } = ctx;
    const start = timeline.now();
    // Calling an async function starts it: the list is already running when wait() gets it.
    const { done, pending } = await timeline.span('main', 'await wait([...])', () =>
      wait([realAsync(ctx, 'real_async(1)', 1), realAsync(ctx, 'real_async(2)', 2)]),
    );
    ctx.time('total', timeline.now() - start, 'both coroutines ran at once: 2 s');
    ctx.log(`done: ${done.size} promises, pending: ${pending.size}`);
    ctx.note('JavaScript has no asyncio.run to wrap: the event loop always runs, and top-level');
    ctx.note('await (or tsio.run(main)) takes its place. Calling realAsync() already starts it.');
    ctx.result('done', done.size);
    ctx.result('pending', pending.size);
  },
};
