/**
 * Issue 15's part of `pnpm bench`: the API against what the database alone costs, one request at a
 * time, the sides taking turns in blocks of 10 requests (medians):
 * - write path: `accept` through the API (If-Match, no key) vs the same conditional
 *   `UPDATE … WHERE version AND status` + event `INSERT` as ONE prepared postgres.js statement; a
 *   full lifecycle (create → pay → accept → mark-ready → pick-up → deliver) in writes/s vs the six
 *   equivalent bare statements; accepts/s with several connections at once (SPEC: transition
 *   writes/s), the API under autocannon vs the bare statement on a pool of as many connections,
 *   and whole lifecycles as many at once;
 * - keyed vs unkeyed accept (Postgres store): round trips (`X-DB-Round-Trips`) and p50;
 * - the v2 list vs its very SQL run raw (prepared, same actor and includes);
 * - the owner / customer / rider / status-filtered lists' p50 at this run's order count.
 *
 * Each comparison also runs its bare side behind the bare Hono server over HTTP (bare-server.ts):
 * the ratio that server reaches is the most any HTTP server could score against the in-process
 * baseline in this run (the "HTTP floor" lines).
 */
import { randomUUID } from 'node:crypto';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '@quickeats/db';
import type { Actor } from '@quickeats/domain';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { BARE_STEPS, bareAccept, bareCreate, bareTransition } from './bare-writes';
import { type SendInit, send } from './http-client';
import { listStatement } from './list-statement';
import { interleaved, round, type Timing, target } from './sequential';

type Sql = ReturnType<typeof postgres>;

export interface NearLimitResult {
  lines: string[];
  targets: string[];
}

async function login(api: string, email: string): Promise<string> {
  const res = await send(`${api}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return (JSON.parse(res.text) as { accessToken: string }).accessToken;
}

async function call(api: string, path: string, token: string, init: SendInit = {}) {
  const res = await send(`${api}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'identity', ...init.headers },
  });
  if (res.status >= 300)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return { res, body: res.text ? JSON.parse(res.text) : null };
}

/** The API started on the Upstash store (through the in-repo bridge to Redis) and the bridge's REST-call count. */
export interface UpstashSide {
  api: string;
  restCalls(): number;
}

/** The concurrent accept load: autocannon's connections, and as many for the in-process side. */
export interface ConcurrentLoad {
  dbUrl: string;
  connections: number;
  seconds: number;
}

export async function nearLimit(
  api: string,
  bareUrl: string,
  sql: Sql,
  n: number,
  upstash?: UpstashSide,
  concurrent?: ConcurrentLoad,
): Promise<NearLimitResult> {
  const lines: string[] = [];
  const targets: string[] = [];
  /** The ratio the bare server over HTTP reaches on a target: no HTTP server scores above it here. */
  const floor = (label: string, ratio: number) =>
    targets.push(
      `  - HTTP floor: the bare Hono server over HTTP reaches ${round(ratio)} on ${label} in this run`,
    );
  const ids = async (email: string) => {
    const [u] = await sql<
      { id: string; role: Actor['role'] }[]
    >`select id, role from users where email = ${email}`;
    return { userId: u!.id, role: u!.role } as Actor;
  };
  const owner = await ids(DEMO_ACCOUNTS.owner);
  const customer = await ids(DEMO_ACCOUNTS.customer);
  const rider = await ids(DEMO_ACCOUNTS.rider);
  const tokens = {
    owner: await login(api, DEMO_ACCOUNTS.owner),
    customer: await login(api, DEMO_ACCOUNTS.customer),
    rider: await login(api, DEMO_ACCOUNTS.rider),
  };
  const [menu] = await sql<{ restaurant_id: string; id: string }[]>`
    select m.restaurant_id, m.id from menu_items m join restaurants r on r.id = m.restaurant_id
     where r.owner_id = ${owner.userId} order by m.id limit 1`;

  // Fresh paid orders at the demo owner's restaurant, made through the API (create + pay).
  const paidOrders = async (count: number, through = api) => {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await call(through, '/api/v2/orders', tokens.customer, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({
          restaurantId: menu!.restaurant_id,
          items: [{ menuItemId: menu!.id, quantity: 1 }],
        }),
      });
      const id = created.body.data.id as string;
      await call(through, `/api/v2/orders/${id}/pay`, tokens.customer, {
        method: 'POST',
        headers: { 'idempotency-key': randomUUID(), 'if-match': '"v1"' },
      });
      out.push(id);
    }
    return out;
  };

  // Warm-up, not timed: each statement of the accept paths prepared on the connections the
  // sequential requests use (the first use of a prepared statement on a connection costs a round
  // trip more), so the medians are the steady state the round-trip tests pin.
  const warm = async (through: string, count = 6) => {
    for (const [i, id] of (await paidOrders(count, through)).entries()) {
      const key = randomUUID();
      const keyed = i % 2 === 1;
      const headers = { 'if-match': '"v2"', ...(keyed ? { 'idempotency-key': key } : {}) };
      await call(through, `/api/v2/orders/${id}/accept`, tokens.owner, { method: 'POST', headers });
      if (keyed)
        await call(through, `/api/v2/orders/${id}/accept`, tokens.owner, { method: 'POST', headers });
    }
  };

  // 1. accept: API (If-Match, no key) vs keyed vs one bare prepared statement.
  await warm(api);
  const pool = await paidOrders(n * 4);
  const trips: Record<string, number[]> = { unkeyed: [], keyed: [], replay: [] };
  const keys: string[] = [];
  const accept = await interleaved(
    {
      api: async (i) => {
        const { res } = await call(api, `/api/v2/orders/${pool[i]}/accept`, tokens.owner, {
          method: 'POST',
          headers: { 'if-match': '"v2"' },
        });
        trips.unkeyed!.push(Number(res.header('x-db-round-trips')));
      },
      keyed: async (i) => {
        const key = randomUUID();
        keys[i] = key;
        const { res } = await call(api, `/api/v2/orders/${pool[i]}/accept`, tokens.owner, {
          method: 'POST',
          headers: { 'if-match': '"v2"', 'idempotency-key': key },
        });
        trips.keyed!.push(Number(res.header('x-db-round-trips')));
      },
      bare: async (i) => {
        if (!(await bareAccept(sql, pool[i]!, 2, owner.userId)))
          throw new Error('bare accept matched nothing');
      },
      bareHttp: async (i) => {
        const res = await send(`${bareUrl}/orders/${pool[i]}/accept`, {
          method: 'POST',
          headers: { 'if-match': '"v2"' },
        });
        if (res.status !== 200) throw new Error(`bare HTTP accept: ${res.status}`);
      },
    },
    n,
  );
  // Replays of the keyed accepts.
  const keyedIdx = keys.map((k, i) => (k ? i : -1)).filter((i) => i >= 0);
  const replay = await interleaved(
    {
      replay: async (j) => {
        const i = keyedIdx[j % keyedIdx.length]!;
        const { res } = await call(api, `/api/v2/orders/${pool[i]}/accept`, tokens.owner, {
          method: 'POST',
          headers: { 'if-match': '"v2"', 'idempotency-key': keys[i]! },
        });
        trips.replay!.push(Number(res.header('x-db-round-trips')));
      },
    },
    n,
    1,
  );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const row = (name: string, t: Timing, rt?: number) =>
    `| ${name} | ${rt ?? '—'} | ${t.p50} | ${t.p90} | ${t.n} |`;
  lines.push(
    '## Write path (one request at a time, the sides taking turns in blocks of 10; medians)',
    '',
    '| operation | DB round trips | p50 (ms) | p90 (ms) | samples |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('accept through the API, If-Match, no key', accept.api!, median(trips.unkeyed!)),
    row(
      'accept through the API, If-Match + Idempotency-Key (Postgres store)',
      accept.keyed!,
      median(trips.keyed!),
    ),
    row('replay of that keyed accept', replay.replay!, median(trips.replay!)),
    row('bare postgres.js: the conditional UPDATE + event INSERT, one prepared statement', accept.bare!, 1),
    row('the same statement behind bare Hono over HTTP (the bench baseline server)', accept.bareHttp!, 1),
    '',
    `Over HTTP the thinnest server takes ${round(accept.bareHttp!.p50 / accept.bare!.p50)} × the statement alone; the API ${round(accept.api!.p50 / accept.bareHttp!.p50)} × that server (bare HTTP / API p50: ${round(accept.bareHttp!.p50 / accept.api!.p50)}; no target, for reading the one below).`,
    '',
  );
  targets.push(
    target(
      'accept p50: bare / API',
      accept.bare!.p50 / accept.api!.p50,
      accept.bare!.p50 / accept.api!.p50 >= 0.5,
      '≥ 0.5',
    ),
  );
  floor('accept p50 (bare / bare over HTTP)', accept.bare!.p50 / accept.bareHttp!.p50);
  targets.push(
    target(
      'keyed / unkeyed accept p50 (Postgres store)',
      accept.keyed!.p50 / accept.api!.p50,
      accept.keyed!.p50 / accept.api!.p50 <= 1.2,
      '≤ 1.2',
    ),
    target(
      'keyed accept round trips − unkeyed',
      median(trips.keyed!) - median(trips.unkeyed!),
      median(trips.keyed!) - median(trips.unkeyed!) <= 1,
      '≤ 1',
    ),
    target('replay round trips', median(trips.replay!), median(trips.replay!) <= 1, '≤ 1'),
  );

  // 1b. The same keyed vs unkeyed accept on the Upstash store (the API's second process, whose
  // idempotency records go through the bridge to Redis): round trips and the bridge's REST calls.
  if (upstash) {
    await warm(upstash.api);
    const upPool = await paidOrders(n * 3, upstash.api);
    const upTrips: Record<string, number[]> = { unkeyed: [], keyed: [], replay: [], lease: [] };
    const upCalls: Record<string, number[]> = { unkeyed: [], keyed: [], replay: [], lease: [] };
    const upKeys: string[] = [];
    const counted = async (side: string, id: string, headers: Record<string, string>) => {
      const before = upstash.restCalls();
      const { res } = await call(upstash.api, `/api/v2/orders/${id}/accept`, tokens.owner, {
        method: 'POST',
        headers: { 'if-match': '"v2"', ...headers },
      });
      upCalls[side]!.push(upstash.restCalls() - before);
      upTrips[side]!.push(Number(res.header('x-db-round-trips')));
    };
    let u = 0;
    const upAccept = await interleaved(
      {
        unkeyed: async () => counted('unkeyed', upPool[u++]!, {}),
        keyed: async () => {
          const key = randomUUID();
          upKeys[u] = key;
          await counted('keyed', upPool[u++]!, { 'idempotency-key': key });
        },
      },
      n,
    );
    const upKeyed = upKeys.map((k, i) => (k ? i : -1)).filter((i) => i >= 0);
    // Each key replayed twice: the first replay copies the record into Redis, later ones read it there.
    const upReplay = await interleaved(
      {
        replay: async (j) => {
          const i = upKeyed[Math.floor(j / 2) % upKeyed.length]!;
          await counted('replay', upPool[i]!, { 'idempotency-key': upKeys[i]! });
        },
      },
      n,
      1,
    );
    const laterReplays = upCalls.replay!.filter((_, j) => j % 2 === 1);
    // The lease path for comparison: `If-Match: *` reads the order first, so its key is leased in
    // Redis (one REST call) rather than claimed by the write statement.
    const upLease = await interleaved(
      {
        lease: async () =>
          counted('lease', upPool[u++]!, { 'if-match': '*', 'idempotency-key': randomUUID() }),
      },
      n,
      1,
    );
    lines.push(
      '## Write path on the Upstash store (the same accept; idempotency records through the in-repo upstash-bridge to Redis)',
      '',
      '| operation | DB round trips | REST calls | p50 (ms) | p90 (ms) | samples |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| accept, If-Match, no key | ${median(upTrips.unkeyed!)} | ${median(upCalls.unkeyed!)} | ${upAccept.unkeyed!.p50} | ${upAccept.unkeyed!.p90} | ${upAccept.unkeyed!.n} |`,
      `| accept, If-Match + Idempotency-Key | ${median(upTrips.keyed!)} | ${median(upCalls.keyed!)} | ${upAccept.keyed!.p50} | ${upAccept.keyed!.p90} | ${upAccept.keyed!.n} |`,
      `| replay of that keyed accept (first / later) | ${median(upTrips.replay!)} | ${median(upCalls.replay!.filter((_, j) => j % 2 === 0))} / ${median(laterReplays)} | ${upReplay.replay!.p50} | ${upReplay.replay!.p90} | ${upReplay.replay!.n} |`,
      `| accept, If-Match: * + Idempotency-Key (read first, so the key is leased in Redis) | ${median(upTrips.lease!)} | ${median(upCalls.lease!)} | ${upLease.lease!.p50} | ${upLease.lease!.p90} | ${upLease.lease!.n} |`,
      '',
      'With a concrete If-Match the accept is one statement, and that statement claims the key itself on either store (no lease, no Redis call); `If-Match: *` takes the Redis lease.',
      '',
    );
    const ratio = upAccept.keyed!.p50 / upAccept.unkeyed!.p50;
    targets.push(
      target('keyed / unkeyed accept p50 (Upstash store)', ratio, ratio <= 1.2, '≤ 1.2'),
      target(
        'keyed accept round trips − unkeyed (Upstash store)',
        median(upTrips.keyed!) - median(upTrips.unkeyed!),
        median(upTrips.keyed!) - median(upTrips.unkeyed!) <= 1,
        '≤ 1',
      ),
      target(
        'keyed accept REST calls − unkeyed (Upstash store)',
        median(upCalls.keyed!) - median(upCalls.unkeyed!),
        median(upCalls.keyed!) - median(upCalls.unkeyed!) <= 1,
        '≤ 1',
      ),
      target(
        'replay REST calls (Upstash store, after the first)',
        median(laterReplays),
        median(laterReplays) <= 1,
        '≤ 1',
      ),
      target(
        'replay round trips (Upstash store)',
        median(upTrips.replay!),
        median(upTrips.replay!) <= 1,
        '≤ 1',
      ),
    );
  }

  // 2. Full lifecycle at one connection: writes/s through the API vs bare statements, in-process
  // and behind the bare server over HTTP; the sides take turns, one lifecycle at a time each.
  const lifecycles = Math.max(10, Math.floor(n / 3));
  const bareOrder = { customerId: customer.userId, restaurantId: menu!.restaurant_id, menuItemId: menu!.id };
  const actorOf = { customer: customer.userId, restaurant: owner.userId, rider: rider.userId } as const;
  const bareHttpWrite = async (path: string, init: SendInit) => {
    const res = await send(`${bareUrl}${path}`, init);
    if (res.status >= 300) throw new Error(`bare HTTP ${path}: ${res.status}`);
    return JSON.parse(res.text) as { id: string };
  };
  /** One whole lifecycle on each side; the in-process one on `db` (one connection, or a pool). */
  const lifecycleOn = {
    api: async () => {
      const [id] = await paidOrders(1);
      const act = (action: string, token: string, v: number) =>
        call(api, `/api/v2/orders/${id}/${action}`, token, {
          method: 'POST',
          headers: { 'if-match': `"v${v}"` },
        });
      await act('accept', tokens.owner, 2);
      await act('mark-ready', tokens.owner, 3);
      await act('pick-up', tokens.rider, 4);
      await act('deliver', tokens.rider, 5);
    },
    bare: async (db: Sql) => {
      const id = await bareCreate(db, bareOrder);
      for (const [v, step] of BARE_STEPS.entries())
        if (!(await bareTransition(db, id, v + 1, step.action, actorOf[step.role])))
          throw new Error(`bare ${step.action} matched nothing`);
    },
    bareHttp: async () => {
      const { id } = await bareHttpWrite('/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bareOrder),
      });
      for (const [v, step] of BARE_STEPS.entries())
        await bareHttpWrite(`/orders/${id}/${step.action}`, {
          method: 'POST',
          headers: { 'if-match': `"v${v + 1}"` },
        });
    },
  };
  const lifecycle = await interleaved(
    { api: lifecycleOn.api, bare: () => lifecycleOn.bare(sql), bareHttp: lifecycleOn.bareHttp },
    lifecycles,
  );
  const writesPerSecond = (t: Timing) => (t.n * 6) / (t.total / 1000);
  const [apiWps, bareWps, bareHttpWps] = [lifecycle.api!, lifecycle.bare!, lifecycle.bareHttp!].map(
    writesPerSecond,
  ) as [number, number, number];
  lines.push(
    `Full lifecycle (create → pay → accept → mark-ready → pick-up → deliver), ${lifecycles} orders a side, one at a time, the sides taking turns: ` +
      `API ${apiWps.toFixed(0)} writes/s (the payment provider's charge included) vs bare postgres.js ${bareWps.toFixed(0)} writes/s in-process and ${bareHttpWps.toFixed(0)} writes/s behind the bare Hono server over HTTP.`,
    '',
  );
  targets.push(target('lifecycle writes/s: API / bare', apiWps / bareWps, apiWps / bareWps >= 0.5, '≥ 0.5'));
  floor('lifecycle writes/s (bare over HTTP / bare)', bareHttpWps / bareWps);

  // 3. The v2 list vs its own SQL run raw; 4. every role's list.
  const raw = (actor: Actor, include: string[]) => {
    const q = listStatement(actor, include);
    return async () => {
      await sql.unsafe(q.sql, q.params as never[], { prepare: true });
    };
  };
  const include = ['restaurant', 'customer', 'rider', 'items', 'items.menuItem'];
  const path = (extra = '') => `/api/v2/orders?page[size]=50${extra}`;
  const listApi = (token: string, p: string) => async () => {
    await call(api, p, token);
  };
  const adminToken = await login(api, DEMO_ACCOUNTS.admin);
  const admin = await ids(DEMO_ACCOUNTS.admin);
  const vsRaw = await interleaved(
    {
      api: listApi(adminToken, path(`&include=${include.join(',')}`)),
      raw: raw(admin, include),
      // The same statement's rows behind the bare server, read by the client as the API's are.
      bareHttp: async () => {
        const res = await send(`${bareUrl}/lists/orders?size=50&include=${include.join(',')}`);
        if (res.status !== 200) throw new Error(`bare HTTP list: ${res.status}`);
        JSON.parse(res.text);
      },
      // The same row rendered as JSON text by PostgreSQL and passed through: the thinnest server.
      bareText: async () => {
        const res = await send(`${bareUrl}/lists/orders?size=50&include=${include.join(',')}&as=text`);
        if (res.status !== 200) throw new Error(`bare HTTP list (text): ${res.status}`);
        JSON.parse(res.text);
      },
    },
    n,
  );
  const roles = await interleaved(
    {
      owner: listApi(tokens.owner, path()),
      customer: listApi(tokens.customer, path()),
      rider: listApi(tokens.rider, path()),
      status: listApi(adminToken, path('&filter[status]=ready')),
    },
    n,
  );
  lines.push(
    '## Lists (50 orders, one request at a time)',
    '',
    '| list | p50 (ms) | p90 (ms) | samples |',
    '| --- | ---: | ---: | ---: |',
    `| admin, include ${include.join(',')} — API | ${vsRaw.api!.p50} | ${vsRaw.api!.p90} | ${vsRaw.api!.n} |`,
    `| the same SQL run raw (prepared postgres.js) | ${vsRaw.raw!.p50} | ${vsRaw.raw!.p90} | ${vsRaw.raw!.n} |`,
    `| the same SQL behind the bare Hono server over HTTP, its rows as JSON | ${vsRaw.bareHttp!.p50} | ${vsRaw.bareHttp!.p90} | ${vsRaw.bareHttp!.n} |`,
    `| the same SQL behind the bare Hono server over HTTP, its row as JSON text from PostgreSQL, passed through unparsed | ${vsRaw.bareText!.p50} | ${vsRaw.bareText!.p90} | ${vsRaw.bareText!.n} |`,
    ...Object.entries(roles).map(([k, t]) => `| ${k} list — API | ${t.p50} | ${t.p90} | ${t.n} |`),
    '',
  );
  targets.push(
    target(
      'list p50: API / raw SQL',
      vsRaw.api!.p50 / vsRaw.raw!.p50,
      vsRaw.api!.p50 / vsRaw.raw!.p50 <= 1.25,
      '≤ 1.25',
    ),
  );
  floor('list p50 (bare over HTTP / raw SQL)', vsRaw.bareHttp!.p50 / vsRaw.raw!.p50);
  floor(
    'list p50 (bare over HTTP, the row passed through as text / raw SQL)',
    vsRaw.bareText!.p50 / vsRaw.raw!.p50,
  );

  // 5. Transition writes/s with several requests at once (SPEC's wording): accepts of paid orders
  // made by one set-based statement, the API and the bare server under autocannon vs the bare
  // statement on a pool of as many connections; each side twice, taking turns. Last, because those
  // orders (the demo owner's, no items) would change the lists above.
  if (concurrent) {
    const { connections, seconds } = concurrent;
    const paidBySql = async (count: number) =>
      (
        await sql<{ id: string }[]>`
          insert into orders (customer_id, restaurant_id, total_amount, currency, status, version)
          select ${customer.userId}, ${menu!.restaurant_id}, 1000, 'USD', 'paid', 2
            from generate_series(1, ${count}) returning id`
      ).map((r) => r.id);
    const perSecond = { api: [] as number[], bare: [] as number[], bareHttp: [] as number[] };
    const underAutocannon = async (url: string, token: string | undefined, path: (id: string) => string) => {
      const ids = await paidBySql(4000 * seconds);
      let next = 0;
      const result = await new Promise<autocannon.Result>((resolve, reject) => {
        autocannon(
          {
            url,
            connections,
            duration: seconds,
            requests: [
              {
                method: 'POST',
                headers: { 'if-match': '"v2"', ...(token ? { authorization: `Bearer ${token}` } : {}) },
                setupRequest: (req) => ({ ...req, path: path(ids[next++]!) }),
              },
            ],
          },
          (err, r) => (err ? reject(err) : resolve(r)),
        );
      });
      if (result.non2xx > 0 || result.errors > 0 || next >= ids.length)
        throw new Error(`concurrent accepts on ${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return result.requests.average;
    };
    /** `one` run by `connections` loops at once for `seconds`, on a pool of as many connections: runs/s. */
    const atOnce = async (one: (pool: Sql) => Promise<void>) => {
      const pool = postgres(concurrent.dbUrl, { max: connections, onnotice: () => {} });
      let done = 0;
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          for (; performance.now() < until; done++) await one(pool);
        }),
      ).finally(() => pool.end());
      return done / seconds;
    };
    for (let round = 0; round < 2; round++) {
      perSecond.api.push(await underAutocannon(api, tokens.owner, (id) => `/api/v2/orders/${id}/accept`));
      const ids = await paidBySql(4000 * seconds);
      let next = 0;
      perSecond.bare.push(
        await atOnce(async (pool) => {
          if (!(await bareAccept(pool, ids[next++]!, 2, owner.userId)))
            throw new Error('bare concurrent accept matched nothing');
        }),
      );
      perSecond.bareHttp.push(await underAutocannon(bareUrl, undefined, (id) => `/orders/${id}/accept`));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [apiRate, bareRate, bareHttpRate] = [perSecond.api, perSecond.bare, perSecond.bareHttp].map(
      mean,
    ) as [number, number, number];
    lines.push(
      `Accepts with ${connections} requests at once (${seconds} s a side, each side twice, taking turns; means): ` +
        `API ${apiRate.toFixed(0)}/s (autocannon) vs bare postgres.js ${bareRate.toFixed(0)}/s in-process (a pool of ${connections}) and ${bareHttpRate.toFixed(0)}/s behind the bare Hono server over HTTP (autocannon).`,
      '',
    );
    targets.push(
      target(
        `accept writes/s at ${connections} connections: API / bare`,
        apiRate / bareRate,
        apiRate / bareRate >= 0.5,
        '≥ 0.5',
      ),
    );
    floor(`accept writes/s at ${connections} connections (bare over HTTP / bare)`, bareHttpRate / bareRate);

    // Whole lifecycles, `connections` of them at once on each side (the bench's HTTP client for the
    // API and the bare server, the pool in-process), each side three times in turn; 6 writes each.
    // The bare side moves most between rounds (1,239–1,654 writes/s across runs on one machine), so
    // each round's own ratio is printed beside the ratio of the means.
    const LIFE_ROUNDS = 3;
    const lifeRates = { api: [] as number[], bare: [] as number[], bareHttp: [] as number[] };
    for (let round = 0; round < LIFE_ROUNDS; round++) {
      lifeRates.api.push(6 * (await atOnce(lifecycleOn.api)));
      lifeRates.bare.push(6 * (await atOnce(lifecycleOn.bare)));
      lifeRates.bareHttp.push(6 * (await atOnce(lifecycleOn.bareHttp)));
    }
    const [apiLife, bareLife, bareHttpLife] = [lifeRates.api, lifeRates.bare, lifeRates.bareHttp].map(
      mean,
    ) as [number, number, number];
    lines.push(
      `Full lifecycles, ${connections} at once (${seconds} s a side, each side ${LIFE_ROUNDS} times, taking turns; means): ` +
        `API ${apiLife.toFixed(0)} writes/s vs bare postgres.js ${bareLife.toFixed(0)} writes/s in-process (a pool of ${connections}) and ${bareHttpLife.toFixed(0)} writes/s behind the bare Hono server over HTTP. ` +
        `API / bare in each round: ${lifeRates.api.map((a, i) => (a / lifeRates.bare[i]!).toFixed(2)).join(', ')}.`,
      '',
    );
    targets.push(
      target(
        `lifecycle writes/s at ${connections} connections: API / bare`,
        apiLife / bareLife,
        apiLife / bareLife >= 0.5,
        '≥ 0.5',
      ),
    );
    floor(
      `lifecycle writes/s at ${connections} connections (bare over HTTP / bare)`,
      bareHttpLife / bareLife,
    );
  }

  return { lines, targets };
}
