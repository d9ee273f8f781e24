/** GET /api/v2/restaurants and /restaurants/{id}: the catalogue as JSON:API, one statement each. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadClients, readClients, walkPages } from '../testing/reads-fixture';
import { createTestApp, type TestApp } from '../testing/test-app';

describe('GET /api/v2/restaurants', () => {
  let t: TestApp;
  let c: ReadClients;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    c = await readClients(t);
  });
  afterAll(() => t?.close());

  it('pages every restaurant by name for any role, menus included on request, one statement per page', async () => {
    const pages = await walkPages(c.rider, '/api/v2/restaurants?page[size]=2&include=menuItems');
    expect(pages.map((p) => p.body.data.length)).toEqual([2, 2, 1]);
    expect(pages.every((p) => p.statements === 1)).toBe(true);
    const names = pages.flatMap((p) =>
      p.body.data.map((r: { attributes: { name: string } }) => r.attributes.name),
    );
    expect(names).toEqual([...names].sort());
    const first = pages[0]!.body;
    expect(first.included.filter((r: { type: string }) => r.type === 'menu-items')).toHaveLength(16);
    expect(first.data[0].relationships.menuItems.data).toHaveLength(8);
  });

  it('reads one restaurant with its menu by default, narrowed by fields', async () => {
    const list = await c.customer.get('/api/v2/restaurants?page[size]=1&include=');
    expect(list.body.included).toBeUndefined();
    const id = list.body.data[0].id as string;
    const res = await c.customer.get(`/api/v2/restaurants/${id}?fields[menu-items]=name`);
    expect(res.status).toBe(200);
    expect(res.statements).toBe(1);
    expect(res.body.data.meta).toBeUndefined();
    expect(res.body.included).toHaveLength(8);
    for (const m of res.body.included) expect(Object.keys(m.attributes)).toEqual(['name']);
  });

  it('404 for an unknown restaurant, 400 for an unknown include or page size over 100, 401 without a token', async () => {
    expect((await c.customer.get('/api/v2/restaurants/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    const include = await c.customer.get('/api/v2/restaurants?include=owner');
    expect(include.body.code).toBe('UNKNOWN_INCLUDE');
    const size = await c.customer.get('/api/v2/restaurants?page[size]=1000');
    expect(size.body).toMatchObject({ code: 'PAGE_SIZE_TOO_LARGE', meta: { page: { maxSize: 100 } } });
    expect((await t.app.request('/api/v2/restaurants')).status).toBe(401);
  });
});
