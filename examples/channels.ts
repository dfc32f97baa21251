// tsio/channels: Python's multiprocessing Pipe, Queue, Value and Lock between the main thread and
// pool workers (the seed's "多线程与多进程": processes talk through Pipe, Queue and Pool).
// Run it: `node build/examples/channels.js`.
//
// The rule to remember: a channel reaches a task as a *direct* argument of `submit`. In a thread
// pool the task gets the same shared memory; in a process pool a Pipe end or a SharedQueue becomes a
// proxy whose operations run in the parent. Task functions travel as source, so they use only
// their arguments (no imports, no variables from around them).
import { gather } from 'tsio';
import { ProcessPoolExecutor, ThreadPoolExecutor } from 'tsio/executors';
import { Pipe, SharedQueue, SharedValue } from 'tsio/channels';
import type { Connection } from 'tsio/channels';

await using pool = new ThreadPoolExecutor({ maxWorkers: 4 });

// 1. Pipe: a request/response conversation between the main thread and a thread task.
//    parent, child = multiprocessing.Pipe(); the task answers until the parent closes its end.
console.log('== Pipe between main and a thread task');
{
  const [parent, child] = Pipe<string>();
  const shout = pool.submit((conn: Connection<string>) => {
    let answered = 0;
    for (;;) {
      let word: string;
      try {
        word = conn.recvSync(); // blocks this worker thread until a message comes
      } catch (e) {
        if ((e as Error).name === 'ChannelClosedError') break; // the other end closed: EOF
        throw e;
      }
      conn.send(`${word.toUpperCase()}!`);
      answered++;
    }
    return answered;
  }, child);
  for (const word of ['hello', 'from', 'main']) {
    parent.send(word);
    console.log(`sent ${JSON.stringify(word)}, got ${JSON.stringify(await parent.recv())}`);
  }
  parent.close(); // the task's recvSync now fails with ChannelClosedError and it returns
  console.log(`the task answered ${await shout} messages`);
}

// 2. A pipeline of two stages joined by SharedQueues. Each stage takes items until its input is
//    shut down and empty (`for (const x of q)` blocks in a worker thread), then shuts down its
//    output, so the end of the input flows down the pipeline (Python 3.13's Queue.shutdown).
console.log('\n== SharedQueue pipeline: main -> square -> plus one -> main');
{
  const numbers = new SharedQueue<number>(10); // at most 10 waiting: `put` waits when full
  const squares = new SharedQueue<number>();
  const results = new SharedQueue<number>();
  const stage = (input: SharedQueue<number>, out: SharedQueue<number>, op: 'square' | 'inc') => {
    let n = 0;
    for (const x of input) {
      out.putSync(op === 'square' ? x * x : x + 1);
      n++;
    }
    out.shutdown(); // no more items: the next stage's loop ends once it has taken the rest
    return n;
  };
  const stages = [
    pool.submit(stage, numbers, squares, 'square'),
    pool.submit(stage, squares, results, 'inc'),
  ];
  for (let i = 1; i <= 100; i++) await numbers.put(i);
  numbers.shutdown();
  let sum = 0;
  for await (const r of results) sum += r; // ends when `results` is shut down and empty
  const counts = await gather(stages);
  const expected = (100 * 101 * 201) / 6 + 100; // sum of i*i + 1 for i = 1..100
  console.log(`stages passed on ${counts.join(' and ')} items; sum ${sum} (expected ${expected})`);
  if (sum !== expected) throw new Error('the pipeline lost items');
}

// 3. Progress from a task in a child process: it puts percentages into a SharedQueue (a proxy in
//    the child, so it uses the async `put`) and the main thread prints them as they arrive.
console.log('\n== progress from a ProcessPoolExecutor task through a SharedQueue');
{
  await using processes = new ProcessPoolExecutor({ maxWorkers: 1 });
  const progress = new SharedQueue<number>();
  const crunch = async (queue: SharedQueue<number>, steps: number, stepMs: number) => {
    let x = 1;
    for (let step = 1; step <= steps; step++) {
      const until = performance.now() + stepMs;
      while (performance.now() < until) x = (Math.imul(x, 1103515245) + 12345) | 0;
      await queue.put(Math.round((100 * step) / steps));
    }
    return { pid: process.pid, checksum: x >>> 0 };
  };
  const job = processes.submit(crunch, progress, 10, 20);
  // When the task is over (however it ends), shut the queue down: the loop below then ends.
  const ended = job.finally(() => progress.shutdown());
  for await (const percent of progress) {
    const bar = '#'.repeat(percent / 5).padEnd(20, '-');
    console.log(`[${bar}] ${percent}%`);
  }
  const { pid, checksum } = await ended;
  console.log(`done in process ${pid} (main is ${process.pid}); checksum ${checksum}`);
}

// 4. A shared counter: four threads add 1 to one SharedValue 10,000 times each, and the main thread
//    too, each increment under the value's lock (Python's `with v.get_lock(): v.value += 1`).
console.log('\n== SharedValue counter under its SharedLock');
{
  const counter = new SharedValue('int32', 0);
  const add = (v: SharedValue, times: number) => {
    for (let i = 0; i < times; i++) {
      v.lock.acquireSync(); // blocking acquire: worker threads only
      try {
        v.value += 1;
      } finally {
        v.lock.release();
      }
    }
    return times;
  };
  const workers = Array.from({ length: 4 }, () => pool.submit(add, counter, 10_000));
  // The main thread cannot block: it waits for the lock asynchronously.
  for (let i = 0; i < 100; i++) {
    await counter.lock.hold(() => {
      counter.value += 1;
    });
  }
  await gather(workers);
  console.log(`counter = ${counter.value} (4 x 10,000 + 100 = 40,100)`);
  // Without the lock, `v.value += 1` is a read and a write: two threads can read the same value
  // and one increment is lost. `add` is one atomic operation and needs no lock.
  console.log(`counter.add(1) -> ${counter.add(1)}`);
}
