/**
 * The seed's `fetch_status` programs (asyncio-basics.txt: "python 3.9+ 的 to_thread" and "python
 * 3.9 之后版本的asyncio 使用最佳实践") in tsio, against a local server instead of apple.com and
 * google.com (no internet needed): `/apple` answers after 300 ms, `/google` after 100 ms.
 *
 * 1. `asyncio.to_thread(requests.get, url)`: a blocking-style GET moved to tsio's thread pool.
 * 2. The aiohttp version with `fetch`, and the seed's three ways to collect the results: await each
 *    task, `gather` (input order, all at the end), `asCompleted` (as they finish).
 *
 * Build and run: `npx tsc -p tsconfig.json && npx tsc -p tsconfig.dev.json &&
 * node build/examples/seed-fetch-status.js`. `tsio status` is this program grown into a tool.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { asCompleted, createTask, gather, toThread } from 'tsio';

// The two sites of the seed, served locally with different delays.
const DELAYS: Record<string, number> = { '/apple': 300, '/google': 100 };
const server = createServer((req, res) => {
  const delay = DELAYS[req.url ?? ''];
  if (delay === undefined) {
    res.writeHead(404).end();
    return;
  }
  setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), delay);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const APPLE = `${base}/apple`;
const GOOGLE = `${base}/google`;

const started = performance.now();
const at = (): string => `${String(Math.round(performance.now() - started)).padStart(4)} ms`;

interface Status {
  status: number;
  url: string;
}

/**
 * `requests.get(url)`: runs on a pool thread, so it must be self-contained (it is sent there as
 * source). It returns the status code, as `response.status_code`.
 */
async function requestsGet(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

// 1. The to_thread version: `await asyncio.to_thread(requests.get, url)`.
async function fetchStatusInThread(url: string): Promise<Status> {
  console.log(`${at()}  fetching status for ${url}`);
  const status = await toThread(requestsGet, url);
  console.log(`${at()}  done`);
  return { status, url };
}

console.log('== to_thread(requests.get): two tasks, awaited in turn');
{
  const appleTask = createTask(() => fetchStatusInThread(APPLE));
  const googleTask = createTask(() => fetchStatusInThread(GOOGLE));
  const appleStatus = await appleTask;
  const googleStatus = await googleTask;
  console.log(appleStatus, googleStatus);
}

// 2. The aiohttp version: `async with session.get(url) as response: status = response.status`.
async function fetchStatus(url: string, signal: AbortSignal): Promise<Status> {
  const response = await fetch(url, { signal });
  await response.body?.cancel(); // only the status is wanted
  return { status: response.status, url };
}

const makeTasks = () => [
  createTask((signal) => fetchStatus(APPLE, signal)),
  createTask((signal) => fetchStatus(GOOGLE, signal)),
];

console.log('\n== way 1: await each task (fine for a few)');
{
  const [appleTask, googleTask] = makeTasks();
  const appleResult = await appleTask!;
  const googleResult = await googleTask!;
  console.log(`${at()} `, appleResult, googleResult);
}

console.log('\n== way 2: gather: every result at once, in input order');
{
  const results = await gather(makeTasks());
  for (const result of results) console.log(`${at()} `, result); // apple first: results[0]
}

console.log('\n== way 3: asCompleted: each result as soon as it arrives');
{
  for (const next of asCompleted(makeTasks())) {
    const result = await next;
    console.log(`${at()} `, result); // google (100 ms) before apple (300 ms)
  }
}

server.closeAllConnections();
await new Promise<void>((resolve) => server.close(() => resolve()));
