/**
 * The production-like topology on one machine, for `pnpm topology up` and the tests that prove the
 * guarantees through it (apps/api/src/topology.test.ts):
 *
 *   clients → HAProxy (round robin, health-checked on /readyz) → N API processes
 *   API → PgBouncer (pool_mode = transaction) → primary PostgreSQL ─WAL→ streaming replica
 *   API ─direct session→ primary (LISTEN for live events, the migration lock)
 *   API → streaming replica (order list/get reads, primary fallback)
 *   API → Upstash bridge → Redis (idempotency leases, rate limits)
 *
 * Everything is private to the topology: its own PostgreSQL clusters (initdb / pg_basebackup as the
 * `postgres` user), PgBouncer and HAProxy from Debian, its own Redis, on kernel-chosen free ports in
 * temporary directories; `stop()` removes every trace. The shared PostgreSQL and Redis are never touched.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startUpstashBridge, type UpstashBridge } from '@quickeats/upstash-bridge';
import { type ApiProcess, startApiProcess } from './api-process';
import { freePort } from './ports';
import {
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from './private-services';
import { waitFor } from './wait';

const run = promisify(execFile);

/** The database the topology's API processes use (created on the primary, streamed to the replica). */
export const TOPOLOGY_DATABASE = 'quickeats';

/** Server settings of both clusters: enough connections for 3 API processes, a pooler and the tests. */
const POSTGRES_SETTINGS = {
  max_connections: '200',
  wal_level: 'replica',
  max_wal_senders: '5',
  hot_standby: 'on',
  // A long read on the replica is not cancelled by the primary's vacuum (the primary keeps the rows).
  hot_standby_feedback: 'on',
};

/** Session settings PgBouncer applies to each server connection it opens (clients may not send them). */
export function sessionSettingsQuery(statementTimeoutMs = 8000): string {
  return `set statement_timeout = ${statementTimeoutMs}; set idle_in_transaction_session_timeout = 30000`;
}

export interface Daemon {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A foreground daemon (PgBouncer, HAProxy) as a child of this process; `runAs` drops root. */
function daemon(name: string, command: string, args: string[], runAs?: string): Omit<Daemon, 'url' | 'port'> {
  const asRoot = process.getuid?.() === 0;
  const child =
    runAs && asRoot
      ? spawn('runuser', ['-u', runAs, '--', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  child.on('error', (err) => {
    out += `\n${name}: ${String(err)}`;
  });
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The Debian binary, or a message saying how to get it. */
function requireBinary(path: string, pkg: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install -y ${pkg} (.ci/run does)`);
  return path;
}

async function tcpAnswers(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface PgBouncerOptions {
  /** The primary's port. */
  serverPort: number;
  /** Directory the `postgres` user owns (config, auth file, log). */
  dir: string;
  poolSize?: number;
  statementTimeoutMs?: number;
}

/**
 * PgBouncer 1.18 in transaction mode in front of the primary: every database name is forwarded (a
 * wildcard), the session settings are applied per server connection (`connect_query`), clients
 * authenticate as `postgres` (trust, as the private clusters do).
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<Daemon> {
  const binary = requireBinary('/usr/sbin/pgbouncer', 'pgbouncer');
  const port = await freePort();
  const ini = join(options.dir, 'pgbouncer.ini');
  const users = join(options.dir, 'userlist.txt');
  writeFileSync(users, '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${options.serverPort} connect_query='${sessionSettingsQuery(options.statementTimeoutMs)}'`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${options.dir}`,
      'auth_type = trust',
      `auth_file = ${users}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      `default_pool_size = ${options.poolSize ?? 20}`,
      // postgres.js sends none of these; other drivers (psql, JDBC) do.
      'ignore_startup_parameters = extra_float_digits',
      'server_check_delay = 1',
      'admin_users = postgres',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres:postgres', options.dir]);
  const d = daemon('pgbouncer', binary, [ini], 'postgres');
  await waitFor(
    async () => {
      if (d.child.exitCode !== null) throw new Error(`pgbouncer exited:\n${d.output()}`);
      return tcpAnswers(port);
    },
    { description: `pgbouncer on ${port}`, timeoutMs: 60_000 },
  );
  return { ...d, port, url: `postgres://postgres@127.0.0.1:${port}` };
}

export interface HaproxyOptions {
  /** The API processes' base URLs. */
  backends: readonly string[];
  dir: string;
}

/**
 * HAProxy balancing the API processes round robin, a new connection to a process per request
 * (`http-server-close`). A process is taken out when `/readyz` fails twice
 * (500 ms apart: refused, or not 200 — draining, database down); a request whose connection to a dead process fails before
 * it was sent is redispatched to another (`retries`, `option redispatch`). A request already sent to
 * a process that dies answers 502 — the documented outcome of a crash mid-request. `X-Served-By`
 * names the process that answered; `X-Route-To: apiN` (a test aid) pins a request to process N, even
 * while its health check fails.
 */
export async function startHaproxy(options: HaproxyOptions): Promise<Daemon> {
  const binary = requireBinary('/usr/sbin/haproxy', 'haproxy');
  const port = await freePort();
  const cfg = join(options.dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 4000',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 300s',
      '  timeout server 300s',
      // Event streams: the heartbeat comments keep them well inside this.
      '  timeout tunnel 1h',
      '  retries 3',
      '  option redispatch',
      // Only what was never sent is retried elsewhere; a request a dying process took answers 502.
      '  retry-on conn-failure',
      // One connection to a process per request: no idle keep-alive connection for the process to
      // close (Node closes them after 5 s) just as HAProxy reuses it for another client's request —
      // HAProxy then closes that client's connection without an answer ("other side closed", a
      // write lost in the live-events test). Client connections to HAProxy stay keep-alive.
      '  option http-server-close',
      'frontend api',
      `  bind 127.0.0.1:${port}`,
      '  default_backend apis',
      'backend apis',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      '  http-response set-header X-Served-By %s',
      // A check may be slow on a loaded machine: only a refused connection or a non-200 takes a
      // process out (a killed one within about a second), never a slow answer.
      '  timeout check 15s',
      '  default-server inter 500ms fall 2 rise 1',
      // Test aid: `X-Route-To: apiN` pins a request to one process (the chaos test must know which
      // process runs the payment it kills), even while its health check fails: a /readyz slower than
      // its 2 s bound on a loaded machine took a process out for a moment (seen mid-test at load 25),
      // and a pinned request then went to another process than the test recorded. A pin to a
      // process that is gone answers 503; unpinned requests are balanced over the healthy ones.
      '  force-persist if { req.hdr(x-route-to) -m found }',
      ...options.backends.map((_, i) => `  use-server api${i} if { req.hdr(x-route-to) -m str api${i} }`),
      ...options.backends.map((url, i) => `  server api${i} ${new URL(url).host} check`),
      '',
    ].join('\n'),
  );
  const d = daemon('haproxy', binary, ['-f', cfg, '-db']);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (d.child.exitCode !== null) throw new Error(`haproxy exited:\n${d.output()}`);
      return fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    { description: `haproxy on ${port}`, timeoutMs: 60_000 },
  );
  return { ...d, port, url };
}

export interface TopologyOptions {
  /** API processes behind HAProxy (default 3). */
  apiProcesses?: number;
  /** Start the streaming replica and send reads to it (default true). */
  replica?: boolean;
  /** More environment for the API processes (PAYMENT_PROVIDER_URL, leases, timeouts, log level…). */
  apiEnv?: Record<string, string>;
  /** Each API process serves Prometheus metrics on a port of its own (`Topology.metricsUrls`). */
  metrics?: boolean;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
}

export interface Topology {
  /** HAProxy: where clients go. */
  url: string;
  apis: ApiProcess[];
  /** `/metrics` of each API process (with `metrics: true`). */
  metricsUrls: string[];
  primary: PrivatePostgres;
  replica: PrivatePostgres | undefined;
  pgbouncer: Daemon;
  haproxy: Daemon;
  redis: PrivateRedis;
  bridge: UpstashBridge;
  /** The URLs the API processes got. */
  urls: { pooled: string; direct: string; replica: string | undefined };
  /** The environment every API process got (to start another like them). */
  apiEnv: Record<string, string>;
  stop(): Promise<void>;
}

const withDatabase = (url: string, name: string) => `${url}/${name}`;

export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
  const log = options.log ?? (() => {});
  const cleanup: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    cleanup.length = 0;
  };
  try {
    log('primary PostgreSQL (initdb)');
    const primary = await startPrivatePostgres({ settings: POSTGRES_SETTINGS });
    cleanup.push(() => primary.destroy());
    await run('psql', [primary.adminUrl, '-qc', `create database ${TOPOLOGY_DATABASE}`]);

    log('streaming replica (pg_basebackup), PgBouncer, Redis');
    const [replica, pgbouncer, redis] = await Promise.all([
      options.replica === false
        ? undefined
        : startPrivatePostgres({ settings: POSTGRES_SETTINGS, replicaOf: primary }).then((r) => {
            cleanup.push(() => r.destroy());
            return r;
          }),
      startPgBouncer({ serverPort: primary.port, dir: primary.dir }).then((p) => {
        cleanup.push(() => p.stop());
        return p;
      }),
      startPrivateRedis().then((r) => {
        cleanup.push(() => r.destroy());
        return r;
      }),
    ]);
    const bridge = await startUpstashBridge({ redisUrl: redis.url });
    cleanup.push(() => bridge.close());

    const urls = {
      pooled: withDatabase(pgbouncer.url, TOPOLOGY_DATABASE),
      direct: withDatabase(`postgres://postgres@127.0.0.1:${primary.port}`, TOPOLOGY_DATABASE),
      replica: replica && withDatabase(`postgres://postgres@127.0.0.1:${replica.port}`, TOPOLOGY_DATABASE),
    };
    const apiEnv: Record<string, string> = {
      DATABASE_URL: urls.pooled,
      DATABASE_DIRECT_URL: urls.direct,
      ...(urls.replica ? { DATABASE_REPLICA_URLS: urls.replica } : {}),
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      DATABASE_POOL_SIZE: '8',
      WEB_CONCURRENCY: '1',
      TRUST_PROXY: 'true',
      ...options.apiEnv,
    };
    const count = options.apiProcesses ?? 3;
    log(`${count} API processes`);
    const metricsPorts = options.metrics
      ? await Promise.all(Array.from({ length: count }, () => freePort()))
      : [];
    const start = (i: number) =>
      startApiProcess({
        ...apiEnv,
        ...(options.metrics ? { METRICS_PORT: String(metricsPorts[i]), METRICS_HOST: '127.0.0.1' } : {}),
      });
    // One first (it migrates and seeds), then the others together.
    const apis: ApiProcess[] = [await start(0)];
    cleanup.push(() => Promise.all(apis.map((a) => a.stop())));
    apis.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))));

    log('HAProxy');
    const haproxy = await startHaproxy({ backends: apis.map((a) => a.url), dir: primary.dir });
    cleanup.push(() => haproxy.stop());
    // Every process in rotation before anyone is sent through it.
    await waitFor(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < count * 2; i++) {
          const res = await fetch(`${haproxy.url}/healthz`).catch(() => undefined);
          const by = res?.headers.get('x-served-by');
          if (by) seen.add(by);
        }
        return seen.size === count;
      },
      { description: 'HAProxy to route to every API process', timeoutMs: 60_000 },
    );
    return {
      url: haproxy.url,
      apis,
      metricsUrls: metricsPorts.map((port) => `http://127.0.0.1:${port}/metrics`),
      primary,
      replica,
      pgbouncer,
      haproxy,
      redis,
      bridge,
      urls,
      apiEnv,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
