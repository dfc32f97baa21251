/**
 * Messages as bytes, for the shared-memory rings. Plain data (numbers, strings, booleans, null,
 * undefined, plain arrays and objects) is written by hand, several times faster than
 * `v8.serialize` for small messages; anything else (Map, Set, Date, typed arrays, Errors, bigints,
 * class instances, cycles) goes through `v8.serialize`, the structured clone of `postMessage`.
 * What structured clone refuses (functions, symbols, sockets, SharedArrayBuffers, tsio channels)
 * fails with a TypeError that says what could not be sent.
 */

import v8 from 'node:v8';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_TRUE = 2;
const T_FALSE = 3;
const T_INT = 4;
const T_FLOAT = 5;
const T_STRING = 6;
const T_ARRAY = 7;
const T_OBJECT = 8;
const T_V8 = 9;
/** A string of at most {@link SHORT} chars, all ASCII: one byte each, copied by hand. */
const T_ASCII = 10;
const SHORT = 64;
/** A typed array (not a Buffer) or an ArrayBuffer: its kind, its byte length, its bytes. */
const T_BYTES = 11;

/** The constructors T_BYTES knows, by kind byte; 0 is a plain ArrayBuffer. */
const TYPED = [
  null,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;
const KIND = new Map<object, number>(
  TYPED.map((c, i) => [c === null ? ArrayBuffer.prototype : c.prototype, i]),
);

/** Writes a typed array or ArrayBuffer of a known kind as raw bytes; false for anything else. */
function writeBytes(v: object): boolean {
  const kind = KIND.get(Object.getPrototypeOf(v) as object);
  if (kind === undefined) return false;
  const view =
    kind === 0
      ? new Uint8Array(v as ArrayBuffer)
      : new Uint8Array(
          (v as Uint8Array).buffer,
          (v as Uint8Array).byteOffset,
          (v as Uint8Array).byteLength,
        );
  if (kind !== 0 && !((v as Uint8Array).buffer instanceof ArrayBuffer)) return false; // shared: v8 refuses
  const n = view.byteLength;
  ensure(6 + n);
  buf[pos] = T_BYTES;
  buf[pos + 1] = kind;
  buf.writeUInt32LE(n, pos + 2);
  buf.set(view, pos + 6);
  pos += 6 + n;
  return true;
}

/** Deeper plain structures than this are handed to v8 (which also handles cycles). */
const MAX_DEPTH = 32;

/**
 * Thrown inside the hand-written encoder when the value needs v8's: too deep, an object seen
 * twice (shared or cyclic references, which v8 keeps as such), a sparse array, a string with a
 * lone surrogate.
 */
class NeedsV8 extends Error {}

/** The objects and arrays written so far in this message. */
const seen = new Set<object>();

/** A growable scratch buffer, one per thread. */
let buf = Buffer.allocUnsafeSlow(4096);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = Buffer.allocUnsafeSlow(size);
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/** Writes a tagged string: short ASCII by hand (a native call costs more), the rest as UTF-8. */
function writeTaggedString(s: string): void {
  const n = s.length;
  if (n <= SHORT) {
    ensure(2 + n);
    const start = pos;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[start + 2 + i] = c;
    }
    if (i === n) {
      buf[start] = T_ASCII;
      buf[start + 1] = n;
      pos = start + 2 + n;
      return;
    }
  }
  ensure(1);
  buf[pos++] = T_STRING;
  writeString(s);
}

function writeString(s: string): void {
  // UTF-8 cannot carry a lone surrogate (it would arrive as U+FFFD); v8's format can.
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new NeedsV8();
  const max = s.length * 3;
  ensure(4 + max);
  const n = buf.write(s, pos + 4, max, 'utf8');
  buf.writeUInt32LE(n, pos);
  pos += 4 + n;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function writeV8(v: unknown): void {
  const bytes = v8.serialize(v);
  ensure(5 + bytes.length);
  buf[pos] = T_V8;
  buf.writeUInt32LE(bytes.length, pos + 1);
  bytes.copy(buf, pos + 5);
  pos += 5 + bytes.length;
}

function write(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'number':
      ensure(9);
      if ((v | 0) === v && !Object.is(v, -0)) {
        buf[pos] = T_INT;
        buf.writeInt32LE(v, pos + 1);
        pos += 5;
      } else {
        buf[pos] = T_FLOAT;
        buf.writeDoubleLE(v, pos + 1);
        pos += 9;
      }
      return;
    case 'string':
      writeTaggedString(v);
      return;
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? T_TRUE : T_FALSE;
      return;
    case 'undefined':
      ensure(1);
      buf[pos++] = T_UNDEFINED;
      return;
    case 'object':
      if (v === null) {
        ensure(1);
        buf[pos++] = T_NULL;
        return;
      }
      if (depth >= MAX_DEPTH) throw new NeedsV8();
      if (Array.isArray(v) && Object.getPrototypeOf(v) === Array.prototype) {
        if (seen.has(v)) throw new NeedsV8();
        seen.add(v);
        ensure(5);
        buf[pos] = T_ARRAY;
        buf.writeUInt32LE(v.length, pos + 1);
        pos += 5;
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) throw new NeedsV8();
          write(v[i], depth + 1);
        }
        return;
      }
      if (isPlainObject(v)) {
        if (seen.has(v)) throw new NeedsV8();
        seen.add(v);
        const keys = Object.keys(v);
        ensure(5);
        buf[pos] = T_OBJECT;
        buf.writeUInt32LE(keys.length, pos + 1);
        pos += 5;
        for (const key of keys) {
          writeTaggedString(key);
          write((v as Record<string, unknown>)[key], depth + 1);
        }
        return;
      }
      if (!writeBytes(v)) writeV8(v);
      return;
    default:
      // bigint goes through v8; functions and symbols make it throw (with its own message).
      writeV8(v);
  }
}

function describeValue(v: unknown): string {
  if (typeof v === 'function') return `a function (${v.name || 'anonymous'})`;
  if (typeof v === 'symbol') return `a symbol (${String(v)})`;
  if (typeof v === 'object' && v !== null) {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name !== 'string' || name === 'Object') return 'an object';
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return typeof v;
}

/** The TypeError for a value structured clone refused. */
export function uncloneable(what: string, value: unknown, error: unknown): TypeError {
  let detail = error instanceof Error ? error.message : String(error);
  if (/Symbol\(tsio\.[A-Za-z]+\)/.test(detail)) {
    detail =
      'it contains a tsio channel or shared object, which cannot travel inside a message ' +
      '(pass it to a task as a direct argument instead)';
  }
  return new TypeError(
    `${what}: the value (${describeValue(value)}) cannot be sent to another thread or process: ` +
      `${detail.replace(/\.+$/, '')}. Send data (numbers, strings, plain objects, arrays, Map, ` +
      `Set, Date, typed arrays, Error), not functions, symbols, sockets or other handles.`,
    { cause: error },
  );
}

/**
 * Encodes `value` into the thread's scratch buffer; returns the buffer and the length (valid until
 * the next call). `what` names the caller for the error message.
 */
export function encode(value: unknown, what: string): { bytes: Buffer; length: number } {
  pos = 0;
  try {
    write(value, 0);
    seen.clear();
  } catch (error) {
    seen.clear();
    if (!(error instanceof NeedsV8)) throw uncloneable(what, value, error);
    pos = 0;
    try {
      writeV8(value);
    } catch (e) {
      throw uncloneable(what, value, e);
    }
  }
  return { bytes: buf, length: pos };
}

let rpos = 0;
let rbuf: Buffer = buf;

function readString(): string {
  const n = rbuf.readUInt32LE(rpos);
  const s = rbuf.toString('utf8', rpos + 4, rpos + 4 + n);
  rpos += 4 + n;
  return s;
}

function readAscii(): string {
  const n = rbuf[rpos]!;
  const b = rbuf;
  let s = '';
  const end = rpos + 1 + n;
  for (let i = rpos + 1; i < end; i++) s += String.fromCharCode(b[i]!);
  rpos = end;
  return s;
}

function readKey(): string {
  return rbuf[rpos++] === T_ASCII ? readAscii() : readString();
}

function read(): unknown {
  const tag = rbuf[rpos++];
  switch (tag) {
    case T_ASCII:
      return readAscii();
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_TRUE:
      return true;
    case T_FALSE:
      return false;
    case T_INT: {
      const v = rbuf.readInt32LE(rpos);
      rpos += 4;
      return v;
    }
    case T_FLOAT: {
      const v = rbuf.readDoubleLE(rpos);
      rpos += 8;
      return v;
    }
    case T_STRING:
      return readString();
    case T_ARRAY: {
      const n = rbuf.readUInt32LE(rpos);
      rpos += 4;
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = read();
      return a;
    }
    case T_OBJECT: {
      const n = rbuf.readUInt32LE(rpos);
      rpos += 4;
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = readKey();
        const value = read();
        if (key === '__proto__') {
          Object.defineProperty(o, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          o[key] = value;
        }
      }
      return o;
    }
    case T_BYTES: {
      const kind = rbuf[rpos]!;
      const n = rbuf.readUInt32LE(rpos + 1);
      const ab = new ArrayBuffer(n);
      new Uint8Array(ab).set(rbuf.subarray(rpos + 5, rpos + 5 + n));
      rpos += 5 + n;
      const Ctor = TYPED[kind];
      if (Ctor === undefined) throw new Error(`tsio: corrupt channel message (kind ${kind}).`);
      return Ctor === null ? ab : new Ctor(ab);
    }
    case T_V8: {
      const n = rbuf.readUInt32LE(rpos);
      // A copy: v8 may return Buffers and typed arrays that are views of its input, and the
      // input is this thread's scratch buffer, which the next message overwrites.
      const v: unknown = v8.deserialize(Buffer.from(rbuf.subarray(rpos + 4, rpos + 4 + n)));
      rpos += 4 + n;
      return v;
    }
    default:
      throw new Error(`tsio: corrupt channel message (tag ${String(tag)}).`);
  }
}

/** Decodes a message of `length` bytes at the start of `bytes` (a non-shared buffer). */
export function decode(bytes: Buffer, length: number): unknown {
  rbuf = bytes;
  rpos = 0;
  const value = read();
  if (rpos !== length) throw new Error('tsio: corrupt channel message (length).');
  return value;
}

/** Decodes a message that arrived as bytes (a child process's get). */
export function decodeBytes<T>(bytes: unknown): T {
  const u8 = bytes as Uint8Array;
  return decode(Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), u8.byteLength) as T;
}

/**
 * A copy of the first `length` bytes of an encoded message: the encoder's buffer is reused by
 * the next message, and a child batches its requests before they are sent.
 */
export function copyOf(bytes: Uint8Array, length: number): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, 0, length);
}
