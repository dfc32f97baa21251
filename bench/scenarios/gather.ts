/**
 * Scope `gather`: n trivial async tasks, all started at once, results collected in order.
 * Variants: `promise-all`, `tsio-gather-tasks`, `tsio-gather-calls`.
 */
import { createTask, gather } from 'tsio';
import { expectEqual, runScenario, timed, type Measured } from './harness.js';

const f = async (): Promise<number> => 1;

function check(results: readonly number[], n: number): void {
  expectEqual('results.length', results.length, n);
  expectEqual('results[n-1]', results[n - 1], 1);
}

await runScenario('gather', {
  /** The floor: `Promise.all` over n async function calls. */
  'promise-all': async (n): Promise<Measured> => {
    const { ms, value } = await timed(() => Promise.all(Array.from({ length: n }, () => f())));
    check(value, n);
    return { ms };
  },
  /** tsio's main form: `gather` over n `createTask` tasks. */
  'tsio-gather-tasks': async (n): Promise<Measured> => {
    const { ms, value } = await timed(async () =>
      gather(Array.from({ length: n }, () => createTask(f))),
    );
    check(value, n);
    return { ms };
  },
  /** `gather` straight over n async function calls (promises), no tasks. */
  'tsio-gather-calls': async (n): Promise<Measured> => {
    const { ms, value } = await timed(async () => gather(Array.from({ length: n }, () => f())));
    check(value, n);
    return { ms };
  },
});
