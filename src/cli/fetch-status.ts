/**
 * The seed's `fetch_status(url)`, grown up: one URL's HTTP status with tsio's primitives and
 * undici. Runs each attempt under a deadline (see `Attempts`), follows redirects itself (to
 * report the final URL and their count), falls back from `HEAD` to `GET`, and retries transient
 * failures after a backoff {@link sleep} that honours `Retry-After`. Never throws for a failed
 * request: that is a result. Only cancellation (the run's stop signal) rejects. The concurrency
 * limits are the caller's (`HostLimits`): the permits are held for the whole check, backoff
 * waits included, so a host that asked to be left alone for a while does not get the freed
 * slot at once.
 */
import type { Dispatcher } from 'undici';
import { TimeoutError, sleep } from '../index.js';
import type { Attempt, Attempts } from './attempts.js';
import { isOk, type OkRanges } from './ok-ranges.js';
import { requestStatus, type Answer } from './request-status.js';

/** What `tsio status` reports for one URL (one line of NDJSON, one row of CSV). */
export interface StatusResult {
  /** The URL's 0-based position in the input. */
  index: number;
  /** The URL as given, with a password in it shown as `***` (see {@link redactUrl}). */
  url: string;
  /** True when a final response arrived and its status is in the `--ok` ranges. */
  ok: boolean;
  /** The final response's status code; null when there was none (an error). */
  status: number | null;
  /** Milliseconds from the first request to the outcome, retries and their waits included. */
  ms: number;
  /** Attempts made (1 + retries used); 0 for an invalid URL. */
  attempts: number;
  /** Redirects followed in the last attempt. */
  redirects: number;
  /** The method of the last request (`HEAD` or `GET`); null for an invalid URL. */
  method: 'HEAD' | 'GET' | null;
  /** The last URL requested (after redirects), its password as `***`; null for an invalid URL. */
  finalUrl: string | null;
  /** What went wrong when no final response arrived; null otherwise. */
  error: string | null;
  /** The error's kind (`timeout`, `connection refused`, ...: see {@link ErrorKind}); null if none. */
  errorKind: ErrorKind | null;
}

/** The kinds of error of a {@link StatusResult}, as counted in the summary. */
export type ErrorKind =
  | 'invalid URL'
  | 'timeout'
  | 'connection refused'
  | 'connection reset'
  | 'DNS failure'
  | 'TLS error'
  | 'network unreachable'
  | 'protocol error'
  | 'too many redirects'
  | 'redirect loop'
  | 'bad redirect'
  | 'network error';

/** `--method`: `auto` sends HEAD and falls back to GET when the server does not do HEAD. */
export type MethodMode = 'auto' | 'head' | 'get';

/** How {@link checkUrl} works; one object shared by every URL of a run. */
export interface CheckContext {
  /** The undici agent (a keep-alive pool per origin). */
  readonly dispatcher: Dispatcher;
  /**
   * The run's attempts in flight, under its stop signal: aborting that signal ends every check
   * (see {@link checkUrl}).
   */
  readonly attempts: Attempts;
  /** Milliseconds per attempt, redirects and the HEAD-to-GET fallback included. */
  readonly timeoutMs: number;
  /** Retries after the first attempt. */
  readonly retries: number;
  /** The first backoff in milliseconds; doubled each retry, with jitter, at most 30 s. */
  readonly backoffMs: number;
  /** `Retry-After` waits longer than this are cut to it. */
  readonly maxRetryAfterMs: number;
  readonly method: MethodMode;
  /** Redirects followed per attempt; 0 reports a 3xx as it is. */
  readonly maxRedirects: number;
  readonly ok: OkRanges;
  /** Called once per HTTP request sent (for the summary's requests/s). */
  readonly onRequest?: () => void;
  /**
   * Origins that answered a HEAD with 405/501: with `--method auto`, later
   * URLs of these origins go straight to GET. Filled in as the run goes.
   */
  readonly noHead?: Set<string>;
  /** Random numbers in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
}

/** The request headers, one object for every request (undici only reads it). */
const HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'user-agent': 'tsio-status',
  accept: '*/*',
});
const BACKOFF_CAP_MS = 30_000;
type Headers = Readonly<Record<string, string>>;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A failure of an attempt that is not a transport error: a redirect gone wrong. */
class RedirectFailure extends Error {
  constructor(
    readonly kind: 'too many redirects' | 'redirect loop' | 'bad redirect',
    message: string,
  ) {
    super(message);
  }
}

/** The bytes of a percent-encoded URL component (`%XX` decoded, anything else as UTF-8). */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  const hex = (i: number): number => {
    const c = bytes[i];
    if (c === undefined) return -1;
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    const lower = c | 0x20;
    return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
  };
  for (let i = 0; i < bytes.length; i++) {
    const hi = bytes[i] === 0x25 ? hex(i + 1) : -1;
    const lo = hi === -1 ? -1 : hex(i + 2);
    if (lo === -1) {
      out[n++] = bytes[i]!;
    } else {
      out[n++] = hi * 16 + lo;
      i += 2;
    }
  }
  return out.subarray(0, n);
}

/**
 * The request headers for `url`: with `Authorization: Basic` when it has credentials
 * (`user:pass@`, percent-decoded, as curl and aiohttp send them), the plain ones otherwise.
 *
 * @example
 * ```ts
 * basicAuthHeaders(new URL('http://u:pa%20ss@h/')).authorization; // 'Basic dTpwYSBzcw=='
 * ```
 */
export function basicAuthHeaders(url: URL): Headers {
  if (url.username === '' && url.password === '') return HEADERS;
  const token = Buffer.concat([
    percentDecode(url.username),
    Buffer.from(':'),
    percentDecode(url.password),
  ]).toString('base64');
  return Object.freeze({ ...HEADERS, authorization: `Basic ${token}` });
}

/**
 * `text` (a URL, as given or as `URL.href`) with the password of its `user:password@` replaced
 * by `***`, so that no output shows it; anything else is returned as it is.
 *
 * @example
 * ```ts
 * redactUrl('http://user:secret@example.com/a'); // 'http://user:***@example.com/a'
 * ```
 */
export function redactUrl(text: string): string {
  if (!text.includes('@')) return text;
  // scheme://authority: the authority ends at / ? # (or \, which http(s) URLs read as /).
  const m = /^(\s*[A-Za-z][A-Za-z0-9+.-]*:[/\\]*)([^/\\?#]*)/.exec(text);
  if (m === null) return text;
  const authority = m[2]!;
  const at = authority.lastIndexOf('@'); // the userinfo ends at the authority's last @
  if (at === -1) return text;
  const colon = authority.indexOf(':');
  if (colon === -1 || colon > at || colon === at - 1) return text; // no password
  const start = m[1]!.length;
  return `${text.slice(0, start + colon + 1)}***${text.slice(start + at)}`;
}

/**
 * Parses `raw` as an absolute http(s) URL; returns the URL or a message saying what is wrong.
 *
 * @example
 * ```ts
 * parseHttpUrl('ftp://x/'); // 'unsupported scheme "ftp:" (expected http: or https:)'
 * ```
 */
export function parseHttpUrl(raw: string): URL | string {
  // canParse first: a URL constructor that throws costs a stack trace (microseconds apiece,
  // which counts in a list of a million bad lines).
  if (!URL.canParse(raw)) {
    return `not an absolute URL (expected http://host/path or https://host/path)`;
  }
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `unsupported scheme ${JSON.stringify(url.protocol)} (expected http: or https:)`;
  }
  if (url.hostname === '') return 'no host (expected http://host/path)';
  return url;
}

const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. Groups: day, month, year, h, m, s. */
const IMF_FIXDATE = new RegExp(`^(?:${DAYS}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
/** RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`. Groups: day, month, 2-digit year, h, m, s. */
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`,
);
/** asctime: `Sun Nov  6 08:49:37 1994`. Groups: month, day, h, m, s, year. */
const ASCTIME_DATE = new RegExp(`^(?:${DAYS}) (${MONTH}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * An HTTP-date (RFC 9110 section 5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms)
 * as milliseconds since the epoch, or null when `text` is none of them or not a real date. Unlike
 * `Date.parse`, which takes `-5`, `0.5` or `2024` for a date, nothing else is accepted.
 */
export function parseHttpDate(text: string, now: number = Date.now()): number | null {
  // [day, month, year, hours, minutes, seconds], as text
  let parts: string[];
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(text)) !== null) {
    parts = match.slice(1);
  } else if ((match = RFC850_DATE.exec(text)) !== null) {
    parts = match.slice(1);
    // A two-digit year more than 50 years ahead is one of the past century (RFC 9110).
    let year = 2000 + Number(parts[2]);
    if (year > new Date(now).getUTCFullYear() + 50) year -= 100;
    parts[2] = String(year);
  } else if ((match = ASCTIME_DATE.exec(text)) !== null) {
    const [, month, day, h, m, s, year] = match;
    parts = [day!, month!, year!, h!, m!, s!];
  } else {
    return null;
  }
  const month = MONTHS.indexOf(parts[1]!);
  const [day, year, h, m, s] = [parts[0], parts[2], parts[3], parts[4], parts[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (h > 23 || m > 59 || s > 60) return null; // 60: a leap second
  const date = new Date(Date.UTC(2000, month, day, h, m, Math.min(s, 59)));
  date.setUTCFullYear(year, month, day); // Date.UTC would read a year 0-99 as 1900-1999
  // 31 Feb and the like roll over into the next month: not a date.
  if (day < 1 || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null;
  return date.getTime();
}

/**
 * Milliseconds a `Retry-After` header asks to wait, or null when it is absent or not valid: only
 * delay-seconds (a non-negative integer) or an HTTP-date (see {@link parseHttpDate}) counts;
 * anything else (`-5`, `1.5`, `2024`, `3, 4`) is ignored and the usual backoff applies. Dates in
 * the past give 0.
 *
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter(new Date(Date.now() + 5000).toUTCString()); // about 5000
 * parseRetryAfter('1.5'); // null
 * ```
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text, now);
  return date === null ? null : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1-based): `base * 2^(retry-1)`, capped at 30 s, with
 * "equal jitter" (between half and all of it) so that many clients do not retry in step.
 */
export function backoffDelay(retry: number, baseMs: number, random: () => number): number {
  const full = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** (retry - 1));
  return full / 2 + (random() * full) / 2;
}

/** Statuses worth retrying when they are not `--ok`: rate limits and transient server errors. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

interface Classified {
  kind: ErrorKind;
  message: string;
  retryable: boolean;
}

const TLS_CODE = /^(CERT_|ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|EPROTO$)/;

/**
 * True for an error of undici's HTTP parser: the server answered something that is not HTTP.
 * undici 7's `HTTPParserError` often has no `code` (`HPE_...` only for some parser errors), so
 * its name counts too, and an `HPE_` code or message where there is one.
 */
function isParserError(e: unknown): boolean {
  const err = e as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (err === null || typeof err !== 'object') return false;
  return (
    err.name === 'HTTPParserError' ||
    (typeof err.code === 'string' && err.code.startsWith('HPE_')) ||
    (typeof err.message === 'string' && err.message.startsWith('HPE_'))
  );
}

/** Turns an attempt's error into a kind, a message and whether a retry may help. */
export function classifyError(e: unknown, timeoutMs: number): Classified {
  if (e instanceof RedirectFailure) return { kind: e.kind, message: e.message, retryable: false };
  const seconds = `${Number((timeoutMs / 1000).toFixed(3))} s`;
  if (e instanceof TimeoutError) {
    return { kind: 'timeout', message: `timeout: no answer within ${seconds}`, retryable: true };
  }
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const detail = typeof err?.message === 'string' ? err.message : String(e);
  const say = (kind: ErrorKind, retryable: boolean): Classified => ({
    kind,
    message: `${kind}: ${detail}${code !== '' && !detail.includes(code) ? ` (${code})` : ''}`,
    retryable,
  });
  switch (code) {
    case 'ECONNREFUSED':
      return say('connection refused', true);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return say('connection reset', true);
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { kind: 'timeout', message: `timeout: ${detail}`, retryable: true };
    case 'ENOTFOUND':
      return say('DNS failure', false);
    case 'EAI_AGAIN':
      return say('DNS failure', true);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return say('network unreachable', true);
  }
  if (TLS_CODE.test(code)) return say('TLS error', false);
  if (
    isParserError(e) ||
    code === 'UND_ERR_INFO' ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'
  ) {
    return say('protocol error', false);
  }
  return say('network error', true);
}

/** Where an attempt got to: read after a failure to report how far it went. */
interface AttemptState {
  url: URL;
  /**
   * The headers for `url`: with the credentials of the URL given (see {@link basicAuthHeaders})
   * until a redirect leaves its origin.
   */
  headers: Headers;
  method: 'HEAD' | 'GET';
  redirects: number;
  /** Set once the server showed it does not do HEAD: later attempts use GET at once. */
  headFailed: boolean;
}

function send(ctx: CheckContext, state: AttemptState, attempt: Attempt): Promise<Answer> {
  ctx.onRequest?.();
  return requestStatus(
    ctx.dispatcher,
    {
      origin: state.url.origin,
      path: state.url.pathname + state.url.search,
      method: state.method,
      headers: state.headers,
      timeoutMs: ctx.timeoutMs,
    },
    attempt,
  );
}

/** Errors on a HEAD that suggest the server mishandles HEAD (it hung up or sent garbage). */
function suggestsNoHead(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || isParserError(e);
}

/** The server at `state.url` said it does not do HEAD: GET from now on, for its other URLs too. */
function noHead(ctx: CheckContext, state: AttemptState): void {
  state.method = 'GET';
  state.headFailed = true;
  ctx.noHead?.add(state.url.origin);
}

/** One attempt: the request, the HEAD-to-GET fallback and the redirects. */
async function attemptOnce(
  ctx: CheckContext,
  state: AttemptState,
  attempt: Attempt,
): Promise<Answer> {
  const visited = new Set<string>([state.url.href]);
  for (;;) {
    let answer: Answer;
    try {
      answer = await send(ctx, state, attempt);
    } catch (e) {
      if (
        ctx.method === 'auto' &&
        state.method === 'HEAD' &&
        !attempt.aborted &&
        suggestsNoHead(e)
      ) {
        // This URL only: a hang-up says less about the whole server than a 405 does.
        state.method = 'GET';
        state.headFailed = true;
        continue;
      }
      throw e;
    }
    if (
      ctx.method === 'auto' &&
      state.method === 'HEAD' &&
      (answer.status === 405 || answer.status === 501)
    ) {
      noHead(ctx, state);
      continue;
    }
    if (!REDIRECTS.has(answer.status) || ctx.maxRedirects === 0) return answer;
    const location = answer.location;
    if (location === undefined) return answer; // a 3xx without Location is just a status
    let next: URL;
    try {
      next = new URL(location, state.url);
    } catch {
      throw new RedirectFailure(
        'bad redirect',
        `bad redirect: Location ${JSON.stringify(redactUrl(location))} is not a URL`,
      );
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new RedirectFailure(
        'bad redirect',
        `bad redirect: Location ${JSON.stringify(redactUrl(location))} is not http(s)`,
      );
    }
    if (state.redirects >= ctx.maxRedirects) {
      throw new RedirectFailure(
        'too many redirects',
        `too many redirects: more than ${ctx.maxRedirects} (--max-redirects), next ${redactUrl(next.href)}`,
      );
    }
    if (visited.has(next.href)) {
      throw new RedirectFailure(
        'redirect loop',
        `redirect loop: ${redactUrl(state.url.href)} redirects back to ${redactUrl(next.href)}, already visited`,
      );
    }
    visited.add(next.href);
    state.redirects++;
    // Credentials go to the origin they were given for only (as curl and aiohttp do): a redirect
    // elsewhere drops them, unless its Location carries its own. (A relative Location keeps the
    // URL's user:password@, so same-origin redirects keep them.)
    if (next.origin !== state.url.origin || next.username !== '' || next.password !== '') {
      state.headers = basicAuthHeaders(next);
    }
    state.url = next;
  }
}

/** The result for a URL that is not an absolute http(s) URL (`why`: from {@link parseHttpUrl}). */
export function invalidUrlResult(index: number, raw: string, why: string): StatusResult {
  return {
    index,
    url: redactUrl(raw),
    ok: false,
    status: null,
    ms: 0,
    attempts: 0,
    redirects: 0,
    method: null,
    finalUrl: null,
    error: `invalid URL: ${why}`,
    errorKind: 'invalid URL',
  };
}

/**
 * Checks one URL (`url`, parsed from `raw` by {@link parseHttpUrl}) and resolves with its
 * {@link StatusResult}; rejects only with the reason of `ctx.attempts.signal` when it aborts
 * (the run was stopped).
 *
 * @example
 * ```ts
 * const result = await checkUrl(0, raw, new URL(raw), ctx);
 * console.log(result.status, result.ms);
 * ```
 */
export async function checkUrl(
  index: number,
  raw: string,
  url: URL,
  ctx: CheckContext,
): Promise<StatusResult> {
  const signal = ctx.attempts.signal;
  const random = ctx.random ?? Math.random;
  const start = performance.now();
  const headers = basicAuthHeaders(url);
  const state: AttemptState = {
    url,
    headers,
    method: 'HEAD',
    redirects: 0,
    headFailed: ctx.noHead?.has(url.origin) === true,
  };
  for (let attempts = 1; ; attempts++) {
    state.url = url;
    state.headers = headers;
    state.redirects = 0;
    state.method = ctx.method === 'get' || state.headFailed ? 'GET' : 'HEAD';
    let answer: Answer | null = null;
    let failure: Classified | null = null;
    const attempt = ctx.attempts.begin(ctx.timeoutMs);
    try {
      answer = await attemptOnce(ctx, state, attempt);
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      failure = classifyError(attempt.timedOut ? attempt.reason : e, ctx.timeoutMs);
    } finally {
      ctx.attempts.end(attempt);
    }
    const ok = answer !== null && isOk(ctx.ok, answer.status);
    const retry =
      attempts <= ctx.retries &&
      (failure !== null ? failure.retryable : !ok && retryableStatus(answer!.status));
    if (!retry) {
      return {
        index,
        url: redactUrl(raw),
        ok,
        status: answer?.status ?? null,
        ms: Math.round((performance.now() - start) * 10) / 10,
        attempts,
        redirects: state.redirects,
        method: state.method,
        finalUrl: redactUrl(state.url.href),
        error: failure?.message ?? null,
        errorKind: failure?.kind ?? null,
      };
    }
    const asked = answer === null ? null : parseRetryAfter(answer.retryAfter);
    const wait =
      asked !== null
        ? Math.min(asked, ctx.maxRetryAfterMs)
        : backoffDelay(attempts, ctx.backoffMs, random);
    await sleep(wait, undefined, { signal });
  }
}
