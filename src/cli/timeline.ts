/**
 * A timeline of which task ran when: spans recorded while a demo runs (a lane, a label, a start, an
 * end and a kind), and a terminal picture of them: one row per lane, bars placed by time, a time
 * axis underneath. Used by `tsio demo`; the same spans go to `--json` and `--trace`.
 */

/**
 * What a span shows, which decides how its bar is drawn:
 * - `async`: a task alive but not holding its thread (awaiting a timer or a socket): `█`
 * - `busy`: a thread or process blocked or computing (a blocking sleep, CPU work): `▓`
 * - `queued`: submitted, waiting for a free worker: `░`
 * - `mark`: an instant (a result arrived, a timeout fired): `│`
 */
export type SpanKind = 'async' | 'busy' | 'queued' | 'mark';

/** One bar of the timeline. Times are milliseconds on one clock (absolute or relative). */
export interface Span {
  /** The row it is drawn on: a task, a request, a worker. */
  readonly lane: string;
  /** What ran (may equal the lane). */
  readonly label: string;
  readonly start: number;
  /** Equal to `start` for a mark. */
  readonly end: number;
  readonly kind: SpanKind;
}

/** Milliseconds since the Unix epoch with sub-millisecond precision, comparable across threads and processes. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Records spans against a clock. Times are kept absolute (so spans measured inside pool workers,
 * which report their own {@link wallClock} readings, fit in) and {@link Timeline.spans} returns
 * them relative to the timeline's origin.
 *
 * @example
 * ```ts
 * const timeline = new Timeline();
 * await timeline.span('t1', 'real_async(1)', () => sleep(100));
 * timeline.mark('main', 'done');
 * console.log(renderTimeline(timeline.spans()));
 * ```
 */
export class Timeline {
  readonly #clock: () => number;
  readonly #spans: Span[] = [];
  /** The clock reading that is time 0 of {@link Timeline.spans}. */
  readonly origin: number;

  constructor(clock: () => number = wallClock) {
    this.#clock = clock;
    this.origin = clock();
  }

  /** The clock's current reading (absolute). */
  now(): number {
    return this.#clock();
  }

  /** Milliseconds since the origin. */
  elapsed(): number {
    return this.#clock() - this.origin;
  }

  /** Adds a span measured elsewhere; `start` and `end` are absolute clock readings. */
  add(lane: string, label: string, start: number, end: number, kind: SpanKind = 'async'): void {
    if (!(Number.isFinite(start) && Number.isFinite(end)) || end < start) {
      throw new RangeError(`a span needs finite times with end >= start; got ${start}..${end}`);
    }
    this.#spans.push({ lane, label, start, end, kind });
  }

  /** Starts a span now; the returned function ends it. */
  begin(lane: string, label: string = lane, kind: SpanKind = 'async'): () => void {
    const start = this.#clock();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.add(lane, label, start, this.#clock(), kind);
    };
  }

  /** Runs `body` inside a span (ended however `body` finishes) and returns its result. */
  async span<T>(
    lane: string,
    label: string,
    body: () => T | PromiseLike<T>,
    kind: SpanKind = 'async',
  ): Promise<Awaited<T>> {
    const end = this.begin(lane, label, kind);
    try {
      return await body();
    } finally {
      end();
    }
  }

  /** Records an instant. */
  mark(lane: string, label: string): void {
    const t = this.#clock();
    this.add(lane, label, t, t, 'mark');
  }

  /** The spans so far, in milliseconds relative to the origin, in the order they were added. */
  spans(): Span[] {
    return this.#spans.map((s) => ({
      ...s,
      start: s.start - this.origin,
      end: s.end - this.origin,
    }));
  }
}

/** Options of {@link renderTimeline}. */
export interface RenderOptions {
  /** Total width in columns. @default 80 */
  readonly width?: number;
  /** ANSI colours. @default false */
  readonly color?: boolean;
  /** Only ASCII characters (`=`, `#`, `.`, `|`). @default false */
  readonly ascii?: boolean;
  /** The time at the right end of the axis. @default the latest span end */
  readonly end?: number;
  /** Indentation of every line. @default '' */
  readonly indent?: string;
}

interface Glyphs {
  readonly bar: Record<SpanKind, string>;
  readonly axis: string;
  readonly tick: string;
  readonly ellipsis: string;
}

const UNICODE: Glyphs = {
  bar: { async: '█', busy: '▓', queued: '░', mark: '│' },
  axis: '─',
  tick: '┬',
  ellipsis: '…',
};

const ASCII: Glyphs = {
  bar: { async: '=', busy: '#', queued: '.', mark: '|' },
  axis: '-',
  tick: '+',
  ellipsis: '~',
};

const COLOURS: Record<SpanKind, string> = {
  async: '\x1b[36m',
  busy: '\x1b[33m',
  queued: '\x1b[2m',
  mark: '\x1b[35m',
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

const LEGEND: Record<SpanKind, string> = {
  async: 'awaiting (event loop free)',
  busy: 'busy (a thread or process blocked or computing)',
  queued: 'queued for a worker',
  mark: 'an event',
};

const LANE_MAX = 22;
const NOTE_MAX = 24;
const KIND_ORDER: readonly SpanKind[] = ['async', 'busy', 'queued', 'mark'];

/** The narrowest timeline `tsio demo` draws (also the least `--width` accepts). */
export const MIN_WIDTH = 60;
/** The widest timeline drawn by default on a terminal (`--width` allows more). */
export const MAX_AUTO_WIDTH = 120;
/** The width drawn by default when stdout is not a terminal. */
export const PIPE_WIDTH = 100;

/**
 * The default timeline width for a terminal of `columns` columns (`undefined` when stdout is not
 * a terminal): the terminal's width between {@link MIN_WIDTH} and {@link MAX_AUTO_WIDTH}, or
 * {@link PIPE_WIDTH} when there is no terminal or it does not say how wide it is.
 *
 * @example
 * ```ts
 * autoWidth(process.stdout.isTTY ? process.stdout.columns : undefined);
 * ```
 */
export function autoWidth(columns: number | undefined): number {
  if (columns === undefined || !Number.isFinite(columns) || columns <= 0) return PIPE_WIDTH;
  return Math.min(MAX_AUTO_WIDTH, Math.max(MIN_WIDTH, Math.floor(columns)));
}

/** Formats a duration in milliseconds for people: `0.4 ms`, `12 ms`, `1,234 ms`, `12.3 s`. */
export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${String(Math.round(ms)).replace(/\B(?=(\d{3})+$)/g, ',')} ms`;
}

function fit(text: string, width: number, ellipsis: string): string {
  const chars = [...text];
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return chars.slice(0, Math.max(0, width - 1)).join('') + ellipsis;
}

/** A step of 1, 2 or 5 times a power of ten giving at most `maxTicks` intervals over `total`. */
function tickStep(total: number, maxTicks: number): number {
  const raw = total / Math.max(1, maxTicks);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function tickLabel(t: number, step: number): string {
  if (step >= 1000 && step % 1000 === 0) return `${t / 1000}s`;
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step)));
  return t.toFixed(decimals);
}

/**
 * Draws `spans` (times relative to 0) as a picture: a row per lane in order of first appearance,
 * bars scaled to the width, a note per row (the duration of a single span, or the labels), a time
 * axis in milliseconds and a legend of the kinds present. Pure: same spans, same picture.
 *
 * @example
 * ```ts
 * renderTimeline([{ lane: 't1', label: 't1', start: 0, end: 100, kind: 'async' }], { width: 40 });
 * ```
 */
export function renderTimeline(spans: readonly Span[], options: RenderOptions = {}): string {
  const g = options.ascii === true ? ASCII : UNICODE;
  const color = options.color === true;
  const indent = options.indent ?? '';
  if (spans.length === 0) return `${indent}(nothing was recorded)\n`;

  const lanes: string[] = [];
  for (const s of spans) if (!lanes.includes(s.lane)) lanes.push(s.lane);
  const laneWidth = Math.min(LANE_MAX, Math.max(...lanes.map((l) => [...l].length)));
  const width = Math.max(laneWidth + NOTE_MAX + 12, options.width ?? 80) - indent.length;
  const barWidth = width - laneWidth - NOTE_MAX - 3;
  const start = Math.min(0, ...spans.map((s) => s.start));
  const total = Math.max(options.end ?? 0, ...spans.map((s) => s.end)) - start || 1;
  const cell = (t: number): number => ((t - start) / total) * barWidth;

  const lines: string[] = [];
  for (const lane of lanes) {
    const row: (SpanKind | null)[] = new Array<SpanKind | null>(barWidth).fill(null);
    const mine = spans.filter((s) => s.lane === lane);
    for (const s of mine.filter((x) => x.kind !== 'mark')) {
      const from = Math.min(barWidth - 1, Math.floor(cell(s.start)));
      const to = Math.max(from + 1, Math.min(barWidth, Math.round(cell(s.end))));
      for (let i = from; i < to; i++) row[i] = s.kind;
    }
    for (const s of mine.filter((x) => x.kind === 'mark')) {
      row[Math.min(barWidth - 1, Math.floor(cell(s.start)))] = 'mark';
    }
    const bars = mine.filter((x) => x.kind !== 'mark');
    let bar = '';
    for (let i = 0; i < barWidth;) {
      const kind = row[i] ?? null;
      let j = i;
      while (j < barWidth && (row[j] ?? null) === kind) j++;
      const run = kind === null ? ' '.repeat(j - i) : g.bar[kind].repeat(j - i);
      bar += color && kind !== null ? COLOURS[kind] + run + RESET : run;
      i = j;
    }
    const named = bars.length > 0 ? bars : mine;
    const labels = [...new Set(named.filter((x) => x.label !== lane).map((x) => x.label))];
    let note = labels.join(', ');
    if (bars.length === 1 && bars[0] !== undefined) {
      const duration = formatMs(bars[0].end - bars[0].start);
      note = note === '' ? duration : `${duration} ${note}`;
    }
    const noteText = fit(note, NOTE_MAX, g.ellipsis).trimEnd();
    lines.push(`${indent}${fit(lane, laneWidth, g.ellipsis)} ${bar} ${noteText}`.trimEnd());
  }

  // The axis: ticks at round times, labels under them where they fit.
  const step = tickStep(total, Math.max(1, Math.floor(barWidth / 10)));
  const axis = new Array<string>(barWidth + 1).fill(g.axis);
  const labelRow = new Array<string>(barWidth + 8).fill(' ');
  for (let t = Math.ceil(start / step) * step; t <= start + total + 1e-9; t += step) {
    const at = Math.min(barWidth, Math.round(cell(t)));
    axis[at] = g.tick;
    const text = [...tickLabel(t, step)];
    const from = Math.min(at, labelRow.length - text.length);
    if (labelRow.slice(Math.max(0, from - 1), from + text.length + 1).every((c) => c === ' ')) {
      text.forEach((c, k) => (labelRow[from + k] = c));
    }
  }
  const pad = ' '.repeat(laneWidth + 1);
  const unit = step >= 1000 && step % 1000 === 0 ? '' : ' ms';
  const axisLine = `${indent}${pad}${axis.join('')}`;
  lines.push(color ? DIM + axisLine + RESET : axisLine);
  lines.push(`${indent}${pad}${labelRow.join('').trimEnd()}${unit}`);

  const present = KIND_ORDER.filter((k) => spans.some((s) => s.kind === k));
  let legend = '';
  let legendWidth = 0;
  for (const k of present) {
    const text = `${g.bar[k]} ${LEGEND[k]}`;
    const shown = color ? COLOURS[k] + g.bar[k] + RESET + text.slice(g.bar[k].length) : text;
    if (legendWidth > 0 && pad.length + legendWidth + 3 + text.length > width) {
      lines.push(`${indent}${pad}${legend}`);
      legend = '';
      legendWidth = 0;
    }
    legend += (legendWidth > 0 ? '   ' : '') + shown;
    legendWidth += (legendWidth > 0 ? 3 : 0) + text.length;
  }
  lines.push(`${indent}${pad}${legend}`);
  return lines.join('\n') + '\n';
}
