/**
 * The chaos scenario of issue 5 / SPEC "Targets", for any deployment of several API processes: 200
 * concurrent `pay` requests with ONE Idempotency-Key while the fake provider (its own process) times
 * out after charging and drops connections, and the API process running the payment is killed with
 * SIGKILL in the middle of it. Checked at the provider's ledger: exactly one charge.
 *
 * The clients behave like real ones: a 409 is retried after its Retry-After, a connection lost to the
 * killed process (or a balancer's 502 for it) is retried. Every answer any client gets must be the
 * same success or a 409; the key must not stay wedged by the dead process beyond its lease; and a
 * retry long after returns the stored success.
 *
 * Run by `pay.chaos.test.ts` (4 processes straight to PostgreSQL, both idempotency stores) and
 * `topology.test.ts` (3 processes behind HAProxy, PgBouncer in transaction mode, Upstash store).
 */
import { readFileSync } from 'node:fs';
import { type Database, DEMO_ACCOUNTS, executeRows } from '@quickeats/db';
import type { ProviderAdmin } from '@quickeats/payment-provider/client';
import { fetchOnFreshConnection, scaledTimeout, TEST_TOKEN_SECRET, waitFor } from '@quickeats/test-support';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { signAccessToken } from '../auth/token';
import { demoDish, newKey, placeOrder, postInit } from './orders-fixture';

export const PAY_CHAOS_REQUESTS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  client: number;
  attempt: number;
  /** The process that answered (undefined: a balancer chose and did not say). */
  process: number | undefined;
  /** HTTP status, or `lost` when the connection died (the killed process). */
  status: number | 'lost';
  body: string;
  replayed: boolean;
}

/** How the scenario reaches and kills the API processes of a deployment. */
export interface ChaosDeployment {
  processes: number;
  /** Base URL and headers of a request to process `p`, or to whichever the deployment picks. */
  route(p: number | undefined): { baseUrl: string; headers?: Record<string, string> };
  /** The process that answered a response, when the deployment says. */
  servedBy(res: Response): number | undefined;
  /** Retries go to a chosen live process (true) or to the deployment's choice (false: a balancer). */
  pinRetries: boolean;
  /** Statuses that mean "the process died under this request" (a balancer's 502). */
  lostStatuses: number[];
  kill(p: number): void;
  pids(): (number | undefined)[];
  /** What the processes logged (the only clue to an unexpected answer). */
  output(): string;
}

export interface PayChaosOptions {
  /** Where the checks read the truth (the primary). */
  db: Database;
  admin: ProviderAdmin;
  deployment: ChaosDeployment;
  /** IDEMPOTENCY_LEASE_SECONDS of the processes. */
  leaseSeconds: number;
}

/** A resident-memory figure of a process from /proc (VmRSS now, VmHWM peak), in MB; null without /proc. */
function rssMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}
const currentRssMb = (pid: number | undefined) => rssMb(pid, 'VmRSS');
const peakRssMb = (pid: number | undefined) => rssMb(pid, 'VmHWM');

/** Run the scenario and assert its verdict; returns the figures for the log. */
export async function runPayChaos(options: PayChaosOptions): Promise<Record<string, unknown>> {
  const { db, admin, deployment, leaseSeconds } = options;
  const [user] = await executeRows<{ id: string }>(
    db,
    sql`select id from users where email = ${DEMO_ACCOUNTS.customer}`,
  );
  const token = await signAccessToken({ userId: user!.id, role: 'customer' }, TEST_TOKEN_SECRET, 3600);
  const dish = await demoDish(db);
  const { id: orderId } = await placeOrder(
    (p, i) => fetch(`${deployment.route(0).baseUrl}${p}`, i),
    token,
    dish,
    2,
  );
  const chargesAtProvider = async () =>
    (await admin.ledger()).charges.filter((c) => c.orderId === orderId).length;

  // The faults are staged by event, not by clock (the provider moves to the next phase on the
  // request after the last fault of a phase fired). Phase 1: the first charge is recorded, then
  // its answer is held — the request that made it is in flight, money taken and not yet recorded,
  // when its process is killed. Phase 2, for whoever takes the key over once the dead process's
  // lease expires: the connection drops before charging, then after charging — the takeover must
  // retry through both. Setting phase 2 after the kill would race the takeover on a busy machine.
  await admin.setFaults({
    timeoutAfterCharge: { times: 1, on: ['charge'] },
    next: {
      dropBeforeCharge: { times: 1, on: ['charge'] },
      dropAfterCharge: { times: 1, on: ['charge'] },
    },
  });

  const rssAtStart = deployment.pids().map(currentRssMb);
  const key = newKey();
  const answers: Answer[] = [];
  const firstWavePending = new Map<number, number>(); // client → process of its first request
  const killed = new Set<number>();
  const live = () => Array.from({ length: deployment.processes }, (_, i) => i).filter((i) => !killed.has(i));

  // Clients keep retrying until they have a final answer; the bound is only there to end a broken run.
  const clientDeadline = Date.now() + scaledTimeout(240_000);
  async function client(n: number): Promise<void> {
    for (let attempt = 0; Date.now() < clientDeadline; attempt++) {
      const alive = live();
      // The first wave is spread over the processes (so the test knows where the payment runs);
      // retries go where the deployment sends them (a live process, or the balancer's choice).
      const pinned =
        attempt === 0 || deployment.pinRetries ? alive[(n + attempt) % alive.length]! : undefined;
      if (attempt === 0) firstWavePending.set(n, pinned!);
      const route = deployment.route(pinned);
      let answer: Answer;
      let retryAfter = 1;
      try {
        // A fresh connection per attempt: a keep-alive race must not pass for a lost connection.
        const init = postInit({ token, key, ifMatch: '"v1"' });
        const res = await fetchOnFreshConnection(`${route.baseUrl}/api/v2/orders/${orderId}/pay`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...route.headers },
        });
        const status = deployment.lostStatuses.includes(res.status) ? 'lost' : res.status;
        answer = {
          client: n,
          attempt,
          process: deployment.servedBy(res) ?? pinned,
          status,
          body: await res.text(),
          replayed: res.headers.get('idempotent-replayed') === 'true',
        };
        retryAfter = Number(res.headers.get('retry-after') ?? 1);
      } catch {
        answer = { client: n, attempt, process: pinned, status: 'lost', body: '', replayed: false };
      }
      firstWavePending.delete(n);
      answers.push(answer);
      if (answer.status === 'lost') continue; // as a balancer would: on to a live process
      if (answer.status !== 409) return;
      await sleep(retryAfter * 1000 + Math.random() * 250);
    }
  }

  const started = Date.now();
  const clients = Promise.all(Array.from({ length: PAY_CHAOS_REQUESTS }, (_, n) => client(n)));

  // The request running the payment is the one first-wave request still open once the provider
  // has recorded the charge (every other first request was answered 409 at once).
  const victim = await waitFor(
    async () =>
      firstWavePending.size === 1 && (await chargesAtProvider()) === 1 && [...firstWavePending.values()][0],
    { timeoutMs: scaledTimeout(120_000), description: 'the process running the payment' },
  );
  const killedAtMs = Date.now() - started;
  killed.add(victim);
  deployment.kill(victim);
  // On a loaded machine the dead-to-be process's lease may already have expired while the test
  // was still finding it, so the takeover (and the phase 2 faults) can come before or after the
  // kill: both orders are real chaos, and every assertion below must hold in either.
  const phase1 = await admin.faults();
  expect(phase1.fired.timeoutAfterCharge).toBe(1);
  const takeoverBeforeKill = phase1.fired.dropBeforeCharge > 0;
  await clients;
  const settledAtMs = Date.now() - started;

  const successes = answers.filter((a) => a.status === 200);
  const conflicts = answers.filter((a) => a.status === 409);
  const lost = answers.filter((a) => a.status === 'lost');
  const others = answers.filter((a) => a.status !== 200 && a.status !== 409 && a.status !== 'lost');
  const finalByClient = new Map(answers.map((a) => [a.client, a]));

  // Every answer is the one success or a 409 "in flight"; only the killed process lost connections.
  expect(
    others.map((a) => `${a.status} ${a.body.slice(0, 200)}`),
    // What the processes logged is the only clue to an unexpected answer.
    deployment.output(),
  ).toEqual([]);
  expect(new Set(successes.map((a) => a.body)).size).toBe(1);
  for (const c of conflicts) expect(JSON.parse(c.body)).toMatchObject({ code: 'IDEMPOTENCY_IN_FLIGHT' });
  // Only requests on the killed process were lost (a balancer's 502 does not say where it went).
  expect(lost.every((a) => a.process === undefined || a.process === victim)).toBe(true);
  expect(lost.length).toBeGreaterThanOrEqual(1); // at least the request that was running the payment
  // Every client ends with that success: the key did not stay wedged by the dead process.
  expect([...finalByClient.values()].every((a) => a.status === 200)).toBe(true);
  expect(finalByClient.size).toBe(PAY_CHAOS_REQUESTS);

  const success = JSON.parse(successes[0]!.body) as {
    data: { attributes: { status: string; version: number } };
  };
  expect(success.data.attributes).toMatchObject({ status: 'paid', version: 2 });

  // The provider's ledger: one charge, no refund. The database: paid once, one payment, one event.
  const ledger = await admin.ledger();
  const charges = ledger.charges.filter((c) => c.orderId === orderId);
  expect(charges).toHaveLength(1);
  expect(ledger.refunds.filter((r) => r.chargeId === charges[0]!.id)).toHaveLength(0);
  const phase2 = await admin.faults();
  expect(phase2.fired).toMatchObject({ dropBeforeCharge: 1, dropAfterCharge: 1 });
  const [row] = await executeRows<{
    status: string;
    version: number;
    pays: number;
    payments: number;
    ref: string;
  }>(
    db,
    sql`select o.status, o.version,
             (select count(*)::int from order_events e where e.order_id = o.id and e.action = 'pay') as pays,
             (select count(*)::int from payments p where p.order_id = o.id) as payments,
             (select p.provider_reference from payments p where p.order_id = o.id) as ref
        from orders o where o.id = ${orderId}`,
  );
  expect(row).toEqual({ status: 'paid', version: 2, pays: 1, payments: 1, ref: charges[0]!.id });

  // Long after the lease, a retry still gets the stored success, byte for byte.
  await sleep(leaseSeconds * 1000 + 500);
  const late = await fetch(
    `${deployment.route(live()[0]).baseUrl}/api/v2/orders/${orderId}/pay`,
    postInit({ token, key, ifMatch: '"v1"' }),
  );
  expect(late.status).toBe(200);
  expect(late.headers.get('idempotent-replayed')).toBe('true');
  expect(await late.text()).toBe(successes[0]!.body);

  const figures = {
    clients: PAY_CHAOS_REQUESTS,
    processes: deployment.processes,
    answers: answers.length,
    firstAttempts: {
      ok: answers.filter((a) => a.attempt === 0 && a.status === 200).length,
      conflicts: answers.filter((a) => a.attempt === 0 && a.status === 409).length,
      lost: answers.filter((a) => a.attempt === 0 && a.status === 'lost').length,
    },
    successes: successes.length,
    successesReplayed: successes.filter((a) => a.replayed).length,
    conflicts409: conflicts.length,
    lostToKilledProcess: lost.length,
    otherStatuses: others.length,
    providerCharges: charges.length,
    killedProcess: victim,
    takeoverBeforeKill,
    killedAtMs,
    settledAtMs,
    faultsFired: {
      timeoutAfterCharge: phase1.fired.timeoutAfterCharge,
      dropBeforeCharge: phase2.fired.dropBeforeCharge,
      dropAfterCharge: phase2.fired.dropAfterCharge,
    },
    rssMbAtStart: rssAtStart,
    peakRssMbOfSurvivors: live().map((i) => peakRssMb(deployment.pids()[i])),
  };
  return figures;
}
