/**
 * `--order input` without waiting for the end: a result is written as soon as every result
 * before it is written, so only the results that finished ahead of their turn are kept (as the
 * text they will be written as). What that costs depends on how far results get ahead of the
 * earliest unfinished URL, not on the number of URLs; `tsio status` also caps it (see
 * `INPUT_ORDER_MAX`).
 */

/**
 * Puts numbered items (0, 1, 2, ...) back in order: {@link InputOrder.put} passes an item on at
 * once when it is the next one due, together with the items that were waiting for it; an item
 * that comes early waits. A number that will never have an item (a cancelled URL) is put as
 * `null`, so the ones after it need not wait; `pass` sees it as null.
 *
 * @example
 * ```ts
 * const order = new InputOrder<string>((text) => text !== null && out.write(text));
 * order.put(1, 'b'); // waits for 0
 * order.put(0, 'a'); // passes a, then b
 * order.put(2, null); // 2 was cancelled: passed as null
 * ```
 */
export class InputOrder<T> {
  readonly #pass: (item: T | null) => void;
  readonly #early = new Map<number, T | null>();
  #next = 0;

  constructor(pass: (item: T | null) => void) {
    this.#pass = pass;
  }

  /** Items waiting for an earlier one. */
  get waiting(): number {
    return this.#early.size;
  }

  /** Item number `index` is here: passes it on now if it is due (and those it held up). */
  put(index: number, item: T | null): void {
    if (index !== this.#next) {
      this.#early.set(index, item);
      return;
    }
    this.#pass(item);
    this.#next++;
    while (this.#early.has(this.#next)) {
      const held = this.#early.get(this.#next)!;
      this.#early.delete(this.#next);
      this.#pass(held);
      this.#next++;
    }
  }

  /** Passes on every item still waiting, in order, whatever is missing before them. */
  flush(): void {
    const rest = [...this.#early.keys()].sort((a, b) => a - b);
    for (const index of rest) this.#pass(this.#early.get(index)!);
    this.#early.clear();
  }
}
