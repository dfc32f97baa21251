/**
 * The seed's "asyncio 的 future": a future hangs until someone calls `set_result`; a task is a
 * future whose result is set when its body returns.
 */
import { Future, TimeoutError, createTask, shield, sleep, waitFor } from '../../index.js';
import type { Demo } from './demo.js';

/** `future`: a future resolved by `set_result` from another task. */
export const future: Demo = {
  name: 'future',
  title: 'a future hangs until another task calls set_result (a task sets its own)',
  python: 'fut = loop.create_future(); loop.call_later(1, fut.set_result, "ready"); await fut',
  seed: 'lines 303-305 (asyncio 的 future)',
  async run(ctx) {
    const { timeline } = ctx;

    // Nobody sets this one: it would hang forever, so give up after half a second.
    const unset = new Future<string>();
    let start = timeline.now();
    try {
      await timeline.span('await unset future', 'waitFor(shield(fut), 0.5)', () =>
        waitFor(shield(unset), 0.5 * ctx.second),
      );
      throw new Error('a future nobody set has settled');
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
    }
    ctx.time(
      'unset',
      timeline.now() - start,
      'a future nobody sets never settles: gave up at 0.5 s',
    );
    const stillPending = !unset.done();
    ctx.log(`unset future: done() = ${unset.done()} (shield kept waitFor from cancelling it)`);
    unset.cancel();

    // Another task sets the result after 1 s; the awaiting task wakes up then.
    const fut = new Future<string>();
    start = timeline.now();
    const setter = createTask(
      async (signal) => {
        await timeline.span('setter task', 'sleep(1)', () =>
          sleep(ctx.second, undefined, { signal }),
        );
        fut.setResult('ready');
        timeline.mark('setter task', 'set_result("ready")');
        ctx.log('setter task: fut.set_result("ready")');
      },
      { name: 'setter' },
    );
    ctx.log(`before: fut.done() = ${fut.done()}`);
    const value = await timeline.span('main', 'await fut', () => fut);
    ctx.log(
      `main: await fut -> ${JSON.stringify(value)}; done() = ${fut.done()}, result() = ${JSON.stringify(fut.result())}`,
    );
    ctx.time(
      'set',
      timeline.now() - start,
      'await fut returned when the other task set it, at 1 s',
    );
    await setter;
    ctx.log(
      `the setter is a task, and a task is a future whose result its body sets: ${String(setter)}`,
    );
    ctx.result('value', value);
    ctx.result('unsetStillPending', stillPending);
  },
};
