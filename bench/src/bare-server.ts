/**
 * The baseline the API is measured against: bare Hono + postgres.js, no auth, no validation, no
 * JSON:API rendering, no logging — just the SELECT and `c.json`. Started as its own process by
 * the bench (`tsx src/bare-server.ts`), listening on PORT, reading DATABASE_URL.
 *
 * - `GET /orders/:id` runs the very statement the API runs for `GET /api/v2/orders/:id` (generated
 *   by the API's own `orderStatement` for the same actor and default include, compiled once per
 *   shape, run prepared as the API's pool runs it), so the difference is the framework's cost.
 * - `GET /orders` runs the minimal list SELECT (one page of orders, no relations): the floor any
 *   list endpoint stands on.
 * - `GET /lists/orders?include=…` runs the API's list statement for the same actor, page size and
 *   includes (`GET /api/v2/orders`), and answers its rows as they are: the list's floor over HTTP;
 *   with `&as=text`, its row as JSON text rendered by PostgreSQL and passed through unparsed.
 * - `POST /orders` (`{ customerId, restaurantId, menuItemId }`) and `POST /orders/:id/<action>`
 *   (If-Match `"v<n>"`) run the bench's bare write statements (bare-writes.ts): the write path's
 *   floor over HTTP.
 */
import { serve } from '@hono/node-server';
import { orderStatement } from '@quickeats/api/reads';
import type { Actor } from '@quickeats/domain';
import { Hono } from 'hono';
import postgres from 'postgres';
import { BARE_STEPS, type BareAction, type BareOrder, bareCreate, bareTransition } from './bare-writes';
import { listStatement } from './list-statement';

const url = process.env.DATABASE_URL;
const port = Number(process.env.PORT ?? 0);
const actor: Actor = { userId: process.env.BENCH_ACTOR_ID ?? '', role: 'admin' };
if (!url || !actor.userId) throw new Error('DATABASE_URL and BENCH_ACTOR_ID are required');

const sql = postgres(url, { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), onnotice: () => {} });
const app = new Hono();

app.get('/orders/:id', async (c) => {
  // The read layer's own compiled statement for this shape (built once, its values bound per call),
  // run prepared as the API's pool runs it.
  const q = orderStatement({
    actor,
    include: new Set(['items']),
    fields: {},
    filter: {},
    size: 1,
    orderId: c.req.param('id'),
  });
  const [row] = await sql.unsafe(q.sql, q.params as never[], { prepare: true });
  return c.json(row ?? null);
});

app.get('/orders', async (c) => {
  const size = Number(c.req.query('size') ?? 50);
  const rows = await sql`
    select id, status, version, total_amount, currency, created_at
      from orders order by created_at desc, id desc limit ${size}`;
  return c.json(rows);
});

app.get('/lists/orders', async (c) => {
  const include = (c.req.query('include') ?? '').split(',').filter(Boolean);
  const q = listStatement(actor, include, Number(c.req.query('size') ?? 50));
  // `as=text`: PostgreSQL renders the row as one JSON text, answered as it comes (no parse, no
  // stringify in this process): the least any HTTP server can do with the statement's answer.
  if (c.req.query('as') === 'text') {
    const [row] = await sql.unsafe<{ doc: string }[]>(
      `select row_to_json(t)::text as doc from (${q.sql}) t`,
      q.params as never[],
      { prepare: true },
    );
    return c.body(row!.doc, 200, { 'content-type': 'application/json' });
  }
  return c.json(await sql.unsafe(q.sql, q.params as never[], { prepare: true }));
});

app.post('/orders', async (c) => {
  const id = await bareCreate(sql, await c.req.json<BareOrder>());
  return c.json({ id, version: 1 }, 201);
});

const ACTIONS = new Set<string>(BARE_STEPS.map((s) => s.action));
app.post('/orders/:id/:action', async (c) => {
  const action = c.req.param('action');
  if (!ACTIONS.has(action)) return c.json({ error: `no action ${action}` }, 404);
  const version = Number(/^"v(\d+)"$/.exec(c.req.header('if-match') ?? '')?.[1] ?? Number.NaN);
  if (!Number.isInteger(version)) return c.json({ error: 'If-Match "v<n>" required' }, 428);
  const done = await bareTransition(sql, c.req.param('id'), version, action as BareAction, actor.userId);
  return done ? c.json({ id: c.req.param('id'), version: version + 1 }) : c.json(null, 412);
});

app.get('/healthz', (c) => c.text('ok'));

const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => {
  console.log(`bare baseline listening on ${info.port}`);
});
const stop = () => server.close(() => sql.end({ timeout: 2 }).then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
