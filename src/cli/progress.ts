/**
 * The live progress bar of `tsio status`: one line on stderr, redrawn at most 10 times a second
 * (only when something changed), cleared before other output is written and when the run ends.
 */

/** What the bar shows, read at each redraw. */
export interface ProgressCounts {
  readonly done: number;
  /**
   * URLs in all: exact, or estimated (`exact` false: the input is read as the run goes, and its
   * share read so far gives an estimate), or null when not known yet (stdin).
   */
  readonly total: { readonly total: number; readonly exact: boolean } | null;
  readonly ok: number;
  readonly failed: number;
  readonly inFlight: number;
}

const REDRAW_MS = 100;

/**
 * A one-line progress bar on `stream` (meant for a terminal; `tsio status` shows it only when
 * stderr is one, unless `--progress`/`--no-progress` says otherwise).
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stderr, () => counts);
 * bar.start();
 * // ... bar.clear() before writing to the same terminal ...
 * bar.stop();
 * ```
 */
export class ProgressBar {
  readonly #stream: NodeJS.WritableStream & { columns?: number };
  readonly #read: () => ProgressCounts;
  readonly #started = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #shown = '';
  #drawn = false;

  constructor(stream: NodeJS.WritableStream & { columns?: number }, read: () => ProgressCounts) {
    this.#stream = stream;
    this.#read = read;
  }

  /** Draws now and then every 100 ms. */
  start(): void {
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
    this.#timer.unref();
  }

  /** Erases the bar's line (it comes back at the next redraw). */
  clear(): void {
    if (!this.#drawn) return;
    this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
    this.#shown = '';
  }

  /** Stops redrawing and erases the bar. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }

  /** The bar's text for a terminal `columns` wide. */
  render(columns: number): string {
    const c = this.#read();
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1);
    // Not known (yet): the count alone and an empty bar; estimated: `~` before the total.
    const total = c.total === null ? null : Math.max(c.total.total, c.done);
    const shown = total === null ? '?' : `${c.total!.exact ? '' : '~'}${total}`;
    const fraction = total === null ? 0 : c.done / Math.max(1, total);
    const percent = total === null ? '  -' : String(Math.floor(100 * fraction)).padStart(3);
    const counts =
      ` ${String(c.done).padStart(shown.length)}/${shown} ${percent}%` +
      `  ok ${c.ok}  failed ${c.failed}  active ${c.inFlight}  ${seconds} s`;
    const width = Math.max(10, Math.min(40, columns - counts.length - 3));
    const filled = Math.round(width * fraction);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${counts}`.slice(0, columns - 1);
  }

  #draw(): void {
    // A pty with no size set (e.g. under `script`) says 0 columns: take 80 then too.
    const columns = this.#stream.columns;
    const line = this.render(columns !== undefined && columns > 0 ? columns : 80);
    if (line === this.#shown && this.#drawn) return;
    this.#stream.write(`\r${line}\x1b[K`);
    this.#shown = line;
    this.#drawn = true;
  }
}
