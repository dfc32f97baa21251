// A short tour of tsio's core: the seed's event-loop examples (tasks, wait with a timeout,
// futures, gather, asCompleted, TaskGroup, a bounded fan-out) run on real time and timed.
// Run it with `npm run build && npm run build:dev && node build/examples/tour.js` (the tests run it too).
import {
  Future,
  Queue,
  Semaphore,
  TaskGroup,
  TimeoutError,
  asCompleted,
  createTask,
  gather,
  sleep,
  wait,
  waitFor,
} from 'tsio';

const t0 = performance.now();
const stamp = (): string => `${((performance.now() - t0) / 1000).toFixed(2)}s`.padStart(6);
const log = (msg: string): void => console.log(`[${stamp()}] ${msg}`);

async function section(title: string, python: string, body: () => Promise<void>): Promise<void> {
  console.log(`\n== ${title}\n   python: ${python}`);
  const start = performance.now();
  await body();
  console.log(`   took ${((performance.now() - start) / 1000).toFixed(3)} s`);
}

/** The seed's `real_async(n)`, in milliseconds. */
async function realAsync(ms: number, signal?: AbortSignal): Promise<number> {
  log(`real_async(${ms}) starts`);
  const s = performance.now();
  await sleep(ms, undefined, { signal });
  log(`real_async(${ms}) ends after ${(performance.now() - s).toFixed(0)} ms`);
  return ms;
}

await section(
  'create_task: two tasks run concurrently (300 + 600 ms take 600 ms)',
  't1 = asyncio.create_task(real_async(1)); t2 = ...; await t1; await t2',
  async () => {
    const t1 = createTask(() => realAsync(300));
    const t2 = createTask(() => realAsync(600));
    await t1;
    await t2;
  },
);

await section(
  'wait with a timeout: done and pending, nothing cancelled',
  'done, pending = await asyncio.wait(task_list, timeout=...)',
  async () => {
    const tasks = [createTask((s) => realAsync(200, s)), createTask((s) => realAsync(800, s))];
    const { done, pending } = await wait(tasks, { timeout: 400 });
    log(
      `done: ${done.size}, pending: ${pending.size} (still running: ${[...pending].every((t) => !t.done())})`,
    );
    for (const t of pending) t.cancel();
    await gather(tasks, { returnExceptions: true });
    log(`cancelled the pending one: ${tasks[1]!.cancelled()}`);
  },
);

await section(
  'a Future waits until someone sets its result',
  'fut = loop.create_future(); ...; fut.set_result(v)',
  async () => {
    const fut = new Future<string>();
    setTimeout(() => fut.setResult('set after 200 ms'), 200);
    log(`done before: ${fut.done()}`);
    log(`awaited: ${await fut}`);
  },
);

await section(
  'gather of a task list keeps input order',
  'results = await asyncio.gather(*task_list)',
  async () => {
    const tasks = [400, 100, 250].map((ms) => createTask(() => realAsync(ms)));
    log(`results: ${JSON.stringify(await gather(tasks))}`);
  },
);

await section(
  'as_completed gives results as they arrive',
  'for f in asyncio.as_completed(tasks): print(await f)',
  async () => {
    const tasks = [400, 100, 250].map((ms) => createTask(() => sleep(ms, ms)));
    for (const next of asCompleted(tasks)) log(`got ${await next}`);
  },
);

await section(
  'wait_for cancels on timeout and waits for the task to finish',
  'await asyncio.wait_for(task, timeout=0.2)',
  async () => {
    const task = createTask((signal) => realAsync(1000, signal));
    try {
      await waitFor(task, 200);
    } catch (e) {
      log(`${(e as Error).name}; task cancelled: ${task.cancelled()}`);
      if (!(e instanceof TimeoutError)) throw e;
    }
  },
);

await section(
  'TaskGroup: a failing child cancels its siblings',
  'async with asyncio.TaskGroup() as tg: tg.create_task(...)',
  async () => {
    try {
      await TaskGroup.run(async (tg) => {
        tg.createTask((signal) => realAsync(1000, signal));
        tg.createTask(async () => {
          await sleep(100);
          throw new Error('child failed');
        });
      });
    } catch (e) {
      log(`${(e as Error).name}: ${(e as Error).message}`);
    }
  },
);

await section(
  'Semaphore(16) bounds 100,000 tasks; a Queue feeds two consumers',
  'async with sem: ...; await queue.put(x); await queue.get()',
  async () => {
    const sem = new Semaphore(16);
    let running = 0;
    let peak = 0;
    const work = async (i: number): Promise<number> => {
      peak = Math.max(peak, ++running);
      await Promise.resolve();
      running--;
      return i;
    };
    const results = await gather(
      Array.from({ length: 100_000 }, (_, i) => sem.hold(() => work(i))),
    );
    log(`${results.length} results, at most ${peak} running at once`);
    const q = new Queue<number>(4);
    const consumed: number[] = [];
    const consumer = async (): Promise<void> => {
      for await (const item of q) consumed.push(item);
    };
    const consumers = [createTask(consumer), createTask(consumer)];
    for (let i = 0; i < 10; i++) await q.put(i);
    q.shutdown();
    await gather(consumers);
    log(`consumed ${consumed.length} items through a queue of size 4`);
  },
);

console.log(`\nTour finished in ${stamp().trim()}.`);
