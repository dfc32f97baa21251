/**
 * The seed's "python 3.9+ 的 to_thread": `fetch_status(url)` runs the blocking `requests.get`
 * with `asyncio.to_thread`, in two tasks created at once and awaited one after the other.
 */
import { createTask, toThread } from '../../index.js';
import type { Demo, Timed } from './demo.js';

/** The seed's `requests.get(url)`, on a thread of `toThread`'s pool: only the status is kept. */
async function requestsGet(url: string): Promise<Timed<number>> {
  const start = performance.timeOrigin + performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  const threads = process.getBuiltinModule('node:worker_threads');
  const worker = threads.isMainThread ? `process ${process.pid}` : `thread ${threads.threadId}`;
  const end = performance.timeOrigin + performance.now();
  return { value: response.status, start, end, worker };
}

/** `to-thread`: two `fetch_status` tasks, each moving its blocking request to a thread. */
export const toThreadDemo: Demo = {
  name: 'to-thread',
  title: 'to_thread: fetch_status moves the blocking requests.get to a thread, two tasks at once',
  python:
    'response = await asyncio.to_thread(requests.get, url); return {"status": response.status_code, "url": url}',
  seed: 'lines 496-523 (fetch_status)',
  async run(ctx) {
    const { timeline } = ctx;
    const base = await ctx.server('async');
    const urls = { apple: `${base}/timeit/2`, google: `${base}/timeit/1` };
    ctx.note(`https://apple.com -> ${urls.apple}, https://google.com -> ${urls.google}`);

    const fetchStatus = async (
      name: string,
      url: string,
    ): Promise<{ status: number; url: string }> => {
      ctx.log(`fetching status for ${name}`);
      const end = timeline.begin(`${name}_task`, 'await to_thread(...)');
      const timed = await toThread(requestsGet, url);
      end();
      timeline.add(`${name}: requests.get`, timed.worker, timed.start, timed.end, 'busy');
      ctx.log(`done ${name}`);
      return { status: timed.value, url: `https://${name}.com` };
    };

    const start = timeline.now();
    const appleTask = createTask(() => fetchStatus('apple', urls.apple), { name: 'apple_task' });
    const googleTask = createTask(() => fetchStatus('google', urls.google), {
      name: 'google_task',
    });
    const appleStatus = await appleTask;
    timeline.mark('main', 'apple_status');
    const googleStatus = await googleTask;
    timeline.mark('main', 'google_status');
    ctx.log(`${JSON.stringify(appleStatus)} ${JSON.stringify(googleStatus)}`);
    ctx.time(
      'total',
      timeline.now() - start,
      'the two threads waited at once: about 2 s, not 1 + 2',
    );
    ctx.result('statuses', [appleStatus, googleStatus]);
  },
};
