/**
 * The seed page's first program (`asyncio-basics.txt`, "简单Demo"): a FastAPI server with
 * `GET /` and `GET /timeit/{seconds}`, and its two httpx clients, `get_time` (one request, timed)
 * and `get_timeit` (`/timeit/1` and `/timeit/2` gathered: about 2 seconds, not 3), in tsio.
 *
 * Scaled down so it finishes fast: one seed "second" lasts 100 ms here, so each client takes about
 * 200 ms of real time, printed in seed seconds (about 2 for both). The server is
 * node:http with tsio's `sleep` (the non-blocking wait; `tsio serve` also has the blocking and
 * thread-pool ones); the clients use `fetch` and tsio's `gather`.
 *
 * Build and run: `npx tsc -p tsconfig.json && npx tsc -p tsconfig.dev.json &&
 * node build/examples/seed-server.js`
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gather, sleep } from 'tsio';

/** Milliseconds one seed second lasts. */
const SECOND = 100;

/** The seed's FastAPI app: `read_root` and `timeit`, answering FastAPI's JSON. */
function seedServer(): Server {
  return createServer((req, res) => {
    const answer = (status: number, value: unknown): void => {
      const body = JSON.stringify(value);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0]!;
    const timeit = /^\/timeit\/(\d+)$/.exec(path);
    if (req.method !== 'GET') answer(405, { detail: 'Method Not Allowed' });
    else if (path === '/') answer(200, { Hello: 'World' });
    else if (timeit !== null) {
      const seconds = Number(timeit[1]);
      // time.sleep(seconds) in the seed; a non-blocking sleep here, so requests overlap.
      void sleep(seconds * SECOND).then(() => answer(200, `sleep seconds: ${seconds}`));
    } else answer(404, { detail: 'Not Found' });
  });
}

/** Seconds in the seed's unit since `start`. */
function seedSeconds(start: number): string {
  return ((performance.now() - start) / SECOND).toFixed(2);
}

/** The seed's `get_time`: one request to `/timeit/2`, timed. */
async function getTime(base: string): Promise<void> {
  const start = performance.now();
  const res = await fetch(`${base}/timeit/2`);
  console.log(`  ${res.status} ${JSON.stringify(await res.json())}`);
  console.log(`whole time is:  ${seedSeconds(start)} (seed seconds; expected about 2)`);
}

/**
 * The seed's `get_timeit`: `/timeit/1` and `/timeit/2` at once, gathered. (httpx's `client.get`
 * returns a coroutine that starts when gathered; `fetch` starts at once. Either way the two
 * waits overlap.)
 */
async function getTimeit(base: string): Promise<void> {
  const start = performance.now();
  const response = fetch(`${base}/timeit/1`).then((r) => r.json() as Promise<string>);
  const response2 = fetch(`${base}/timeit/2`).then((r) => r.json() as Promise<string>);
  const [a, b] = await gather([response, response2]);
  console.log(`  ${JSON.stringify(a)} ${JSON.stringify(b)}`);
  console.log(`total time is:  ${seedSeconds(start)} (seed seconds; about 2, not 1 + 2 = 3)`);
}

const server = seedServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  console.log(`seed server on ${base} (one seed second = ${SECOND} ms)`);
  const hello = await fetch(`${base}/`);
  console.log(`GET / -> ${hello.status} ${await hello.text()}`);
  console.log('\n== get_time: one request to /timeit/2');
  await getTime(base);
  console.log('\n== get_timeit: /timeit/1 and /timeit/2 with gather');
  await getTimeit(base);
} finally {
  // fetch keeps its connections alive: close them with the server so the program can exit.
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
