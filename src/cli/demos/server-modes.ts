/**
 * The seed's warning before its first server: "不能在异步请求中,直接使用time.sleep" (never call
 * `time.sleep` in an async handler). Three concurrent requests to `/timeit/1` of in-process servers
 * in the three `tsio serve` modes: a timer (async), a blocking sleep on the event loop (blocking)
 * and a blocking sleep moved to a thread pool (thread, what FastAPI does with a sync handler).
 */
import { gather } from '../../index.js';
import type { ServeMode } from '../serve.js';
import type { Demo } from './demo.js';
import { getText } from './http.js';

const MODES: readonly { mode: ServeMode; meaning: string }[] = [
  { mode: 'async', meaning: 'async handler with a timer: the three wait at once, 1 s' },
  { mode: 'blocking', meaning: 'time.sleep in an async handler: one after the other, 3 s' },
  { mode: 'thread', meaning: 'the sleep on a thread pool (a sync FastAPI handler): 1 s' },
];

const REQUESTS = 3;

/** `server-modes`: a blocking sleep in an async handler stalls every request. */
export const serverModes: Demo = {
  name: 'server-modes',
  title: 'why the server must not time.sleep in an async handler: async vs blocking vs thread',
  python:
    '@app.get("/timeit/{seconds}") async def timeit(seconds): time.sleep(seconds)  # blocks the loop',
  seed: 'line 175 (不能在异步请求中,直接使用time.sleep)',
  async run(ctx) {
    const { timeline, signal } = ctx;
    for (const { mode, meaning } of MODES) {
      const base = await ctx.server(mode);
      // A warm-up round (not timed): connections open and a thread pool's threads started.
      await gather(Array.from({ length: REQUESTS }, () => getText(`${base}/timeit/0`, signal)));
      const start = timeline.now();
      await gather(
        Array.from({ length: REQUESTS }, (_, i) =>
          timeline.span(`${mode} #${i + 1}`, 'GET /timeit/1', () =>
            getText(`${base}/timeit/1`, signal),
          ),
        ),
      );
      const took = timeline.now() - start;
      ctx.time(mode, took, `${REQUESTS} concurrent requests, --mode ${mode}: ${meaning}`);
    }
    ctx.note('In blocking mode the server shares this process, so the sleep froze the demo too:');
    ctx.note('nothing else on the event loop ran while a request was being served.');
    ctx.result('requests', REQUESTS);
  },
};
