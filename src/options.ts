/** Options every waiting call of the primitives takes. */
export interface SignalOptions {
  /**
   * Aborting it rejects the wait with `signal.reason` and removes the waiter from the queue (the
   * others keep their places).
   */
  signal?: AbortSignal | undefined;
}
