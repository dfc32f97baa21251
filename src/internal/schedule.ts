/**
 * One microtask drains a batch of calls, so scheduling a million callbacks costs one
 * `queueMicrotask`, not a million. Calls run in the order they were scheduled; a call scheduled
 * while draining runs in the same drain, after the ones before it.
 */

type Call = (arg: unknown) => void;

let calls: Call[] = [];
let args: unknown[] = [];
let scheduled = false;

function drain(): void {
  // Invariant: calls and args have the same length; both are replaced before running so that a
  // throwing call cannot lose the ones after it (they are rescheduled below).
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i]!;
    const arg = args[i];
    try {
      call(arg);
    } catch (error) {
      const rest = calls.slice(i + 1);
      const restArgs = args.slice(i + 1);
      calls = rest;
      args = restArgs;
      queueMicrotask(drain);
      throw error;
    }
  }
  calls = [];
  args = [];
  scheduled = false;
}

/** Calls `call(arg)` on a later microtask. */
export function schedule<A>(call: (arg: A) => void, arg: A): void {
  calls.push(call as Call);
  args.push(arg);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(drain);
  }
}
