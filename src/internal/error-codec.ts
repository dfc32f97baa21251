/**
 * Errors crossing a thread or process boundary. Structured clone keeps only the message and stack
 * of built-in errors; this codec also keeps the class (built-in and tsio errors), `code`, `cause`,
 * `errors` of an AggregateError and other plain own properties, and the remote stack.
 */

import {
  BrokenBarrierError,
  BrokenExecutorError,
  BrokenProcessPoolError,
  BrokenThreadPoolError,
  BrokenChannelError,
  CancelledError,
  ChannelClosedError,
  InvalidStateError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  TaskGroupError,
  TimeoutError,
  TsioError,
  WorkerCrashedError,
} from '../errors.js';
import type { EncodedThrown } from './error-encode.js';

export { encodeThrown, type EncodedError, type EncodedThrown } from './error-encode.js';

type ErrorClass = new (message?: string, options?: ErrorOptions) => Error;

const BUILTINS: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const TSIO: Record<string, ErrorClass> = {
  TsioError,
  CancelledError,
  TimeoutError,
  InvalidStateError,
  BrokenBarrierError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  WorkerCrashedError,
  BrokenExecutorError,
  BrokenThreadPoolError,
  BrokenProcessPoolError,
  ChannelClosedError,
  BrokenChannelError,
};

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true });
}

/** Rebuilds a thrown value from {@link encodeThrown}: the same class where it is known. */
export function decodeThrown(encoded: EncodedThrown): unknown {
  if (!('$tsioError' in encoded)) return encoded.$tsioValue;
  const options = encoded.cause !== undefined ? { cause: decodeThrown(encoded.cause) } : undefined;
  let error: Error;
  if (encoded.errors !== undefined) {
    const errors = encoded.errors.map(decodeThrown);
    error =
      encoded.name === 'TaskGroupError'
        ? new TaskGroupError(errors, encoded.message, options)
        : new AggregateError(errors, encoded.message, options);
  } else {
    const Class = TSIO[encoded.name] ?? BUILTINS[encoded.name] ?? Error;
    error = new Class(encoded.message, options);
  }
  if (error.name !== encoded.name) define(error, 'name', encoded.name);
  if (encoded.code !== undefined) define(error, 'code', encoded.code);
  if (encoded.stack !== undefined) define(error, 'stack', encoded.stack);
  if (encoded.props) Object.assign(error, encoded.props);
  return error;
}
