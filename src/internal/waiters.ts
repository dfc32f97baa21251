/**
 * A FIFO of waiting promises, each removable in O(1) when its signal aborts. Every primitive in
 * tsio parks its waiters here, so fairness and abort clean-up are written once.
 */

export interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  /** Data the owner keeps with the waiter (a queue's item to put, a semaphore's count...). */
  data: unknown;
  prev: Waiter<T> | null;
  next: Waiter<T> | null;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Still in the list (not woken, not aborted). */
  linked: boolean;
}

export class WaiterList<T> {
  head: Waiter<T> | null = null;
  tail: Waiter<T> | null = null;
  size = 0;

  /**
   * Parks a waiter. If `signal` aborts first, the waiter leaves the list, `onAbort` (if any) runs,
   * and the promise rejects with `signal.reason`.
   */
  wait(signal?: AbortSignal, data?: unknown, onAbort?: (w: Waiter<T>) => void): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      this.enqueue(
        {
          resolve,
          reject,
          data,
          prev: null,
          next: null,
          signal: undefined,
          onAbort: undefined,
          linked: false,
        },
        signal,
        onAbort,
      );
    });
  }

  /**
   * Links a waiter the caller made at the end of the list. If `signal` aborts while it is linked,
   * it leaves the list, `onAbort` (if any) runs, and `w.reject(signal.reason)` is called.
   */
  enqueue(w: Waiter<T>, signal?: AbortSignal, onAbort?: (w: Waiter<T>) => void): void {
    w.prev = this.tail;
    w.next = null;
    w.linked = true;
    if (this.tail) this.tail.next = w;
    else this.head = w;
    this.tail = w;
    this.size++;
    if (signal) {
      w.signal = signal;
      w.onAbort = () => {
        if (!w.linked) return;
        this.unlink(w);
        onAbort?.(w);
        w.reject(signal.reason);
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
    }
  }

  unlink(w: Waiter<T>): void {
    if (!w.linked) return;
    w.linked = false;
    if (w.prev) w.prev.next = w.next;
    else this.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = w.next = null;
    this.size--;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
  }

  /** Removes and returns the first waiter, or null. The caller settles it. */
  shift(): Waiter<T> | null {
    const w = this.head;
    if (w) this.unlink(w);
    return w;
  }

  /** Wakes the first waiter with `value`; false when there is none. */
  wakeFirst(value: T): boolean {
    const w = this.shift();
    if (!w) return false;
    w.resolve(value);
    return true;
  }

  /** Wakes every waiter with `value`, in order; returns how many. */
  wakeAll(value: T): number {
    let n = 0;
    for (let w = this.shift(); w; w = this.shift()) {
      w.resolve(value);
      n++;
    }
    return n;
  }

  /** Rejects every waiter with `error`, in order; returns how many. */
  rejectAll(error: unknown): number {
    let n = 0;
    for (let w = this.shift(); w; w = this.shift()) {
      w.reject(error);
      n++;
    }
    return n;
  }
}
