/**
 * `pnpm topology up` / `pnpm topology down`: the scaled-out topology (see `topology.ts`) on this
 * machine. `up` starts it with the fake payment provider, prints where everything is and stays in
 * the foreground until Ctrl-C or `pnpm topology down` (which signals it through `.topology.json` at
 * the repository root); either way everything it started is stopped and deleted.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEST_TOKEN_SECRET } from './api-process';
import { startProviderProcess } from './provider-process';
import { startTopology } from './topology';

const STATE = fileURLToPath(new URL('../../../.topology.json', import.meta.url));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function up() {
  if (existsSync(STATE)) {
    const { pid } = JSON.parse(readFileSync(STATE, 'utf8')) as { pid: number };
    if (alive(pid)) throw new Error(`a topology is already up (pid ${pid}): pnpm topology down`);
  }
  const provider = await startProviderProcess();
  const topology = await startTopology({
    apiProcesses: Number(process.env.TOPOLOGY_API_PROCESSES ?? 3),
    replica: process.env.TOPOLOGY_REPLICA !== 'false',
    apiEnv: {
      PAYMENT_PROVIDER_URL: provider.url,
      AUTH_TOKEN_SECRET: process.env.AUTH_TOKEN_SECRET ?? TEST_TOKEN_SECRET,
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      SEED_ORDERS: process.env.SEED_ORDERS ?? '1000',
    },
    log: (line) => console.info(`[topology] starting ${line}`),
  });
  const summary = {
    pid: process.pid,
    api: topology.url,
    apiProcesses: topology.apis.map((a) => a.url),
    pgbouncer: topology.urls.pooled,
    primary: topology.urls.direct,
    replica: topology.urls.replica,
    redis: topology.redis.url,
    upstashBridge: topology.bridge.url,
    paymentProvider: provider.url,
  };
  writeFileSync(STATE, `${JSON.stringify(summary, null, 2)}\n`);
  console.info(`[topology] up — clients: ${topology.url}`);
  console.info(JSON.stringify(summary, null, 2));
  console.info('[topology] Ctrl-C or `pnpm topology down` stops it');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.info('[topology] stopping');
    await topology.stop();
    await provider.stop();
    rmSync(STATE, { force: true });
    console.info('[topology] down');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function down() {
  if (!existsSync(STATE)) {
    console.info('[topology] nothing is up');
    return;
  }
  const { pid } = JSON.parse(readFileSync(STATE, 'utf8')) as { pid: number };
  if (!alive(pid)) {
    rmSync(STATE, { force: true });
    console.info('[topology] was not running (stale state removed)');
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  console.info(alive(pid) ? `[topology] ${pid} still running` : '[topology] down');
}

const command = process.argv[2];
if (command === 'up') await up();
else if (command === 'down') await down();
else {
  console.error('usage: pnpm topology up | down');
  process.exit(2);
}
