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
