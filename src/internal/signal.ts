import type { SignalOptions } from '../options.js';
import { checkOptions, checkSignal } from './validate.js';

/**
 * The signal of a primitive's `{ signal }` options, after checking them (a `TypeError` naming
 * `options` or `options.signal` for bad ones).
 */
export function signalOf(options: SignalOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  checkOptions('options', options);
  const signal = options.signal;
  checkSignal('options.signal', signal);
  return signal;
}
