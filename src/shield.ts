import { Future, STATE } from './future.js';
import { observe } from './internal/observe.js';
import { isThenable, typeError } from './internal/validate.js';

/**
 * Protects `aw` from cancellation: Python's `asyncio.shield`. Returns a new future that follows
 * `aw`; cancelling that future (or a task awaiting it) does not cancel `aw`, which runs on.
 *
 * @example
 * ```ts
 * const save = createTask(() => saveToDisk(data));
 * try {
 *   await waitFor(shield(save), 1000); // times out without cancelling the save
 * } catch (e) {
 *   if (e instanceof TimeoutError) await save; // still finishes
 * }
 * ```
 */
export function shield<T>(aw: PromiseLike<T>): Future<T> {
  if (!isThenable(aw)) throw typeError('aw', 'a future, task or promise', aw);
  const outer = new Future<T>();
  const detach = observe(aw, (outcome, value) => {
    if (outer._state === STATE.PENDING) outer._settle(outcome, value);
  });
  // When the outer future is cancelled first, stop following `aw` (it keeps running).
  outer._listen(detach);
  return outer;
}
