/**
 * How a task run on a pool is drawn: a queued bar from its submit to its start in the worker, then
 * a busy bar for its run, labelled with the worker that ran it.
 */
import type { DemoContext, Timed } from './demo.js';

/** Adds the queued and running bars of a pool task to the timeline. */
export function drawPoolTask(
  ctx: DemoContext,
  lane: string,
  submitted: number,
  timed: Timed<unknown>,
): void {
  if (timed.start > submitted) ctx.timeline.add(lane, 'queued', submitted, timed.start, 'queued');
  ctx.timeline.add(lane, timed.worker, timed.start, timed.end, 'busy');
}
