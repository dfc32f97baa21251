/**
 * The demos' HTTP client: one GET with Node's built-in `fetch`, the body read as text (the seed
 * uses httpx, aiohttp and requests for the same thing).
 */

/** GETs `url` and resolves with the body; a status other than 2xx is an error. */
export async function getText(url: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(url, signal === undefined ? {} : { signal });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${body}`);
  return body;
}

/** GETs `url` and resolves with the body parsed as JSON. */
export async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  return JSON.parse(await getText(url, signal)) as unknown;
}

/** GETs `url`, drops the body and resolves with the status code. */
export async function getStatus(url: string, signal?: AbortSignal): Promise<number> {
  const response = await fetch(url, signal === undefined ? {} : { signal });
  await response.body?.cancel();
  return response.status;
}
