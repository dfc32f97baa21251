/**
 * Where `tsio status` gets its URLs: the arguments, `-f FILE` (repeatable, `-` for stdin), or
 * stdin when neither is given and stdin is not a terminal. Lines are trimmed; blank lines and
 * lines starting with `#` are skipped. Nothing is validated here: a bad URL is a result, not a
 * usage error.
 *
 * Files and stdin are read lazily, a line at a time as the run asks for the next URL (see
 * {@link UrlInput}), so a list of a million URLs is never held in memory. Every file is opened
 * up front, so a missing one is still a usage error before anything is requested.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { UsageError } from './args.js';
import { LineReader, type DestroyableStream } from './line-reader.js';

/** The URL on one line of a list, or null for a blank line or a `#` comment. */
export function urlOfLine(line: string): string | null {
  const url = line.trim();
  return url === '' || url.startsWith('#') ? null : url;
}

/** The URLs of a list file's text: one per line, blank lines and `#` comments skipped. */
export function parseUrlLines(text: string): string[] {
  const urls: string[] = [];
  for (const line of text.split('\n')) {
    const url = urlOfLine(line);
    if (url !== null) urls.push(url);
  }
  return urls;
}

/** Where {@link UrlInput.open} reads from; injectable for tests. */
export interface UrlSources {
  /** The positional arguments. */
  readonly args: readonly string[];
  /** The `-f/--file` values, in order (`-` = stdin). */
  readonly files: readonly string[];
  /** Standard input (absent: never read). */
  readonly stdin?: DestroyableStream & { isTTY?: boolean };
}

/** How much of the input there is, as far as it is known (for the progress bar). */
export interface InputSize {
  /** URLs in the input: exact, or an estimate from the bytes read (`exact` false). */
  readonly total: number;
  readonly exact: boolean;
}

/** A list source not read yet: an open file (with its size) or stdin. */
interface Source {
  open(): DestroyableStream;
  /** Bytes, when known (a regular file). */
  readonly size: number | null;
  /** Releases it without reading it. */
  discard(): Promise<void>;
}

function cannotRead(file: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
  return new UsageError(
    `cannot read --file ${JSON.stringify(file)} (${why ?? String(e)}); expected a text file with one URL per line`,
  );
}

async function openFile(file: string): Promise<Source> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw cannotRead(file, e);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('a directory'), { code: 'EISDIR' });
    return {
      open: () => handle.createReadStream({ highWaterMark: 64 * 1024 }),
      size: stat.isFile() ? stat.size : null,
      discard: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw cannotRead(file, e);
  }
}

/**
 * The URLs of a run, in order (the arguments, then each file), handed out one at a time by
 * {@link UrlInput.next}: files and stdin are read a chunk at a time as URLs are asked for.
 *
 * @example
 * ```ts
 * const input = await UrlInput.open({ args, files, stdin: process.stdin }); // UsageError if none
 * for (let url = await input.next(); url !== null; url = await input.next()) check(url);
 * input.close();
 * ```
 */
export class UrlInput {
  readonly #args: readonly string[];
  #argsNext = 0;
  readonly #sources: Source[];
  /** The reader of the source being read, or null before the first and after the last. */
  #reader: LineReader | null = null;
  /** Bytes of the sources before the current one (all regular files so far). */
  #bytesBefore = 0;
  #lines = 0;
  #read = 0;
  /** The first URL, read by {@link UrlInput.open} to tell an empty input from the start. */
  #peeked: string | null = null;
  #closed = false;
  readonly #totalBytes: number | null;

  private constructor(args: readonly string[], sources: Source[]) {
    this.#args = args;
    this.#sources = sources;
    let total: number | null = 0;
    for (const s of sources) total = total === null || s.size === null ? null : total + s.size;
    this.#totalBytes = total;
  }

  /**
   * Opens the input: every file (a missing or unreadable one is a {@link UsageError}), and
   * stdin when a file is `-` or when there are neither arguments nor files (a terminal there is
   * a usage error). Reads up to the first URL: no URL at all is a {@link UsageError} too.
   */
  static async open({ args, files, stdin }: UrlSources): Promise<UrlInput> {
    const sources: Source[] = [];
    const stdinSource = (): Source => {
      if (stdin === undefined || sources.some((s) => s.open === readStdin)) {
        throw new UsageError('stdin (-f -) can only be read once');
      }
      return { open: readStdin, size: null, discard: () => Promise.resolve() };
    };
    const readStdin = (): DestroyableStream => stdin!;
    try {
      for (const file of files) sources.push(file === '-' ? stdinSource() : await openFile(file));
      if (args.length === 0 && files.length === 0) {
        if (stdin === undefined || stdin.isTTY === true) {
          throw new UsageError(
            'no URLs: give them as arguments, with -f FILE, or on stdin (e.g. cat urls.txt | tsio status)',
          );
        }
        sources.push(stdinSource());
      }
    } catch (e) {
      await Promise.all(sources.map((s) => s.discard()));
      throw e;
    }
    const input = new UrlInput(args, sources);
    const first = await input.#pull();
    if (first === null) {
      input.close();
      throw new UsageError(
        'no URLs: the arguments, files and stdin held none (blank lines and # comments are skipped)',
      );
    }
    input.#peeked = first;
    return input;
  }

  /** URLs handed out by {@link UrlInput.next} so far. */
  get read(): number {
    return this.#read;
  }

  /** True once every URL of the input was handed out (or the input was closed). */
  get done(): boolean {
    return (
      this.#closed ||
      (this.#peeked === null &&
        this.#argsNext === this.#args.length &&
        this.#sources.length === 0 &&
        (this.#reader === null || this.#reader.done))
    );
  }

  /**
   * True when {@link UrlInput.known} counts every URL of the input: the files and stdin were
   * read to the end (only arguments, if any, are left).
   */
  get counted(): boolean {
    return this.#sources.length === 0 && (this.#reader === null || this.#reader.done);
  }

  /**
   * URLs known so far: those handed out and the arguments still to come (a file's rest is not
   * counted: it is not read yet). When {@link UrlInput.done}, the size of the input.
   */
  get known(): number {
    return this.#read + (this.#peeked === null ? 0 : 1) + (this.#args.length - this.#argsNext);
  }

  /**
   * The number of URLs in the input: exact when only arguments are left or all was read; else
   * estimated from the share of the files' bytes read so far (when their sizes are known).
   */
  size(): InputSize | null {
    if (this.done || this.counted) return { total: this.known, exact: true };
    const bytes = this.#bytesBefore + (this.#reader?.bytesRead ?? 0);
    if (this.#totalBytes === null || bytes === 0 || this.#lines === 0) return null;
    const fromFiles = Math.round((this.#lines * this.#totalBytes) / bytes);
    return { total: this.#args.length + fromFiles, exact: false };
  }

  /** The next URL, or null when there are no more. */
  async next(): Promise<string | null> {
    let url = this.#peeked;
    this.#peeked = null;
    url ??= await this.#pull();
    if (url !== null) this.#read++;
    return url;
  }

  async #pull(): Promise<string | null> {
    if (this.#closed) return null;
    if (this.#argsNext < this.#args.length) return this.#args[this.#argsNext++]!;
    for (;;) {
      if (this.#reader === null) {
        const source = this.#sources.shift();
        if (source === undefined) return null;
        this.#reader = new LineReader(source.open());
      }
      for (let line = await this.#reader.next(); line !== null; line = await this.#reader.next()) {
        const url = urlOfLine(line);
        if (url !== null) {
          this.#lines++;
          return url;
        }
      }
      if (this.#closed) return null;
      this.#bytesBefore += this.#reader.bytesRead;
      this.#reader.close();
      this.#reader = null;
    }
  }

  /** Stops reading: {@link UrlInput.next} returns null from now on; files and stdin are let go. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peeked = null;
    this.#reader?.close();
    this.#reader = null;
    for (const s of this.#sources.splice(0)) void s.discard().catch(() => {});
  }
}
