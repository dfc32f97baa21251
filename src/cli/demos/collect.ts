/**
 * The seed's "python 3.9 之后版本的asyncio 使用最佳实践": `fetch_status` with an async HTTP client
 * (aiohttp there, `fetch` here) in two tasks, and the three ways to collect their results: await
 * each, `gather` (all at once, input order), `as_completed` (each as soon as it is ready).
 */
import { asCompleted, createTask, gather } from '../../index.js';
import type { Task } from '../../index.js';
import type { Demo, DemoContext } from './demo.js';
import { getStatus } from './http.js';

interface Status {
  status: number;
  url: string;
}

/** `collect`: the same two requests collected three ways. */
export const collect: Demo = {
  name: 'collect',
  title: 'three ways to collect results: await each task, gather, as_completed',
  python:
    'r1 = await t1; r2 = await t2  |  await asyncio.gather(*tasks)  |  for f in asyncio.as_completed(tasks): await f',
  seed: 'lines 525-571 (best practice)',
  async run(ctx) {
    const { timeline } = ctx;
    const base = await ctx.server('async');
    // apple answers in 2 s, google in 1 s.
    const urls: Record<string, string> = {
      'https://www.apple.com': `${base}/timeit/2`,
      'https://www.google.com': `${base}/timeit/1`,
    };
    ctx.note(`apple -> /timeit/2, google -> /timeit/1 on ${base}`);

    const makeTasks = (way: string): Task<Status>[] =>
      Object.entries(urls).map(([url, local]) =>
        createTask(
          (signal) =>
            timeline.span(`${way} ${url.slice(12, -4)}`, 'fetch_status', async () => ({
              status: await getStatus(local, signal),
              url,
            })),
          { name: url },
        ),
      );
    const got = (ctx: DemoContext, way: string, r: Status): void => {
      timeline.mark(`${way} main`, r.url.slice(12, -4));
      ctx.log(`${way}: ${JSON.stringify(r)}`);
    };

    // 1: await each task directly.
    let start = timeline.now();
    const [appleTask, googleTask] = makeTasks('1 await');
    if (appleTask === undefined || googleTask === undefined) throw new Error('two tasks expected');
    const first = [await appleTask, await googleTask];
    for (const r of first) got(ctx, '1 await', r);
    ctx.time(
      'awaitEach',
      timeline.now() - start,
      '1 await each: 2 s; results when the awaited one is done',
    );

    // 2: gather: every result at once, in input order.
    start = timeline.now();
    const second = await gather(makeTasks('2 gather'));
    for (const r of second) got(ctx, '2 gather', r);
    ctx.time(
      'gather',
      timeline.now() - start,
      '2 gather: 2 s; all results together, in input order',
    );

    // 3: as_completed: each result as soon as it is there (google first).
    start = timeline.now();
    const third: Status[] = [];
    const firstAt: number[] = [];
    for (const next of asCompleted(makeTasks('3 as_completed'))) {
      const r = await next;
      firstAt.push(timeline.now() - start);
      third.push(r);
      got(ctx, '3 as_completed', r);
    }
    ctx.time(
      'asCompleted',
      timeline.now() - start,
      '3 as_completed: 2 s in all, but google was ready at 1 s',
    );
    ctx.time(
      'asCompletedFirst',
      firstAt[0] ?? NaN,
      'as_completed handed over the first result at 1 s',
    );
    ctx.result(
      'awaitEach',
      first.map((r) => r.url),
    );
    ctx.result(
      'gather',
      second.map((r) => r.url),
    );
    ctx.result(
      'asCompleted',
      third.map((r) => r.url),
    );
  },
};
