/**
 * One HTTP request of `tsio status`, for its status line: sent with undici's `dispatch` and a
 * small handler instead of `request()`, so a request makes no body stream, no AbortSignal and
 * no listener (a run makes hundreds of thousands of them). The body is never kept: a small one
 * (up to {@link DUMP_LIMIT}) is read and dropped so that the connection can be reused, a bigger
 * one is cut off (the connection closes), as `body.dump({ limit })` does.
 */
import type { Dispatcher } from 'undici';
import type { Attempt } from './attempts.js';

/** Bytes of a body read (to keep the connection) before the connection is dropped instead. */
export const DUMP_LIMIT = 64 * 1024;

/** What a response said that `tsio status` uses. */
export interface Answer {
  status: number;
  retryAfter: string | string[] | undefined;
  location: string | undefined;
}

/** The request: as undici's dispatch options, without a body. */
export interface StatusRequest {
  readonly origin: string;
  readonly path: string;
  readonly method: 'HEAD' | 'GET';
  readonly headers: Readonly<Record<string, string>>;
  /** Milliseconds to wait for the headers, and between body chunks. */
  readonly timeoutMs: number;
}

type Controller = Dispatcher.DispatchController;

/**
 * Sends `req` on `dispatcher` and resolves with the answer once the body is read or cut off
 * (an error after the headers does not change the answer). Rejects with the transport error,
 * or with `attempt.reason` when `attempt` is aborted (its deadline, the run stopping) before
 * the headers arrive.
 */
export function requestStatus(
  dispatcher: Dispatcher,
  req: StatusRequest,
  attempt: Attempt,
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (attempt.aborted) {
      reject(attempt.reason);
      return;
    }
    let answer: Answer | null = null;
    let bytes = 0;
    let settled = false;
    /** The reason given to abort() before undici handed over its controller. */
    let early: Error | null = null;
    let controller: Controller | null = null;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      attempt.onAbort = null;
      resolve(answer!);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      attempt.onAbort = null;
      reject(attempt.aborted ? (attempt.reason as Error) : (error as Error));
    };
    /** Drops the rest of the body (and so the connection): the answer stands. */
    const cutOff = (c: Controller): void => {
      finish();
      c.abort(new Error('tsio status: response body over the limit, not read'));
    };
    attempt.onAbort = (reason) => {
      if (answer !== null) {
        // The headers are in: the answer stands, the body is dropped.
        finish();
        controller?.abort(reason as Error);
        return;
      }
      if (controller === null) early = reason as Error;
      else controller.abort(reason as Error);
      fail(reason);
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (early !== null || settled) c.abort(early ?? new Error('tsio status: not needed'));
      },
      onResponseStart(c, statusCode, headers) {
        const location = headers.location;
        answer = {
          status: statusCode,
          retryAfter: headers['retry-after'],
          location: Array.isArray(location) ? location[0] : location,
        };
        const length = Number(headers['content-length']);
        if (req.method === 'GET' && length > DUMP_LIMIT) cutOff(c);
      },
      onResponseData(c, chunk) {
        bytes += chunk.length;
        if (bytes > DUMP_LIMIT && !settled) cutOff(c);
      },
      onResponseEnd() {
        finish();
      },
      onResponseError(_c, error) {
        if (answer !== null) finish();
        else fail(error);
      },
    };
    dispatcher.dispatch(
      {
        origin: req.origin,
        path: req.path,
        method: req.method,
        headers: req.headers,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      },
      handler,
    );
  });
}
