import { checkFunction, checkOptions, checkString } from './internal/validate.js';
import { type Task, createTask } from './task.js';

/** Options of {@link run}. */
export interface RunOptions {
  /** The main task's name. @default 'main' */
  name?: string | undefined;
  /**
   * Handle SIGINT and SIGTERM: cancel `main`, wait for it, then exit with 130 or 143.
   * @default true
   */
  handleSignals?: boolean | undefined;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `main` as a task and resolves with its result: Python's `asyncio.run`.
 *
 * While it runs, SIGINT (Ctrl-C) and SIGTERM cancel `main` (its signal aborts with a
 * `CancelledError`); once `main` has finished, the process exits with 130 (SIGINT) or 143
 * (SIGTERM). A second signal while `main` is still finishing exits at once. The handlers are
 * removed when `main` ends.
 *
 * @example
 * ```ts
 * await run(async (signal) => {
 *   const tasks = urls.map((u) => createTask(() => fetchStatus(u, signal)));
 *   for (const r of await gather(tasks)) console.log(r);
 * });
 * ```
 */
export function run<T>(
  main: (signal: AbortSignal) => T | PromiseLike<T>,
  options?: RunOptions,
): Promise<T> {
  checkFunction('main', main);
  checkOptions('options', options);
  checkString('options.name', options?.name);
  const task: Task<T> = createTask(main, { name: options?.name ?? 'main' });
  if (options?.handleSignals === false) return task._toPromise();
  return runWithSignals(task);
}

async function runWithSignals<T>(task: Task<T>): Promise<T> {
  let received: keyof typeof EXIT_CODES | null = null;
  const onSignal = (name: keyof typeof EXIT_CODES): void => {
    if (received !== null) process.exit(EXIT_CODES[name]);
    received = name;
    task.cancel(`Received ${name}`);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await task;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (received !== null) process.exit(EXIT_CODES[received]);
  }
}
