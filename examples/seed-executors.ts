// The seed's concurrent.futures programs (../shared/seed/asyncio-basics.txt, "使用 concurrent 模块",
// "run_in_executor", "to_thread", "多线程", "多进程"), in tsio, timed. One second of the seed is
// UNIT milliseconds here so the whole file runs in a few seconds: `node build/examples/seed-executors.js`.
import { asCompleted, createTask, gather, runInExecutor, toThread } from 'tsio';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';

const UNIT = 100;

/** `time.sleep(n)` of the seed: blocks the thread it runs on. Self-contained, so it can be sent. */
function a(n: number, unit: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n * unit);
  return n;
}

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / UNIT).toFixed(1)} units`;
function section(title: string): void {
  console.log(`\n== ${title} (at ${elapsed()})`);
}

// 1. pool1 = ThreadPoolExecutor(max_workers=5); for i in range(10): fut = pool1.submit(func, i)
section('submit 10 blocking tasks to ThreadPoolExecutor(maxWorkers: 5)');
{
  await using pool1 = new ThreadPoolExecutor({ maxWorkers: 5 });
  const t0 = performance.now();
  const futs = Array.from({ length: 10 }, () => pool1.submit(a, 1, UNIT));
  console.log('right after submit:', futs.map((f) => (f.done() ? 'done' : 'pending')).join(' '));
  await gather(futs);
  const took = (performance.now() - t0) / UNIT;
  console.log(`10 tasks of 1 unit on 5 threads took ${took.toFixed(1)} units (the seed: 2 s)`);
}

// 2. loop.run_in_executor(pool, get_content, url), several of them collected with as_completed.
section('runInExecutor + asCompleted');
{
  await using pool = new ThreadPoolExecutor();
  const getContent = (url: string, unit: number): string => {
    Atomics.wait(
      new Int32Array(new SharedArrayBuffer(4)),
      0,
      0,
      url.length % 3 === 0 ? unit : 2 * unit,
    );
    return `<html>${url}</html>`;
  };
  const asyncGetContent = (url: string) =>
    createTask(() => runInExecutor(pool, getContent, url, UNIT));
  const tasks = [asyncGetContent('https://apple.com'), asyncGetContent('https://google.com')];
  for (const next of asCompleted(tasks)) console.log(`${elapsed()}: ${await next}`);
}

// 3. await asyncio.to_thread(requests.get, url) inside fetch_status, two tasks at once.
section('toThread');
{
  const fetchStatus = async (url: string) => {
    console.log(`fetching status for ${url}`);
    const status = await toThread((unit: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, unit);
      return 200;
    }, UNIT);
    console.log('done');
    return { status, url };
  };
  const t0 = performance.now();
  const appleTask = createTask(() => fetchStatus('https://apple.com'));
  const googleTask = createTask(() => fetchStatus('https://google.com'));
  console.log(await appleTask, await googleTask);
  console.log(`both in ${((performance.now() - t0) / UNIT).toFixed(1)} units (one each, at once)`);
}

// 4. 多线程: done() before and after, result(), map in order, as_completed as they finish.
section('ThreadPoolExecutor: done()/result(), map, asCompleted');
{
  await using executor = new ThreadPoolExecutor({ maxWorkers: 10 });
  const z = executor.submit(a, 1, UNIT);
  console.log('z.done():', z.done());
  await new Promise((resolve) => setTimeout(resolve, 2 * UNIT));
  console.log('z.done() after 2 units:', z.done(), '- z.result():', z.result());
  const inOrder: number[] = [];
  for await (const data of executor.map(
    (n: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n * 100);
      return n;
    },
    [3, 2, 4],
  )) {
    inOrder.push(data);
  }
  console.log('map returns in input order:', inOrder.join(', '));
  const jobs = [3, 2, 4].map((s) => executor.submit(a, s, UNIT));
  const asDone: number[] = [];
  // Python's `for future in as_completed(jobs)`: plain iteration yields awaitables.
  for (const future of asCompleted(jobs)) asDone.push(await future);
  console.log('asCompleted returns as they finish:', asDone.join(', '));
}

// 5. 多进程: ProcessPoolExecutor starts all its processes at once; map gives plain values.
section('ProcessPoolExecutor: map');
{
  await using executor = new ProcessPoolExecutor({ maxWorkers: 3 });
  const t0 = performance.now();
  const results: number[] = [];
  for await (const result of executor.map(
    (n: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n * 10);
      return n;
    },
    [60, 30, 40],
  )) {
    results.push(result);
  }
  console.log(
    `map over [60, 30, 40] (tenths of a unit): ${results.join(', ')} in ${((performance.now() - t0) / UNIT).toFixed(1)} units, ${executor.stats().workers} processes`,
  );
}

console.log(`\nall done in ${elapsed()}`);
