/**
 * Lines of a byte stream, read lazily: the stream is read a chunk (64 KiB) at a time, only when
 * the lines already read are used up, so a file of a million lines costs one chunk of memory,
 * and the stream's own back pressure pauses it in between.
 */

const LF = 0x0a;

/** A readable stream; `destroy` (as on every Node stream) releases it. */
export type DestroyableStream = NodeJS.ReadableStream & { destroy?: () => void };

/**
 * Splits a readable stream (a file, stdin) into lines at `\n` (a `\r` before it stays in the
 * line: trim it), decoded as UTF-8. The last line needs no `\n`. Counts the bytes consumed, for
 * progress.
 *
 * @example
 * ```ts
 * const lines = new LineReader(createReadStream('urls.txt'));
 * for (let line = await lines.next(); line !== null; line = await lines.next()) use(line);
 * lines.close();
 * ```
 */
export class LineReader {
  readonly #stream: DestroyableStream;
  #iterator: AsyncIterator<string | Buffer> | null = null;
  #chunk: Buffer = Buffer.alloc(0);
  #pos = 0;
  #ended = false;
  #bytes = 0;
  #closed = false;

  constructor(stream: DestroyableStream) {
    this.#stream = stream;
  }

  /** Bytes of the lines returned so far (line breaks included). */
  get bytesRead(): number {
    return this.#bytes;
  }

  /** True once the stream has ended (or the reader was closed) and every line was returned. */
  get done(): boolean {
    return this.#ended && this.#pos >= this.#chunk.length;
  }

  /** The next line, without its `\n`; null at the end of the stream. */
  async next(): Promise<string | null> {
    for (;;) {
      const nl = this.#chunk.indexOf(LF, this.#pos);
      if (nl !== -1) {
        const line = this.#chunk.toString('utf8', this.#pos, nl);
        this.#bytes += nl + 1 - this.#pos;
        this.#pos = nl + 1;
        return line;
      }
      if (this.#ended) {
        if (this.#pos >= this.#chunk.length) return null;
        const line = this.#chunk.toString('utf8', this.#pos);
        this.#bytes += this.#chunk.length - this.#pos;
        this.#pos = this.#chunk.length;
        return line;
      }
      await this.#read();
    }
  }

  /** Reads one more chunk, keeping the unfinished line before it. */
  async #read(): Promise<void> {
    this.#iterator ??= this.#stream[Symbol.asyncIterator]() as AsyncIterator<string | Buffer>;
    let next: IteratorResult<string | Buffer>;
    try {
      // Not raced with a "closed" promise: every race would hang its chunk on that promise for
      // as long as it is pending (all of a file's chunks, by the end). close() destroys the
      // stream instead, which ends this read.
      next = await this.#iterator.next();
    } catch (e) {
      if (this.#closed) next = { done: true, value: undefined };
      else throw e;
    }
    if (this.#closed || next.done === true) {
      this.#ended = true;
      return;
    }
    const value = next.value;
    const chunk = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    const rest = this.#chunk.length - this.#pos;
    this.#chunk = rest === 0 ? chunk : Buffer.concat([this.#chunk.subarray(this.#pos), chunk]);
    this.#pos = 0;
  }

  /**
   * Stops reading: a pending or later {@link LineReader.next} returns null, and the stream is
   * destroyed (a file's descriptor closed, stdin let go so that the process can exit).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ended = true;
    this.#chunk = Buffer.alloc(0);
    this.#pos = 0;
    this.#iterator = null;
    // Not the iterator's return(): it would wait for a read in flight (stdin may never answer).
    // Destroying the stream ends that read (with done or an error, both taken as the end).
    this.#stream.destroy?.();
  }
}
