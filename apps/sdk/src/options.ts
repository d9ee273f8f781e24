/** Options both client factories take. */
import type { FetchLike } from './resilient-fetch';
import type { RetryOptions } from './retry-policy';

/** A bearer token, or a function that returns the current one (refreshing it if it must). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface ClientOptions {
  /**
   * Where the API is: its origin, e.g. `https://api.quickeats.example` (REST lives under `/api/v2`,
   * tRPC under `/trpc`). In a browser page served by the same origin, `''` or `location.origin`.
   */
  baseUrl: string;
  /** Token to send; `login()` replaces it. */
  token?: TokenSource;
  /** Retry policy (see `RetryOptions`); `{ maxAttempts: 1 }` turns retries off. */
  retry?: RetryOptions;
  /** Per-attempt timeout in ms (default 15,000). */
  timeoutMs?: number;
  /** The fetch to use underneath (default `globalThis.fetch`). */
  fetch?: FetchLike;
}

export function trimBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export async function resolveToken(source: TokenSource | undefined): Promise<string | undefined> {
  return typeof source === 'function' ? await source() : source;
}
