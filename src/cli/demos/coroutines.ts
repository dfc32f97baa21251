/**
 * The seed's "有关await 和 asyncio.run": coroutines `cc()` and `dd()` run with
 * `run_until_complete` and `asyncio.run`, collected with `gather(*task_list)`, waited with
 * `asyncio.wait(task_list)`, and awaitables that sleep 1 s and 2 s gathered (2 s).
 */
import { createTask, gather, run, sleep, wait } from '../../index.js';
import type { Demo, DemoContext } from './demo.js';

/** The whole `tsio demo` run handles Ctrl-C; the seed's inner `asyncio.run` calls leave it alone. */
const INNER = { handleSignals: false } as const;

/** The seed's `cc()`/`dd()`: print the name, then sleep `seconds` (0: no sleep), as a bar on `lane`. */
function coroutine(ctx: DemoContext, lane: string, name: string, seconds: number) {
  return async (): Promise<string> => {
    ctx.log(`${name}`);
    await ctx.timeline.span(lane, seconds === 0 ? name : `${name}: sleep(${seconds})`, () =>
      seconds === 0 ? undefined : sleep(seconds * ctx.second),
    );
    return name;
  };
}

/** `coroutines`: `run_until_complete(cc())`, `asyncio.run(cc())`, `gather(*task_list)`. */
export const coroutines: Demo = {
  name: 'coroutines',
  title:
    'coroutine objects: run_until_complete and asyncio.run of cc() and dd(), gather(*task_list)',
  python: 'asyncio.run(cc()); asyncio.run(dd()); await asyncio.gather(*[cc(), dd()])',
  seed: 'lines 392-457 (有关await 和 asyncio.run)',
  async run(ctx) {
    const { timeline } = ctx;
    // loop.run_until_complete(cc()) and asyncio.run(cc()) are both `run(cc)`: one loop, always on.
    await run(coroutine(ctx, 'run(cc)', 'cc', 0), INNER);
    await run(coroutine(ctx, 'run(dd)', 'dd', 0), INNER);
    // task_list = [cc(), dd()]; asyncio.gather(*task_list): the calls start at once in JavaScript.
    const taskList = [
      coroutine(ctx, 'gather: cc', 'cc', 0)(),
      coroutine(ctx, 'gather: dd', 'dd', 0)(),
    ];
    const results = await gather(taskList);
    // The Python order (nothing runs until gather) is tasks made from functions inside run().
    const later = await run(
      () =>
        gather([
          createTask(coroutine(ctx, 'run(gather): cc', 'cc', 0)),
          createTask(coroutine(ctx, 'run(gather): dd', 'dd', 0)),
        ]),
      INNER,
    );
    ctx.time('total', timeline.elapsed(), 'nothing here waits: each call takes microseconds');
    ctx.note('Python needs loop.run_until_complete or asyncio.run to start a coroutine; Node has');
    ctx.note('one event loop, always running: run(fn) (or a plain await) is all there is.');
    ctx.result('gather', results);
    ctx.result('runGather', later);
  },
};

/** `wait-list`: `asyncio.run(asyncio.wait([cc(), dd()]))` where cc sleeps 1 s. */
export const waitList: Demo = {
  name: 'wait-list',
  title: 'asyncio.wait(task_list) without an extra function: cc sleeps 1 s, dd does not (1 s)',
  python: 'task_list = [cc(), dd()]; asyncio.run(asyncio.wait(task_list))',
  seed: 'lines 459-470',
  async run(ctx) {
    const { timeline } = ctx;
    const start = timeline.now();
    const { done, pending } = await wait([
      coroutine(ctx, 'cc', 'cc', 1)(),
      coroutine(ctx, 'dd', 'dd', 0)(),
    ]);
    ctx.time(
      'total',
      timeline.now() - start,
      'wait returned when the slower one (cc, 1 s) was done',
    );
    ctx.log(`done: ${done.size}, pending: ${pending.size}`);
    ctx.result('done', done.size);
  },
};

/** `awaitables`: `dd` sleeps 2 s on its own, then `gather(cc(), dd())` with 1 s and 2 s takes 2 s. */
export const awaitables: Demo = {
  name: 'awaitables',
  title: 'awaitables: dd() sleeping 2 s, then gather(cc(), dd()) sleeping 1 s and 2 s (2 s, not 3)',
  python: 'async def task(): await asyncio.gather(*[cc(), dd()]); asyncio.run(task())',
  seed: 'lines 471-494',
  async run(ctx) {
    const { timeline } = ctx;
    let start = timeline.now();
    await run(coroutine(ctx, 'run(dd)', 'dd', 2), INNER);
    ctx.time('alone', timeline.now() - start, 'asyncio.run(dd()): one awaitable, 2 s');
    start = timeline.now();
    const results = await run(
      () =>
        gather([coroutine(ctx, 'gather: cc', 'cc', 1)(), coroutine(ctx, 'gather: dd', 'dd', 2)()]),
      INNER,
    );
    ctx.time('gathered', timeline.now() - start, 'gather: both sleeps at once, 2 s, not 1 + 2');
    ctx.result('gather', results);
  },
};
