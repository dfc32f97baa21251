/**
 * The seed's first programs: its FastAPI server (`GET /timeit/{seconds}`), the `get_time` client
 * timing one request, and `get_timeit` gathering two. Here the server is an in-process
 * `tsio serve` and the requests run one after the other, then at once: 3 seconds against 2.
 */
import { gather } from '../../index.js';
import type { Demo } from './demo.js';
import { getJson } from './http.js';

/** `clients`: sequential against gathered requests to the seed's server. */
export const clients: Demo = {
  name: 'clients',
  title: "sequential against gathered requests to the seed's /timeit server (3 s against 2 s)",
  python: 'await asyncio.gather(client.get(".../timeit/1"), client.get(".../timeit/2"))',
  seed: 'lines 175-231 (the FastAPI server, get_time, get_timeit)',
  async run(ctx) {
    const base = await ctx.server('async');
    ctx.note(`server: an in-process 'tsio serve' at ${base}, /timeit/N waits N seed seconds`);
    const { timeline, signal } = ctx;
    const request = (lane: string, seconds: number): Promise<unknown> =>
      timeline.span(lane, `GET /timeit/${seconds}`, () =>
        getJson(`${base}/timeit/${seconds}`, signal),
      );

    // The seed's read_root, which also opens the client's connection before anything is timed.
    const root = await timeline.span('GET /', 'read_root', () => getJson(`${base}/`, signal));
    ctx.log(`GET / -> ${JSON.stringify(root)}`);

    // get_time: one request to /timeit/2.
    let start = timeline.now();
    const one = await request('get_time /timeit/2', 2);
    ctx.time('one', timeline.now() - start, 'get_time: one request to /timeit/2 takes 2 s');
    ctx.log(`GET /timeit/2 -> ${JSON.stringify(one)}`);

    // The same two requests awaited one after the other.
    start = timeline.now();
    const first = await request('sequential /timeit/1', 1);
    const second = await request('sequential /timeit/2', 2);
    const sequential = timeline.now() - start;
    ctx.time('sequential', sequential, 'await one, then the other: 1 + 2 = 3 s');

    // get_timeit: both requests started, then gathered.
    start = timeline.now();
    const both = await gather([request('gather /timeit/1', 1), request('gather /timeit/2', 2)]);
    const gathered = timeline.now() - start;
    ctx.time('gathered', gathered, 'gather: both at once, as long as the longer one: 2 s, not 3');
    ctx.log(`gather results, in input order: ${JSON.stringify(both)}`);
    ctx.note(`speed-up of gather: ${(sequential / gathered).toFixed(2)}x (ideal 1.5x)`);
    ctx.result('answers', { one, sequential: [first, second], gathered: both });
  },
};
