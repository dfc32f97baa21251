/** Argument checks shared by every public function: clear messages naming the argument. */

type CodedError = Error & { code: string };

/** A short description of a value for error messages: `number 5`, `string "x"`, `an object`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return `symbol ${String(value)}`;
    case 'function':
      return value.name ? `function ${value.name}` : 'an anonymous function';
    default: {
      if (Array.isArray(value)) return 'an array';
      const name = (value as { constructor?: { name?: string } }).constructor?.name;
      return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
    }
  }
}

export function typeError(name: string, expected: string, value: unknown): TypeError {
  const e = new TypeError(
    `The "${name}" argument must be ${expected}. Received ${describe(value)}`,
  ) as TypeError & CodedError;
  e.code = 'ERR_INVALID_ARG_TYPE';
  return e;
}

export function rangeError(name: string, expected: string, value: unknown): RangeError {
  const e = new RangeError(
    `The value of "${name}" is out of range. It must be ${expected}. Received ${describe(value)}`,
  ) as RangeError & CodedError;
  e.code = 'ERR_OUT_OF_RANGE';
  return e;
}

export function valueError(name: string, expected: string, value: unknown): TypeError {
  const e = new TypeError(
    `The "${name}" argument must be ${expected}. Received ${describe(value)}`,
  ) as TypeError & CodedError;
  e.code = 'ERR_INVALID_ARG_VALUE';
  return e;
}

export function checkFunction(name: string, value: unknown): asserts value is Function {
  if (typeof value !== 'function') throw typeError(name, 'a function', value);
}

/** A duration in milliseconds: a number >= 0, not NaN (Infinity allowed: wait forever). */
export function checkDelay(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw typeError(name, 'a number of milliseconds', value);
  if (!(value >= 0)) throw rangeError(name, '>= 0 milliseconds', value);
}

/** A timeout: `null`/`undefined` (no limit) or a delay. */
export function checkTimeout(
  name: string,
  value: unknown,
): asserts value is number | null | undefined {
  if (value === null || value === undefined) return;
  if (typeof value !== 'number') throw typeError(name, 'a number of milliseconds or null', value);
  if (Number.isNaN(value)) throw rangeError(name, 'a number of milliseconds, not NaN', value);
}

export function checkInteger(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== 'number') throw typeError(name, 'an integer', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(
      name,
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
      value,
    );
  }
}

export function checkOptions(name: string, value: unknown): asserts value is object | undefined {
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    throw typeError(name, 'an object', value);
  }
}

/** An options object may hold only the keys the call knows: a misspelt option is an error. */
export function checkKnownKeys(name: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      const e = new TypeError(
        `The "${name}" argument has an unknown key "${key}": expected only ${known.join(', ')}.`,
      ) as TypeError & CodedError;
      e.code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
  }
}

export function checkSignal(
  name: string,
  value: unknown,
): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw typeError(name, 'an AbortSignal', value);
  }
}

export function checkString(name: string, value: unknown): asserts value is string | undefined {
  if (value !== undefined && typeof value !== 'string') throw typeError(name, 'a string', value);
}

export function checkIterable(name: string, value: unknown): asserts value is Iterable<unknown> {
  if (
    value === null ||
    value === undefined ||
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw typeError(name, 'an array or an iterable', value);
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
