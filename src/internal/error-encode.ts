/**
 * Encoding a thrown value for the trip across a thread or process boundary (the worker side: no
 * dependencies, so a worker starts fast). Decoding is in `error-codec.ts`.
 */

/** The wire form of a thrown value. */
export interface EncodedError {
  readonly $tsioError: 1;
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: unknown;
  readonly cause?: EncodedThrown;
  readonly errors?: EncodedThrown[];
  readonly props?: Record<string, unknown>;
}

/** A thrown value that is not an Error travels as itself when it can be cloned. */
export type EncodedThrown = EncodedError | { readonly $tsioValue: unknown };

const SKIPPED_PROPS = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors']);

function isPlain(value: unknown, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return true;
    case 'object':
      if (depth > 3) return false;
      if (Array.isArray(value)) return value.every((v) => isPlain(v, depth + 1));
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      return Object.values(value).every((v) => isPlain(v, depth + 1));
    default:
      return false;
  }
}

/** Encodes a thrown value for `postMessage`/IPC. Never throws. */
export function encodeThrown(value: unknown, depth = 0): EncodedThrown {
  if (!(value instanceof Error)) {
    return { $tsioValue: isPlain(value) ? value : String(value) };
  }
  let props: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (SKIPPED_PROPS.has(key)) continue;
    const v = (value as unknown as Record<string, unknown>)[key];
    if (isPlain(v)) (props ??= {})[key] = v;
  }
  const code = (value as { code?: unknown }).code;
  const cause = (value as { cause?: unknown }).cause;
  const errors = (value as { errors?: unknown }).errors;
  return {
    $tsioError: 1,
    name: String(value.name),
    message: String(value.message),
    ...(typeof value.stack === 'string' ? { stack: value.stack } : {}),
    ...(code !== undefined && isPlain(code) ? { code } : {}),
    ...(cause !== undefined && depth < 8 ? { cause: encodeThrown(cause, depth + 1) } : {}),
    ...(Array.isArray(errors) && depth < 8
      ? { errors: errors.map((e) => encodeThrown(e, depth + 1)) }
      : {}),
    ...(props ? { props } : {}),
  };
}
