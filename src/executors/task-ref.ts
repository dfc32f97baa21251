/**
 * How a function reaches a worker: as source (a self-contained function) or as a reference to a
 * module the worker imports (`defineTask`, `importTask`).
 */

import { checkFunction, typeError, valueError } from '../internal/validate.js';
import { DEF_MODULE, DEF_SOURCE, type FnDef } from './protocol.js';
import { registerTask, type AnyFunction } from './registry.js';

export type { AnyFunction };

const TASK_REF: unique symbol = Symbol.for('tsio.TaskRef') as never;

/**
 * A function defined in a module, which a worker runs by importing that module. It is also an
 * ordinary function: calling it runs it on the current thread. Made by {@link defineTask} or
 * {@link importTask}.
 */
export type TaskRef<F extends AnyFunction> = F & {
  /** The module the worker imports. */
  readonly moduleUrl: string;
  /** The task's name in that module. */
  readonly taskName: string;
};

function normaliseUrl(name: string, moduleUrl: unknown): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl !== 'string')
    throw typeError(name, 'a URL string (import.meta.url)', moduleUrl);
  try {
    return new URL(moduleUrl).href;
  } catch {
    throw valueError(name, 'an absolute URL such as import.meta.url', moduleUrl);
  }
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw typeError('name', 'a non-empty string', name);
}

function makeRef<F extends AnyFunction>(url: string, name: string, fn: F): TaskRef<F> {
  const ref = function (this: unknown, ...args: unknown[]) {
    return fn.apply(this, args);
  } as unknown as TaskRef<F>;
  Object.defineProperties(ref, {
    name: { value: name },
    length: { value: fn.length },
    moduleUrl: { value: url, enumerable: true },
    taskName: { value: name, enumerable: true },
    [TASK_REF]: { value: true },
  });
  return ref;
}

/**
 * Defines a task in a module so that workers run it by importing the module: module-scope state,
 * imports and closures all work, and the call site is fully typed. Call it at the top level of
 * the module, with that module's `import.meta.url` and a name unique in the module. Works for
 * compiled JavaScript and for TypeScript run through tsx.
 *
 * @example
 * ```ts
 * // tasks.ts
 * import { createHash } from 'node:crypto';
 * import { defineTask } from 'tsio/executors';
 * export const sha256 = defineTask(import.meta.url, 'sha256', (text: string) =>
 *   createHash('sha256').update(text).digest('hex'));
 *
 * // main.ts
 * const digest = await pool.submit(sha256, 'hello'); // string
 * ```
 */
export function defineTask<F extends AnyFunction>(
  moduleUrl: string | URL,
  name: string,
  fn: F,
): TaskRef<F> {
  const url = normaliseUrl('moduleUrl', moduleUrl);
  checkName(name);
  checkFunction('fn', fn);
  registerTask(url, name, fn);
  return makeRef(url, name, fn);
}

/**
 * Refers to a function exported by a module, without importing it on this thread: the worker
 * imports the module and calls the export. Give the function's type for a typed call site.
 *
 * @example
 * ```ts
 * import type { resize } from './images.js';
 * const resizeTask = importTask<typeof resize>(new URL('./images.js', import.meta.url), 'resize');
 * await pool.submit(resizeTask, buffer, 200);
 * ```
 */
export function importTask<F extends AnyFunction>(
  moduleUrl: string | URL,
  exportName: string,
): TaskRef<F> {
  const url = normaliseUrl('moduleUrl', moduleUrl);
  checkName(exportName);
  const local = (): never => {
    throw new TypeError(
      `Task "${exportName}" of ${url} was made by importTask(): it runs only in a worker.`,
    );
  };
  return makeRef(url, exportName, local as unknown as F);
}

/** True for functions made by {@link defineTask} or {@link importTask}. */
export function isTaskRef(value: unknown): value is TaskRef<AnyFunction> {
  return typeof value === 'function' && (value as { [TASK_REF]?: boolean })[TASK_REF] === true;
}

/** A function turned into what a worker needs: one definition, cached per function. */
export interface FnSpec {
  readonly key: number;
  readonly def: FnDef;
  readonly source: boolean;
}

const specs = new WeakMap<Function, FnSpec>();
/** Closures made again and again (`submit(() => work())` in a loop) share one definition. */
const bySource = new Map<string, FnSpec>();
let nextKey = 1;

function expressionOf(fn: Function, source: string): string {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new TypeError(
      `${fn.name ? `Function "${fn.name}"` : 'The function'} cannot be sent to a worker: it is a ` +
        'native or bound function, which has no source. Pass a self-contained function, or a ' +
        'module function with defineTask().',
    );
  }
  if (/^class\b/.test(source)) {
    throw new TypeError(
      `Class "${fn.name}" cannot be submitted as a task: submit a function that creates it.`,
    );
  }
  // An arrow or function expression compiles as `(source)`; a method (`name(x) { ... }`) needs an
  // object literal around it.
  for (const expression of [`(${source}\n)`, `Object.values({${source}\n})[0]`]) {
    try {
      // Compiled only to check that it parses (nothing runs): the worker compiles it the same way.
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      new Function(`return ${expression}`);
      return expression;
    } catch {
      // try the next form
    }
  }
  throw new TypeError(
    `${fn.name ? `Function "${fn.name}"` : 'The function'} cannot be sent to a worker: its ` +
      'source does not compile on its own. Use defineTask() for module functions.',
  );
}

/** The definition of `fn` for a worker; throws a clear TypeError when it cannot be shipped. */
export function specOf(fn: unknown, name = 'fn'): FnSpec {
  checkFunction(name, fn);
  let spec = specs.get(fn);
  if (spec !== undefined) return spec;
  const ref = isTaskRef(fn);
  // The source text is the cache key: checking and compiling it happens once per distinct text.
  const text = ref ? `${fn.moduleUrl}#${fn.taskName}` : Function.prototype.toString.call(fn);
  spec = bySource.get(text);
  if (spec === undefined) {
    const key = nextKey++;
    spec = ref
      ? { key, def: [key, DEF_MODULE, fn.moduleUrl, fn.taskName], source: false }
      : { key, def: [key, DEF_SOURCE, expressionOf(fn, text)], source: true };
    bySource.set(text, spec);
  }
  specs.set(fn, spec);
  return spec;
}
