/**
 * A double-ended queue on a ring buffer whose capacity is a power of two: O(1) amortised `push`,
 * `shift`, `pop` and `unshift`, unlike `Array.prototype.shift`, which is O(n) on large arrays.
 * Slots are cleared when items leave (no references kept), and the buffer shrinks when it is
 * mostly empty, so a queue that once held a million items does not keep their memory.
 */

const MIN_CAPACITY = 16;

export class Deque<T> {
  // Invariant: #buffer.length is a power of two >= MIN_CAPACITY; the items are at
  // #head, #head + 1, ... (mod capacity), #length of them; every other slot is undefined.
  #buffer: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #head = 0;
  #length = 0;

  /** The number of items. */
  get length(): number {
    return this.#length;
  }

  /** Appends `item` at the back. */
  push(item: T): void {
    if (this.#length === this.#buffer.length) this.#resize(this.#buffer.length * 2);
    this.#buffer[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Inserts `item` at the front. */
  unshift(item: T): void {
    if (this.#length === this.#buffer.length) this.#resize(this.#buffer.length * 2);
    this.#head = (this.#head - 1) & this.#mask;
    this.#buffer[this.#head] = item;
    this.#length++;
  }

  /** Removes and returns the front item (undefined when empty). */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#buffer[this.#head];
    this.#buffer[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    this.#maybeShrink();
    return item;
  }

  /** Removes and returns the back item (undefined when empty). */
  pop(): T | undefined {
    if (this.#length === 0) return undefined;
    const i = (this.#head + this.#length - 1) & this.#mask;
    const item = this.#buffer[i];
    this.#buffer[i] = undefined;
    this.#length--;
    this.#maybeShrink();
    return item;
  }

  /** The front item without removing it (undefined when empty). */
  peekFront(): T | undefined {
    return this.#length === 0 ? undefined : this.#buffer[this.#head];
  }

  /** The back item without removing it (undefined when empty). */
  peekBack(): T | undefined {
    return this.#length === 0
      ? undefined
      : this.#buffer[(this.#head + this.#length - 1) & this.#mask];
  }

  /** The item at `index` from the front (undefined when out of range). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#buffer[(this.#head + index) & this.#mask];
  }

  /** Removes every item. */
  clear(): void {
    this.#buffer = new Array<T | undefined>(MIN_CAPACITY);
    this.#mask = MIN_CAPACITY - 1;
    this.#head = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.#buffer[(this.#head + i) & this.#mask] as T;
  }

  #maybeShrink(): void {
    const capacity = this.#buffer.length;
    if (capacity > MIN_CAPACITY && this.#length <= capacity >>> 2) this.#resize(capacity >>> 1);
  }

  #resize(capacity: number): void {
    const old = this.#buffer;
    const oldMask = this.#mask;
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & oldMask];
    this.#buffer = next;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
