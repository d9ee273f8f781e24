/**
 * The bench's HTTP client for its one-at-a-time and whole-lifecycle requests: undici's `request` on
 * keep-alive connections, the class of client a load generator is (autocannon, which drives the
 * concurrent accepts, is leaner still). Not the global `fetch`: its WHATWG Request, Headers,
 * AbortSignal and body streams cost the bench process 0.6–0.9 ms of CPU per request, and on two
 * cores shared with the servers under test that was CPU the API's side and the bare server's side
 * both lost to their own client, while the in-process baseline has none.
 */
import { Agent } from 'undici';

const agent = new Agent();

export interface Answer {
  status: number;
  text: string;
  /** A response header (the first value of a repeated one), or null. */
  header(name: string): string | null;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function send(url: string, init: SendInit = {}): Promise<Answer> {
  const { origin, pathname, search } = new URL(url);
  const res = await agent.request({
    origin,
    path: `${pathname}${search}`,
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    text,
    header: (name) => {
      const value = res.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value[0]! : value;
    },
  };
}
