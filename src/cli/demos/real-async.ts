/**
 * The seed's `real_async(n)`: prints, sleeps `n` seconds with `asyncio.sleep`, prints how long the
 * sleep took. Used by the `tasks`, `wait` and `run-wait` demos.
 */
import { sleep } from '../../index.js';
import { formatMs } from '../timeline.js';
import type { DemoContext } from './demo.js';

/** Runs `real_async(n)` as a bar on `lane`; resolves with `n`. */
export async function realAsync(
  ctx: DemoContext,
  lane: string,
  n: number,
  signal?: AbortSignal,
): Promise<number> {
  ctx.log(`${lane}: this is real async func`);
  const end = ctx.timeline.begin(lane, `real_async(${n})`);
  const start = ctx.timeline.now();
  try {
    await sleep(n * ctx.second, undefined, signal === undefined ? {} : { signal });
  } finally {
    end();
  }
  ctx.log(`${lane}: end sleep ${formatMs(ctx.timeline.now() - start)}`);
  return n;
}
