/**
 * The output formats of `tsio status`: `table`, `json`, `ndjson` and `csv`. Every writer streams:
 * a result is written when it arrives (in completion order that is as it finishes; in input order
 * when its turn comes) and then forgotten, so the output of a million URLs is never held in
 * memory. The table's columns have fixed widths (the URL comes last), so no row waits for the
 * widest; JSON is one document written piece by piece.
 *
 * - `table`: aligned columns on stdout, then a blank line and the summary.
 * - `json`: one document `{ "results": [...], "summary": {...} }` on stdout, one result per line.
 * - `ndjson`: one JSON object per line on stdout; the summary goes to stderr.
 * - `csv`: RFC 4180 (CRLF, fields with commas, quotes or line breaks quoted) with a header row on
 *   stdout; the summary goes to stderr.
 */
import type { StatusResult } from './fetch-status.js';
import { formatMs, formatSummary, type StatusSummary } from './status-summary.js';

/** The `--format` choices. */
export const FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** Where a writer's text goes. */
export interface TextOut {
  write(text: string): void;
}

/**
 * Writes results in one format. A result is first turned into its text ({@link
 * ResultWriter.format}), which is all `--order input` keeps of a result that waits for its turn,
 * then written ({@link ResultWriter.write}), which adds what goes between results.
 */
export interface ResultWriter {
  /** Before the first result (a header, an opening bracket). */
  begin(): void;
  /** One result's text in this format (a row, an object), without separators. */
  format(r: StatusResult): string;
  /** Writes the text of one result, from {@link ResultWriter.format}. */
  write(text: string): void;
  /** After the last result: closes the document and writes the summary where it belongs. */
  end(summary: StatusSummary): void;
}

/** The columns of CSV and the keys of JSON, in order. */
export const FIELDS = [
  'index',
  'url',
  'ok',
  'status',
  'ms',
  'attempts',
  'redirects',
  'method',
  'finalUrl',
  'error',
  'errorKind',
] as const satisfies readonly (keyof StatusResult)[];

/**
 * A result as one JSON object, the fields in the order of {@link FIELDS}. An object literal of a
 * fixed shape takes `JSON.stringify`'s fast path (several times faster than a key list, its slow
 * path) and gives one flat string, which is what `--order input` keeps while a result waits.
 */
export function resultJson(r: StatusResult): string {
  return JSON.stringify({
    index: r.index,
    url: r.url,
    ok: r.ok,
    status: r.status,
    ms: r.ms,
    attempts: r.attempts,
    redirects: r.redirects,
    method: r.method,
    finalUrl: r.finalUrl,
    error: r.error,
    errorKind: r.errorKind,
  } satisfies Record<(typeof FIELDS)[number], unknown>);
}

/**
 * One CSV field per RFC 4180: quoted (with `"` doubled) when it holds a comma, a quote, CR or LF
 * (or starts or ends with a space, which some readers trim); `null` is an empty field.
 *
 * @example
 * ```ts
 * csvField('a,"b"'); // '"a,""b"""'
 * ```
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]|^ | $/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record (without the line break). */
export function csvRecord(values: readonly (string | number | boolean | null)[]): string {
  return values.map(csvField).join(',');
}

/** Control characters shown as escapes, so that one result stays one table row. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

const TABLE_HEADER = ['RESULT', 'STATUS', 'TIME', 'TRIES', 'REDIRS', 'METHOD', 'URL'];

function tableRow(cells: readonly string[]): string {
  const [result, status, time, tries, redirs, method, rest] = cells;
  return [
    result!.padEnd(6),
    status!.padStart(6),
    time!.padStart(9),
    tries!.padStart(5),
    redirs!.padStart(6),
    method!.padEnd(6),
    rest!,
  ].join('  ');
}

/** One result as a table row: fixed-width columns, then the URL, where it led, and the error. */
export function formatTableRow(r: StatusResult): string {
  let where = printable(r.url);
  if (r.finalUrl !== null && r.redirects > 0) where += ` -> ${printable(r.finalUrl)}`;
  if (r.error !== null) where += `  (${printable(r.error)})`;
  return tableRow([
    r.ok ? 'ok' : 'FAIL',
    r.status === null ? '-' : String(r.status),
    r.attempts === 0 ? '-' : formatMs(r.ms),
    String(r.attempts),
    String(r.redirects),
    r.method ?? '-',
    where,
  ]);
}

/**
 * The writer for `format`: results to `out`; the summary to `out` for table and json, to `err`
 * (as text) for ndjson and csv.
 */
export function createWriter(format: Format, out: TextOut, err: TextOut): ResultWriter {
  const line = (text: string): void => out.write(text + '\n');
  switch (format) {
    case 'table':
      return {
        begin: () => line(tableRow(TABLE_HEADER)),
        format: formatTableRow,
        write: line,
        end: (s) => out.write('\n' + formatSummary(s)),
      };
    case 'json': {
      let first = true;
      return {
        begin: () => out.write('{\n"results": ['),
        format: (r) => resultJson(r),
        write: (text) => {
          out.write((first ? '\n  ' : ',\n  ') + text);
          first = false;
        },
        end: (s) =>
          out.write(`${first ? '' : '\n'}],\n"summary": ${JSON.stringify(s, null, 2)}\n}\n`),
      };
    }
    case 'ndjson':
      return {
        begin: () => {},
        format: (r) => resultJson(r),
        write: line,
        end: (s) => err.write(formatSummary(s)),
      };
    case 'csv':
      return {
        begin: () => out.write(csvRecord(FIELDS) + '\r\n'),
        format: (r) => csvRecord(FIELDS.map((f) => r[f])),
        write: (text) => out.write(text + '\r\n'),
        end: (s) => err.write(formatSummary(s)),
      };
  }
}
