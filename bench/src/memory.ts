/**
 * Resident memory of a server and everything it started (issue 15, SPEC "≤ 200 MB per process"):
 * the API runs under the node:cluster supervisor, so the process the bench spawned is the primary
 * and the requests are served by its workers. Every process of the tree is sampled (`/proc`), and
 * each one's peak is reported with its role, so that "per process" means every process.
 */
import { readFileSync } from 'node:fs';

/** The resident set of `pid` in MB (0 once it is gone). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** `pid` and all its descendants (children of every thread), depth first. */
export function processTree(pid: number): number[] {
  const out = [pid];
  let threads: string[] = [];
  try {
    threads = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return out;
  }
  for (const child of threads) out.push(...processTree(Number(child)));
  return out;
}

/** A short name for a process of the tree: its script (and `worker` for cluster workers). */
function roleOf(pid: number, root: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    const script =
      cmd
        .find((a) => /\.(m?js|ts)$/.test(a))
        ?.split('/')
        .slice(-2)
        .join('/') ??
      cmd[0] ??
      '?';
    if (/(^|\/)(da|ba)?sh$/.test(cmd[0] ?? '')) return `sh (${script})`;
    if (cmd.some((a) => /\/pnpm(\.c?js)?$/.test(a))) return 'pnpm';
    if (pid === root) return `${script} (primary)`;
    return environ.includes('NODE_UNIQUE_ID=') ? `${script} (worker)` : script;
  } catch {
    return '?';
  }
}

export interface ProcessPeak {
  pid: number;
  role: string;
  peakMb: number;
}

/** Samples the tree under `root` every `everyMs` until stopped; peaks per process and of the tree's sum. */
export function sampleTree(root: number, everyMs = 200) {
  const peaks = new Map<number, ProcessPeak>();
  let treePeak = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of processTree(root)) {
      const mb = rssMb(pid);
      sum += mb;
      const known = peaks.get(pid) ?? { pid, role: roleOf(pid, root), peakMb: 0 };
      known.peakMb = Math.max(known.peakMb, mb);
      peaks.set(pid, known);
    }
    treePeak = Math.max(treePeak, sum);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const list = [...peaks.values()].filter((p) => p.peakMb > 0);
      return {
        processes: list,
        /** The largest single process: what "≤ 200 MB per process" is about. */
        maxPerProcessMb: Math.max(0, ...list.map((p) => p.peakMb)),
        treeMb: treePeak,
      };
    },
  };
}

export type TreeMemory = ReturnType<ReturnType<typeof sampleTree>['stop']>;

export const describeTree = (m: TreeMemory) =>
  m.processes.map((p) => `${p.role} ${p.peakMb.toFixed(0)} MB`).join(', ');

/**
 * The concurrent pay load: each autocannon connection creates an order (customer, with a key) and
 * pays it (If-Match "v1", another key), over and over — the write path with the payment provider's
 * charge, at `connections` requests in flight.
 */
export async function payLoad(options: {
  url: string;
  customerToken: string;
  restaurantId: string;
  menuItemId: string;
  seconds: number;
  connections: number;
}) {
  const { default: autocannon } = await import('autocannon');
  const { randomUUID } = await import('node:crypto');
  const auth = { authorization: `Bearer ${options.customerToken}`, 'content-type': 'application/json' };
  return new Promise<import('autocannon').Result>((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        requests: [
          {
            method: 'POST',
            path: '/api/v2/orders',
            setupRequest: (req) => ({
              ...req,
              headers: { ...auth, 'idempotency-key': randomUUID() },
              body: JSON.stringify({
                restaurantId: options.restaurantId,
                items: [{ menuItemId: options.menuItemId, quantity: 1 }],
              }),
            }),
            onResponse: (_status, body, context) => {
              (context as { orderId?: string }).orderId = (
                JSON.parse(body) as { data?: { id?: string } }
              ).data?.id;
            },
          },
          {
            method: 'POST',
            setupRequest: (req, context) => ({
              ...req,
              path: `/api/v2/orders/${(context as { orderId?: string }).orderId}/pay`,
              headers: { ...auth, 'idempotency-key': randomUUID(), 'if-match': '"v1"' },
              body: '{}',
            }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/**
 * The list load: `connections` clients asking for the v2 list page with every include, for `seconds`.
 */
export async function listLoad(options: {
  url: string;
  token: string;
  seconds: number;
  connections: number;
}) {
  const { default: autocannon } = await import('autocannon');
  return new Promise<import('autocannon').Result>((resolve, reject) => {
    autocannon(
      {
        url: `${options.url}/api/v2/orders?page[size]=50&include=restaurant,customer,rider,items.menuItem`,
        connections: options.connections,
        duration: options.seconds,
        headers: { authorization: `Bearer ${options.token}` },
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

export interface LoadMemory {
  /** What the load did (requests, non-2xx) and the tree's peaks meanwhile. */
  requests: number;
  non2xx: number;
  memory: TreeMemory;
}

/** Run `load` while sampling the process tree under `root`. */
export async function underLoad(
  root: number,
  load: () => Promise<import('autocannon').Result>,
): Promise<LoadMemory> {
  const sampler = sampleTree(root);
  let memory: TreeMemory | undefined;
  const result = await load().finally(() => {
    memory = sampler.stop();
  });
  return { requests: result.requests.total, non2xx: result.non2xx, memory: memory! };
}

async function token(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v2/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** The restaurant and dish the pay load orders (the first restaurant the customer sees, its first dish). */
export async function dishFor(url: string, customerToken: string) {
  const res = await fetch(`${url}/api/v2/restaurants?include=menuItems`, {
    headers: { authorization: `Bearer ${customerToken}` },
  });
  const body = (await res.json()) as {
    data: { id: string; relationships: { menuItems: { data: { id: string }[] } } }[];
  };
  const restaurant = body.data.find((r) => r.relationships.menuItems.data.length > 0)!;
  return { restaurantId: restaurant.id, menuItemId: restaurant.relationships.menuItems.data[0]!.id };
}

export interface StartTreeMemory {
  /** The whole first start: build (when stale), a new embedded directory prepared and seeded, the worker up. */
  startPeakMb: number;
  /** The tree a few seconds after the banner. */
  afterStart: TreeMemory;
  list: LoadMemory;
  pay: LoadMemory;
  startSeconds: number;
}

/**
 * `pnpm start` as the README's first command runs it — at the repository root, embedded PGlite in a
 * new directory (seeded on this first start), the fake provider — sampled from the `pnpm` process
 * down (every process of the tree summed: pnpm, sh, the supervisor and the worker), after start
 * and under the list and pay loads.
 */
export async function measureStartTree(options: {
  root: string;
  port: number;
  seconds: number;
  connections: number;
  accounts: { admin: string; customer: string; password: string };
}): Promise<StartTreeMemory> {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dataDir = mkdtempSync(join(tmpdir(), 'quickeats-bench-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(DATABASE_|UPSTASH_|PAYMENT_PROVIDER_URL|NODE_ENV|EXPOSE_SQL|REDIS_URL|WEB_CONCURRENCY)/.test(k))
      delete env[k];
  const started = Date.now();
  const child = spawn('pnpm', ['start'], {
    cwd: options.root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      PORT: String(options.port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // The pay load writes as one customer, far faster than a person: the write limit is not measured.
      RATE_LIMIT_WRITES_PER_USER: '0',
    },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const whole = sampleTree(child.pid!);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /QuickEats API listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        } else if (child.exitCode !== null || Date.now() - started > 300_000) {
          clearInterval(timer);
          reject(new Error(`pnpm start did not start:\n${out.slice(-3000)}`));
        }
      }, 100);
    });
    const startSeconds = (Date.now() - started) / 1000;
    const settle = sampleTree(child.pid!);
    await new Promise((r) => setTimeout(r, 3000));
    const afterStart = settle.stop();
    const admin = await token(url, options.accounts.admin, options.accounts.password);
    const customer = await token(url, options.accounts.customer, options.accounts.password);
    const list = await underLoad(child.pid!, () =>
      listLoad({ url, token: admin, seconds: options.seconds, connections: options.connections }),
    );
    const dish = await dishFor(url, customer);
    const pay = await underLoad(child.pid!, () =>
      payLoad({
        url,
        customerToken: customer,
        ...dish,
        seconds: options.seconds,
        connections: options.connections,
      }),
    );
    return { startPeakMb: whole.stop().treeMb, afterStart, list, pay, startSeconds };
  } finally {
    whole.stop();
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {}
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {}
        resolve();
      }, 15_000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
