/**
 * The summary of a `tsio status` run: counts, the status-code and error-kind breakdowns, latency
 * percentiles (from a fixed-size histogram, so 10,000 URLs cost no more than 10), wall time and
 * rates. Results are added as they finish and not kept: counters and a histogram, whatever the
 * number of URLs.
 */
import { Histogram } from '../internal/histogram.js';
import type { StatusResult } from './fetch-status.js';

/** The summary, as printed and as the `summary` of `--format json`. */
export interface StatusSummary {
  /** URLs given (read from the input: all of them unless the run was interrupted). */
  total: number;
  /** Finished with an `--ok` status. */
  ok: number;
  /** Finished otherwise (a status outside `--ok`, an error, an invalid URL). */
  failed: number;
  /** Not finished because the run was interrupted (SIGINT). */
  unfinished: number;
  interrupted: boolean;
  /**
   * False when the run stopped (interrupted) before reading all of its input files or stdin:
   * `total` counts only the URLs read then (and all the arguments).
   */
  inputComplete: boolean;
  /** The `--ok` ranges. */
  okStatuses: string;
  /** Final status codes: `{ "200": 9, "404": 1 }`. */
  statuses: Record<string, number>;
  /** Errors by kind: `{ "timeout": 2, "connection refused": 1 }`. */
  errors: Record<string, number>;
  /**
   * Milliseconds per URL (of those that were requested), retries included; each null when no
   * URL was (an interrupted run with no result, only invalid URLs).
   */
  latencyMs: {
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
    mean: number | null;
  };
  /** HTTP requests sent (retries, redirects and HEAD-to-GET fallbacks included). */
  requests: number;
  wallMs: number;
  urlsPerSecond: number;
  requestsPerSecond: number;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Adds up results as they finish. */
export class SummaryCollector {
  readonly #histogram = new Histogram();
  readonly #statuses = new Map<number, number>();
  readonly #errors = new Map<string, number>();
  #ok = 0;
  #failed = 0;
  /** HTTP requests sent so far. */
  requests = 0;

  /** Results finished so far. */
  get finished(): number {
    return this.#ok + this.#failed;
  }
  get okCount(): number {
    return this.#ok;
  }
  get failedCount(): number {
    return this.#failed;
  }

  add(result: StatusResult): void {
    if (result.ok) this.#ok++;
    else this.#failed++;
    if (result.status !== null) {
      this.#statuses.set(result.status, (this.#statuses.get(result.status) ?? 0) + 1);
    }
    if (result.errorKind !== null) {
      this.#errors.set(result.errorKind, (this.#errors.get(result.errorKind) ?? 0) + 1);
    }
    if (result.attempts > 0) this.#histogram.record(result.ms);
  }

  /** The summary of a run of `total` URLs that took `wallMs`. */
  summary(
    total: number,
    wallMs: number,
    interrupted: boolean,
    okStatuses: string,
    inputComplete = true,
  ): StatusSummary {
    const p = this.#histogram.percentiles();
    const ms = (n: number): number | null => (p.count === 0 ? null : round1(n));
    const seconds = wallMs / 1000;
    const statuses: Record<string, number> = {};
    for (const [code, n] of [...this.#statuses].sort((a, b) => a[0] - b[0])) statuses[code] = n;
    const errors: Record<string, number> = {};
    for (const [kind, n] of [...this.#errors].sort((a, b) => b[1] - a[1])) errors[kind] = n;
    return {
      total,
      ok: this.#ok,
      failed: this.#failed,
      unfinished: total - this.finished,
      interrupted,
      inputComplete,
      okStatuses,
      statuses,
      errors,
      latencyMs: {
        p50: ms(p.p50),
        p90: ms(p.p90),
        p99: ms(p.p99),
        max: ms(p.max),
        mean: ms(p.mean),
      },
      requests: this.requests,
      wallMs: round1(wallMs),
      urlsPerSecond: seconds > 0 ? round1(this.finished / seconds) : 0,
      requestsPerSecond: seconds > 0 ? round1(this.requests / seconds) : 0,
    };
  }
}

/** Milliseconds for people: `850 ms`, `12.3 s`; `-` for null (none measured). */
export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const breakdown = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');

/**
 * The summary as a few lines of text.
 *
 * @example
 * ```text
 * 10 URLs: 8 ok, 2 failed (ok = status 200-399)
 * statuses: 200: 7, 301: 1, 404: 1
 * errors: timeout: 1
 * latency: p50 12 ms, p90 40 ms, p99 95 ms, max 100 ms
 * time: 1.23 s, 8.1 URLs/s, 12 requests (9.7/s)
 * ```
 */
export function formatSummary(s: StatusSummary): string {
  const lines = [
    `${s.total} URL${s.total === 1 ? '' : 's'}: ${s.ok} ok, ${s.failed} failed` +
      `${s.unfinished > 0 ? `, ${s.unfinished} not finished` : ''} (ok = status ${s.okStatuses})`,
  ];
  if (s.interrupted) {
    lines.push(
      `interrupted: ${s.unfinished} URL(s) were cancelled unfinished` +
        (s.inputComplete ? '' : '; the rest of the input was not read (nor counted)'),
    );
  }
  if (Object.keys(s.statuses).length > 0) lines.push(`statuses: ${breakdown(s.statuses)}`);
  if (Object.keys(s.errors).length > 0) lines.push(`errors: ${breakdown(s.errors)}`);
  const l = s.latencyMs;
  lines.push(
    `latency: p50 ${formatMs(l.p50)}, p90 ${formatMs(l.p90)}, p99 ${formatMs(l.p99)}, max ${formatMs(l.max)}`,
  );
  lines.push(
    `time: ${formatMs(s.wallMs)}, ${s.urlsPerSecond} URLs/s, ${s.requests} request${s.requests === 1 ? '' : 's'} (${s.requestsPerSecond}/s)`,
  );
  return lines.join('\n') + '\n';
}
