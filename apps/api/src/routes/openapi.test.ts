import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('OpenAPI 3.1 document', () => {
  let t: TestApp;
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
    components: { securitySchemes: Record<string, unknown> };
  };
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    doc = (await (await t.app.request('/api/v2/openapi.json')).json()) as typeof doc;
  });
  afterAll(() => t?.close());

  it('is OpenAPI 3.1 with the bearer scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  // Generated from the routes themselves: a v2 route added without createRoute fails here.
  it('documents every v2 route the app serves', () => {
    const served = t.app.routes
      .filter((r) => r.path.startsWith('/api/v2/') && r.method !== 'ALL')
      .map((r) => ({
        method: r.method.toLowerCase(),
        path: r.path.slice('/api/v2'.length).replace(/:([A-Za-z]+)/g, '{$1}'),
      }))
      .filter((r) => !['/openapi.json', '/docs', '/docs/scalar.js'].includes(r.path));
    expect(served.length).toBeGreaterThan(8);
    const missing = served
      .filter((r) => !doc.paths[r.path]?.[r.method])
      .map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('has one action route per lifecycle action, each requiring If-Match semantics (428/412/409 documented)', () => {
    for (const action of ['pay', 'accept', 'reject', 'mark-ready', 'pick-up', 'deliver', 'cancel']) {
      const op = doc.paths[`/orders/{id}/${action}`]?.post as
        | { responses: Record<string, unknown> }
        | undefined;
      expect(op, action).toBeDefined();
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '409', '412', '428']));
    }
  });

  it('serves an interactive reference page', async () => {
    const res = await t.app.request('/api/v2/docs');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/api/v2/openapi.json');
  });
});
