/**
 * A small HTTP proxy that sits between a client and the API and breaks the network on purpose,
 * so retry behaviour is proved against the real server instead of a mocked fetch. It records every
 * request it sees (method, path, Idempotency-Key, what happened), which is what tests assert on.
 *
 * Faults, each for the next `times` requests matching `method` and `path`:
 * - `drop-before`: close the client's connection without forwarding (the API never sees it);
 * - `drop-after-response`: forward, let the API finish, then close the client's connection
 *   instead of answering (the API did the work; the client never learns);
 * - `drop-after-forward`: forward, and close the client's connection at once while the API is
 *   still working (a retry then meets the request in flight);
 * - `{ status }`: answer that status (a 5xx problem) without forwarding.
 *
 * An event stream (`text/event-stream`) is relayed chunk by chunk as the API writes it — a proxy
 * that waited for the end of the body would hold every event back for the stream's whole life —
 * and the API's connection is closed when the client's is. Other answers are read whole first, so
 * `drop-after-response` really drops an answer the API finished.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'drop-before' | 'drop-after-response' | 'drop-after-forward' | { status: number };

export interface FaultRule {
  method?: string;
  /** Matches the request path (without the query string). */
  path?: RegExp;
  fault: Fault;
  /** How many matching requests meet the fault (default 1). */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  ifMatch: string | null;
  /** The fault applied, if any. */
  fault: string | null;
  /** Status the API answered, when the request reached it and it answered. */
  upstreamStatus: number | null;
  /** Whether the API's answer was a replay (`Idempotent-Replayed: true`). */
  replayed: boolean;
  /** Status the client received; null when its connection was dropped. */
  clientStatus: number | null;
}

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  inject(rule: FaultRule): void;
  /** Drop pending faults and forget recorded requests. */
  reset(): void;
  /** Resolves when every forwarded request has had its answer from the API. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'host',
  'content-length',
]);

function faultName(fault: Fault): string {
  return typeof fault === 'string' ? fault : `status-${fault.status}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = targetUrl.replace(/\/+$/, '');
  const rules: { rule: FaultRule; left: number }[] = [];
  const requests: ProxiedRequest[] = [];
  const pending = new Set<Promise<unknown>>();

  const takeFault = (method: string, path: string): Fault | null => {
    const hit = rules.find(
      (r) =>
        r.left > 0 &&
        (!r.rule.method || r.rule.method.toUpperCase() === method) &&
        (!r.rule.path || r.rule.path.test(path)),
    );
    if (!hit) return null;
    hit.left--;
    return hit.rule.fault;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const body = await readBody(req);
    const fault = takeFault(method, path);
    const record: ProxiedRequest = {
      method,
      path,
      idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null,
      ifMatch: (req.headers['if-match'] as string | undefined) ?? null,
      fault: fault ? faultName(fault) : null,
      upstreamStatus: null,
      replayed: false,
      clientStatus: null,
    };
    requests.push(record);

    if (fault === 'drop-before') {
      req.socket.destroy();
      return;
    }
    if (fault && typeof fault === 'object') {
      record.clientStatus = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/problem+json', connection: 'close' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Injected by the test proxy',
          status: fault.status,
          detail: 'fault injected by the test proxy',
          code: 'SERVICE_UNAVAILABLE',
        }),
      );
      return;
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    const upstream = fetch(`${target}${url}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body),
      redirect: 'manual',
      signal: aborted.signal,
    }).then(async (r) => {
      record.upstreamStatus = r.status;
      record.replayed = r.headers.get('idempotent-replayed') === 'true';
      // A stream is not awaited to its end here: `settled()` means "every answer has started".
      const streaming = (r.headers.get('content-type') ?? '').startsWith('text/event-stream');
      const payload = streaming ? null : Buffer.from(await r.arrayBuffer());
      return { r, payload };
    });
    const tracked = upstream.catch(() => undefined);
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));

    if (fault === 'drop-after-forward') {
      // Give the request a moment to leave before the client's connection goes: the API must get it.
      await new Promise((r) => setTimeout(r, 50));
      req.socket.destroy();
      return;
    }
    let answer: Awaited<typeof upstream>;
    try {
      answer = await upstream;
    } catch {
      req.socket.destroy();
      return;
    }
    if (fault === 'drop-after-response') {
      aborted.abort();
      req.socket.destroy();
      return;
    }
    const out: Record<string, string> = {};
    answer.r.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value;
    });
    record.clientStatus = answer.r.status;
    res.writeHead(answer.r.status, out);
    if (answer.payload) {
      res.end(answer.payload);
      return;
    }
    res.flushHeaders();
    try {
      for await (const chunk of answer.r.body ?? []) res.write(chunk);
      res.end();
    } catch {
      // The client left (its close aborted the upstream) or the API's stream broke: pass the break on.
      req.socket.destroy();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(rule) {
      rules.push({ rule, left: rule.times ?? 1 });
    },
    reset() {
      rules.length = 0;
      requests.length = 0;
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
