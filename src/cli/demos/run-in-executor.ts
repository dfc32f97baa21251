/**
 * The seed's "将asyncio 和 concurrent 多线程结合使用": a blocking `get_content(url)` run on a
 * thread pool with `loop.run_in_executor`, one pool per call (`async_get_content`), the results
 * taken with `as_completed`. The seed's apple.com and google.com are the local server's
 * `/timeit/2` and `/timeit/1` (only loopback is reachable), so google answers first.
 */
import { asCompleted, createTask, runInExecutor } from '../../index.js';
import { ThreadPoolExecutor } from '../../executors/index.js';
import type { Demo, Timed } from './demo.js';
import { drawPoolTask } from './pool-task.js';

/**
 * The seed's `get_content(url)` (`requests.get(url).content`), run on a pool thread: it holds
 * its thread until the answer is in. Self-contained, because it travels to the thread as source.
 */
async function getContent(url: string): Promise<Timed<string>> {
  const start = performance.timeOrigin + performance.now();
  const response = await fetch(url);
  const value = await response.text();
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  return { value, start, end: performance.timeOrigin + performance.now(), worker };
}

/** `run-in-executor`: `await loop.run_in_executor(pool, get_content, url)` for two URLs, as completed. */
export const runInExecutorDemo: Demo = {
  name: 'run-in-executor',
  title: 'run_in_executor: a blocking get_content on a thread pool, results by as_completed',
  python:
    'result = await loop.run_in_executor(pool, get_content, url); for f in asyncio.as_completed(tasks): print(await f)',
  seed: 'lines 333-390 (async_get_content)',
  async run(ctx) {
    const { timeline } = ctx;
    const base = await ctx.server('async');
    const sites = { 'apple.com': `${base}/timeit/2`, 'google.com': `${base}/timeit/1` };
    ctx.note(`apple.com -> ${sites['apple.com']}, google.com -> ${sites['google.com']}`);

    // async_get_content: `with ThreadPoolExecutor() as pool: return await loop.run_in_executor(...)`.
    const asyncGetContent = async (site: string, url: string): Promise<string> => {
      await using pool = new ThreadPoolExecutor({ name: site });
      const submitted = timeline.now();
      const timed = await runInExecutor(pool, getContent, url);
      drawPoolTask(ctx, site, submitted, timed);
      return `${site}: ${timed.value}`;
    };

    const start = timeline.now();
    const tasks = Object.entries(sites).map(([site, url]) =>
      createTask(() => asyncGetContent(site, url), { name: site }),
    );
    const order: string[] = [];
    for (const next of asCompleted(tasks)) {
      const result = await next;
      timeline.mark('main', result.split(':')[0] ?? result);
      ctx.log(`as_completed -> ${result}`);
      order.push(result.split(':')[0] ?? '');
    }
    ctx.time(
      'total',
      timeline.now() - start,
      'both requests ran at once on pool threads: about 2 s (+ thread start-up)',
    );
    ctx.note('the threads free the event loop; in Node, fetch never blocks, so a pool is only');
    ctx.note('needed for code that does block (sync libraries, CPU work)');
    ctx.result('order', order);
  },
};
