/**
 * `tsio status --ok RANGES`: which HTTP status codes count as success. A list of codes (`204`),
 * ranges (`200-299`) and classes (`2xx`), separated by commas.
 */

/** A parsed `--ok` value: inclusive `[from, to]` ranges of status codes. */
export interface OkRanges {
  /** The ranges, as given (normalised to `[from, to]`). */
  readonly ranges: readonly (readonly [number, number])[];
  /** The text they were parsed from, for the summary. */
  readonly text: string;
}

/** The default: every 2xx and 3xx (a 3xx is only seen unfollowed, with `--max-redirects 0`). */
export const DEFAULT_OK = '200-399';

/**
 * Parses `--ok` text (`"200-299,304"`, `"2xx,3xx"`), or throws an `Error` naming the bad part
 * and the expected form. Codes must lie in 100-599.
 *
 * @example
 * ```ts
 * isOk(parseOkRanges('2xx,304'), 304); // true
 * ```
 */
export function parseOkRanges(text: string): OkRanges {
  const ranges: [number, number][] = [];
  const parts = text.split(',').map((p) => p.trim());
  for (const part of parts) {
    let m: RegExpExecArray | null;
    let range: [number, number] | null = null;
    if ((m = /^([1-5])xx$/i.exec(part)) !== null) {
      const base = Number(m[1]) * 100;
      range = [base, base + 99];
    } else if ((m = /^(\d{3})$/.exec(part)) !== null) {
      range = [Number(m[1]), Number(m[1])];
    } else if ((m = /^(\d{3})\s*-\s*(\d{3})$/.exec(part)) !== null) {
      range = [Number(m[1]), Number(m[2])];
    }
    if (range === null || range[0] < 100 || range[1] > 599 || range[0] > range[1]) {
      throw new Error(
        `${JSON.stringify(part)} is not a status code (100-599), a range like 200-299 or a class like 2xx`,
      );
    }
    ranges.push(range);
  }
  return { ranges, text: parts.join(',') };
}

/** True when `status` lies in one of `ok`'s ranges. */
export function isOk(ok: OkRanges, status: number): boolean {
  for (const [from, to] of ok.ranges) if (status >= from && status <= to) return true;
  return false;
}
