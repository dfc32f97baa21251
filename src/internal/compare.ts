import { describe } from './validate.js';

/**
 * The default order of a `PriorityQueue`, Python's `<`: numbers and bigints numerically (with each
 * other too), strings by UTF-16 code unit, booleans (`false < true`), Dates by time, and arrays
 * element by element like Python tuples (the first elements that differ decide; identical
 * elements are not compared, so `[priority, item]` only compares the items when the priorities
 * are equal; a shorter prefix comes first). Anything else -> `TypeError` naming both values.
 */
export function defaultCompare(a: unknown, b: unknown): number {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'number' || ta === 'string')) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  return compareSlow(a, b);
}

function compareSlow(a: unknown, b: unknown): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x: unknown = a[i];
      const y: unknown = b[i];
      if (x === y) continue;
      const c = defaultCompare(x, y);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (a instanceof Date && b instanceof Date) {
    const x = a.getTime();
    const y = b.getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new TypeError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)}: the default order compares ` +
      'numbers, bigints, strings, booleans, Dates and arrays of them (like Python tuples). ' +
      'Pass a "compare" function to order other values.',
  );
}
