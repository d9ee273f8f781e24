/**
 * HTTP targets for scenarios: a running server by base URL (real connections; concurrent requests
 * each get their own), or an in-process app through `app.request()` (no port).
 */
import type { HttpExchange, HttpTarget } from './types';

/**
 * @example
 * const http = urlTarget(api.url); // e.g. from startApiProcess()
 */
export function urlTarget(baseUrl: string): HttpTarget {
  const base = baseUrl.replace(/\/+$/, '');
  return { description: base, fetch: (path, init) => fetch(base + path, init) };
}

/**
 * @example
 * const http = appTarget(createApp(deps));
 */
export function appTarget(app: {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}): HttpTarget {
  return { description: 'in-process app', fetch: async (path, init) => app.request(path, init) };
}

export interface JsonRequest {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Send a JSON request and capture the exchange (body parsed as JSON when it is JSON). */
export async function exchangeJson(
  http: HttpTarget,
  method: string,
  path: string,
  request: JsonRequest = {},
): Promise<{ exchange: HttpExchange; response: Response; text: string }> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await http.fetch(path, {
    method,
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text as evidence
  }
  return { exchange: { method, path, status: response.status, body }, response, text };
}

/** The per-request SQL statement count the API reports (`EXPOSE_SQL_STATEMENTS=true`). */
export function statementsOf(response: Response): number | null {
  const header = response.headers.get('x-sql-statements');
  return header === null ? null : Number(header);
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
