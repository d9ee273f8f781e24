/**
 * `pnpm apps`: both sample apps from one command — the kitchen dashboard on :5173 and the
 * customer's order tracking on :5174, each a Vite dev server proxying /api and /trpc to
 * QUICKEATS_API_URL (default http://localhost:3000, where `pnpm start` serves the API on its
 * embedded database). When nothing answers there, the API is started too (and stopped on exit).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const api = process.env.QUICKEATS_API_URL ?? 'http://localhost:3000';
const repo = fileURLToPath(new URL('../..', import.meta.url));

async function apiUp() {
  try {
    return (await fetch(`${api}/healthz`)).ok;
  } catch {
    return false;
  }
}

let child;
if (!(await apiUp())) {
  if (process.env.QUICKEATS_API_URL) throw new Error(`No API answers at ${api}/healthz`);
  console.log(`No API at ${api}: starting it (pnpm start)…`);
  child = spawn('pnpm', ['start'], { cwd: repo, stdio: 'inherit', detached: true });
  const deadline = Date.now() + 120_000;
  while (!(await apiUp())) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('The API did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
}

const apps = [
  { name: 'Kitchen dashboard', dir: 'apps/restaurant-dashboard', port: 5173 },
  { name: 'Order tracking', dir: 'apps/order-tracking', port: 5174 },
];
const servers = [];
for (const app of apps) {
  const root = `${repo}${app.dir}`;
  const server = await createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    server: { port: app.port, strictPort: true },
  });
  await server.listen();
  servers.push(server);
  console.log(`${app.name}: http://localhost:${app.port}/`);
}
console.log(`API: ${api} · owner@quickeats.test / customer@quickeats.test, password quickeats-demo`);

async function stop() {
  await Promise.all(servers.map((s) => s.close()));
  // The API was started as its own process group (pnpm → tsx → node): end all of it.
  if (child?.pid) process.kill(-child.pid, 'SIGTERM');
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
