/**
 * Buffered, back-pressured text output: many small writes (one per result) become few large
 * ones. Text is written at the latest on the next turn of the event loop, so a stream of results
 * still shows up as it happens.
 */

const FLUSH_AT = 64 * 1024;

/**
 * Collects text for `stream` and writes it in chunks: when 64 KiB have gathered, on the next
 * event-loop turn, or on {@link TextSink.flush}. `beforeWrite` runs before each chunk (the
 * progress bar clears its line there).
 *
 * @example
 * ```ts
 * const sink = new TextSink(process.stdout);
 * sink.write('one\n');
 * await sink.drain(); // only when waiting is wanted (back pressure)
 * await sink.flush();
 * ```
 */
export class TextSink {
  readonly #stream: NodeJS.WritableStream;
  readonly #beforeWrite: (() => void) | undefined;
  #buffer = '';
  #scheduled: NodeJS.Immediate | undefined;
  #blocked: Promise<void> | null = null;

  constructor(stream: NodeJS.WritableStream, beforeWrite?: () => void) {
    this.#stream = stream;
    this.#beforeWrite = beforeWrite;
  }

  /** Adds `text`; writes out at once past 64 KiB, else on the next event-loop turn. */
  write(text: string): void {
    this.#buffer += text;
    if (this.#buffer.length >= FLUSH_AT) this.#writeOut();
    else this.#scheduled ??= setImmediate(() => this.#writeOut());
  }

  /** Resolves when the stream has room again (at once unless it signalled back pressure). */
  drain(): Promise<void> {
    return this.#blocked ?? Promise.resolve();
  }

  /** Writes out what is buffered and waits for the stream to take it. */
  async flush(): Promise<void> {
    this.#writeOut();
    await this.drain();
  }

  #writeOut(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#buffer === '') return;
    const text = this.#buffer;
    this.#buffer = '';
    this.#beforeWrite?.();
    if (!this.#stream.write(text) && this.#blocked === null) {
      this.#blocked = new Promise<void>((resolve) => {
        const done = (): void => {
          this.#stream.off('drain', done);
          this.#stream.off('close', done);
          this.#blocked = null;
          resolve();
        };
        this.#stream.on('drain', done);
        this.#stream.on('close', done);
      });
    }
  }
}
