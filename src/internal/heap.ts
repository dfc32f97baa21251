/**
 * A binary min-heap on an array: O(log n) `push` and `pop`, smallest item (by `compare`) first.
 *
 * `compare` may throw (the default order of a `PriorityQueue` throws a `TypeError` for values it
 * cannot order, as Python does). Each operation first finds where items go without moving any,
 * then moves them, so a throwing `compare` leaves the heap exactly as it was.
 */

export type Compare<T> = (a: T, b: T) => number;

export class Heap<T> {
  readonly #items: T[] = [];
  readonly #compare: Compare<T>;
  /** Scratch space for `pop`: the slots the last item passes on its way down. */
  readonly #path: number[] = [];

  constructor(compare: Compare<T>) {
    this.#compare = compare;
  }

  /** The number of items. */
  get length(): number {
    return this.#items.length;
  }

  /** Adds `item`. If `compare` throws, the heap is unchanged and the error propagates. */
  push(item: T): void {
    const items = this.#items;
    const compare = this.#compare;
    // Find the final slot first (read only), then shift the parents down along the path.
    let slot = items.length;
    while (slot > 0) {
      const parent = (slot - 1) >>> 1;
      if (compare(item, items[parent]!) >= 0) break;
      slot = parent;
    }
    let i = items.length;
    items.push(item);
    while (i > slot) {
      const parent = (i - 1) >>> 1;
      items[i] = items[parent]!;
      i = parent;
    }
    items[slot] = item;
  }

  /** Removes and returns the smallest item (undefined when empty). Unchanged if `compare` throws. */
  pop(): T | undefined {
    const items = this.#items;
    const n = items.length;
    if (n <= 1) return items.pop();
    const top = items[0];
    const last = items[n - 1]!;
    const size = n - 1;
    const compare = this.#compare;
    // Walk down from the root, recording the path of smaller children until `last` fits.
    const path = this.#path;
    let depth = 0;
    let slot = 0;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && compare(items[right]!, items[child]!) < 0) child = right;
      if (compare(items[child]!, last) >= 0) break;
      path[depth++] = child;
      slot = child;
    }
    items.pop();
    let hole = 0;
    for (let d = 0; d < depth; d++) {
      const child = path[d]!;
      items[hole] = items[child]!;
      hole = child;
    }
    items[hole] = last;
    return top;
  }

  /** The smallest item without removing it (undefined when empty). */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Removes every item. */
  clear(): void {
    this.#items.length = 0;
  }
}
