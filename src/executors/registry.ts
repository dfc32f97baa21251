/**
 * The registry of module tasks (`defineTask`), shared through a global symbol so that every copy of
 * tsio in a worker sees the same one. Kept tiny: a worker imports it at start-up.
 */

const REGISTRY: unique symbol = Symbol.for('tsio.taskRegistry') as never;

/** Any function a task can run. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;
type Registry = Map<string, AnyFunction>;

function registry(): Registry {
  const g = globalThis as unknown as { [REGISTRY]?: Registry };
  return (g[REGISTRY] ??= new Map());
}

/** Records `fn` as the task `name` of the module at `url` (the newest definition wins). */
export function registerTask(url: string, name: string, fn: AnyFunction): void {
  registry().set(`${url}#${name}`, fn);
}

/** The function registered by `defineTask` for `url#name`, if the module did. */
export function registeredTask(url: string, name: string): AnyFunction | undefined {
  return registry().get(`${url}#${name}`);
}
