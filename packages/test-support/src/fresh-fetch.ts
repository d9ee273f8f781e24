/**
 * `fetch` on a connection of its own, closed after the answer. The global fetch reuses keep-alive
 * connections, and a server may close an idle one just as the client sends on it: the request then
 * fails with "other side closed" although the server is fine. On a loaded machine (late timers on
 * both sides) that race is common, and a test that counts failed connections — "only the killed
 * process lost any" — would blame a live process. A fresh connection per request cannot meet it.
 */
import { request } from 'node:http';

export function fetchOnFreshConnection(url: string, init: RequestInit = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (init.body != null && body === undefined)
      throw new TypeError('fetchOnFreshConnection sends string bodies only');
    if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)));
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: Object.fromEntries(headers), agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 0;
          const nullBody = status === 204 || status === 304;
          resolve(
            new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: responseHeaders }),
          );
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
