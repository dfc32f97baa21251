/**
 * The event-loop examples of the seed page (`asyncio-basics.txt`, "AsyncIO基础") in tsio, in the
 * seed's order. Each part prints what happened and how long it took.
 *
 * No network: the seed's HTTP server (`GET /timeit/{seconds}` answers after that many seconds) is
 * replaced by `sleep`, and the seed's 1 s and 2 s become 100 ms and 200 ms. See
 * `docs/rosetta.md` for each Python example beside its tsio version.
 *
 * Build and run: `npx tsc -p tsconfig.json && npx tsc -p tsconfig.dev.json &&
 * node build/examples/seed-event-loop.js`
 */
import { Future, asCompleted, createTask, gather, run, sleep, wait } from 'tsio';

/** The seed's one second. */
const SECOND = 100;

const programStart = performance.now();

function since(start: number): string {
  return `${Math.round(performance.now() - start)} ms`;
}

/** Runs one part of the tour as its own `run()` (the seed calls `asyncio.run` once per example). */
async function part(title: string, main: (signal: AbortSignal) => Promise<void>): Promise<void> {
  console.log(`\n== ${title}`);
  const start = performance.now();
  await run(main);
  console.log(`-- took ${since(start)}`);
}

/** The seed's FastAPI server: `GET /timeit/{seconds}` sleeps that long, then answers. */
function timeit(seconds: number, signal: AbortSignal): Promise<string> {
  return sleep(seconds * SECOND, `sleep seconds: ${seconds}`, { signal });
}

/** The seed's `real_async(n)`: sleeps n (scaled) seconds and says how long that took. */
async function realAsync(n: number): Promise<number> {
  console.log('this is real async func');
  const start = performance.now();
  await sleep(n * SECOND);
  console.log(`end sleep ${since(start)}`);
  return n;
}

/** The seed's `fetch_status(url)`; the request is a sleep of `latency` ms. */
async function fetchStatus(
  url: string,
  latency: number,
  signal: AbortSignal,
): Promise<{ status: number; url: string }> {
  console.log(`fetching status for ${url}`);
  await sleep(latency, undefined, { signal });
  console.log(`done ${url}`);
  return { status: 200, url };
}

const APPLE = 'https://www.apple.com';
const GOOGLE = 'https://www.google.com';

await part('get_time: one request to /timeit/2', async (signal) => {
  const start = performance.now();
  console.log(await timeit(2, signal));
  console.log(`whole time is: ${since(start)}`);
});

await part('get_timeit: gather two requests (1 s and 2 s) -> about 2 s, not 3', async (signal) => {
  const start = performance.now();
  const responses = await gather([timeit(1, signal), timeit(2, signal)]);
  console.log(responses);
  console.log(`total time is: ${since(start)}`);
});

await part('create_task: real_async(1) and real_async(2), then await t1; await t2', async () => {
  console.log('invoke real async');
  const t1 = createTask(() => realAsync(1));
  const t2 = createTask(() => realAsync(2));
  await t1;
  await t2;
});

await part('wait(task_list, timeout=10) -> done, pending', async () => {
  console.log('invoke real async');
  const taskList = [createTask(() => realAsync(1)), createTask(() => realAsync(2))];
  const { done, pending } = await wait(taskList, { timeout: 10 * SECOND });
  console.log(`done: ${[...done].map(String).join(', ')}; pending: ${pending.size}`);
});

await part('asyncio.run(asyncio.wait(task_list)) with plain calls', async () => {
  // Async functions start when called, so the list already runs; wait() only waits.
  const { done, pending } = await wait([realAsync(1), realAsync(2)]);
  console.log(`done: ${done.size}, pending: ${pending.size}`);
});

await part('Future: await hangs until setResult()', async () => {
  const fut = new Future<string>();
  const setter = createTask(async () => {
    await sleep(SECOND);
    fut.setResult('result set by another task');
  });
  console.log(`before: done() = ${fut.done()}`);
  console.log(`awaited: ${await fut}`);
  console.log(`after: done() = ${fut.done()}, result() = ${fut.result()}`);
  await setter;
});

await part('as_completed over coroutines (the event-loop half of async_get_content)', async () => {
  // The seed runs blocking requests in a thread pool; pools arrive with tsio/executors.
  const getContent = async (url: string, ms: number): Promise<string> => {
    await sleep(ms);
    return `content of ${url}`;
  };
  const tasks = [
    getContent('https://apple.com', 2 * SECOND),
    getContent('https://google.com', SECOND),
  ];
  for (const future of asCompleted(tasks)) {
    console.log(await future);
  }
});

async function cc(): Promise<void> {
  console.log('cc');
}

async function dd(): Promise<void> {
  console.log('dd');
}

await part('run_until_complete(cc()) -> asyncio.run(cc()); asyncio.run(dd())', async () => {
  await run(cc);
  await run(dd);
});

await part('gather(*task_list) -> gather(taskList)', async () => {
  // Calling cc() and dd() already runs them up to their first await; gather collects the results.
  const taskList = [cc(), dd()];
  await gather(taskList);
});

await part('wait(task_list) without an extra function', async () => {
  const ccSleep = async (): Promise<void> => {
    console.log('cc');
    await sleep(SECOND);
  };
  await wait([ccSleep(), dd()]);
});

await part('gather of awaitables: cc sleeps 1 s, dd sleeps 2 s -> about 2 s', async () => {
  const ccSleep = async (): Promise<void> => {
    console.log('cc');
    await sleep(SECOND);
  };
  const ddSleep = async (): Promise<void> => {
    console.log('dd');
    await sleep(2 * SECOND);
  };
  await gather([ccSleep(), ddSleep()]);
});

await part('to_thread: two fetch_status tasks, awaited one after the other', async () => {
  const appleTask = createTask((signal) => fetchStatus('https://apple.com', 2 * SECOND, signal));
  const googleTask = createTask((signal) => fetchStatus('https://google.com', SECOND, signal));
  const appleStatus = await appleTask;
  const googleStatus = await googleTask;
  console.log(appleStatus, googleStatus);
});

await part('best practice 1: await each task', async () => {
  const appleTask = createTask((signal) => fetchStatus(APPLE, 2 * SECOND, signal));
  const googleTask = createTask((signal) => fetchStatus(GOOGLE, SECOND, signal));
  const appleResult = await appleTask;
  const googleResult = await googleTask;
  console.log(appleResult, googleResult);
});

await part('best practice 2: gather -> all results at once, in input order', async () => {
  const tasks = [
    createTask((signal) => fetchStatus(APPLE, 2 * SECOND, signal)),
    createTask((signal) => fetchStatus(GOOGLE, SECOND, signal)),
  ];
  const results = await gather(tasks);
  for (const result of results) console.log(result);
});

await part('best practice 3: asCompleted -> each result as soon as it arrives', async () => {
  const tasks = [
    createTask((signal) => fetchStatus(APPLE, 2 * SECOND, signal)),
    createTask((signal) => fetchStatus(GOOGLE, SECOND, signal)),
  ];
  for (const future of asCompleted(tasks)) {
    const result = await future;
    console.log(result);
  }
});

console.log(`\nall examples took ${since(programStart)}`);
