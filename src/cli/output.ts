/**
 * The output formats of `tsio status`: `table`, `json`, `ndjson` and `csv`. Every writer streams:
 * a result is written when it arrives (in completion order that is as it finishes) and then
 * forgotten, so the output of 10,000 URLs is never held in memory.
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

/** Writes results in one format. */
export interface ResultWriter {
  /** Before the first result (a header, an opening bracket). */
  begin(): void;
  /** One result. */
  result(r: StatusResult): void;
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

/** A result as a JSON object with the fields in a fixed order. */
function ordered(r: StatusResult): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of FIELDS) o[f] = r[f];
  return o;
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
  switch (format) {
    case 'table':
      return {
        begin: () => out.write(tableRow(TABLE_HEADER) + '\n'),
        result: (r) => out.write(formatTableRow(r) + '\n'),
        end: (s) => out.write('\n' + formatSummary(s)),
      };
    case 'json': {
      let first = true;
      return {
        begin: () => out.write('{\n"results": ['),
        result: (r) => {
          out.write((first ? '\n  ' : ',\n  ') + JSON.stringify(ordered(r)));
          first = false;
        },
        end: (s) =>
          out.write(`${first ? '' : '\n'}],\n"summary": ${JSON.stringify(s, null, 2)}\n}\n`),
      };
    }
    case 'ndjson':
      return {
        begin: () => {},
        result: (r) => out.write(JSON.stringify(ordered(r)) + '\n'),
        end: (s) => err.write(formatSummary(s)),
      };
    case 'csv':
      return {
        begin: () => out.write(csvRecord(FIELDS) + '\r\n'),
        result: (r) => out.write(csvRecord(FIELDS.map((f) => r[f])) + '\r\n'),
        end: (s) => err.write(formatSummary(s)),
      };
  }
}
