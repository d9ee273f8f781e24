/**
 * Private dependencies for fault tests: a PostgreSQL cluster of the test's own (initdb/pg_ctl as
 * the `postgres` user, on a free port, in a temporary directory) and a redis-server of its own —
 * never the shared instances, which other tests and engineers use. A test may stop, kill, freeze
 * (SIGSTOP) and restart them; `destroy()` removes every trace.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';
import { waitFor } from './wait';

const run = promisify(execFile);

/** The newest installed PostgreSQL's binaries (Debian layout), or PATH. */
function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? join(root, versions[0], 'bin', name) : name;
}

/** Run a PostgreSQL binary as the `postgres` user (initdb refuses root). */
export function asPostgres(binary: string, args: string[]) {
  const asRoot = process.getuid?.() === 0;
  return asRoot ? run('runuser', ['-u', 'postgres', '--', pgBin(binary), ...args]) : run(pgBin(binary), args);
}

export interface PrivatePostgres {
  port: number;
  /** URL of the `postgres` database (create per-test databases through it). */
  adminUrl: string;
  /** Start (again) and wait until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop` (`immediate` = crash-like: no checkpoint, connections cut). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** SIGSTOP every process of the cluster: connections stay open and nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT them again. */
  thaw(): Promise<void>;
  /** Stop and delete the cluster. */
  destroy(): Promise<void>;
  /** The cluster's temporary directory (data directory, socket, server log). */
  dir: string;
}

export interface PrivatePostgresOptions {
  /** Extra server settings (`-c name=value`), e.g. `{ max_connections: '200' }`. */
  settings?: Record<string, string>;
  /**
   * A streaming replica of this cluster instead of a new one: `pg_basebackup -R` from it (a hot
   * standby, read-only, following the primary's WAL), on a port and directory of its own.
   */
  replicaOf?: PrivatePostgres;
}

/** A temporary directory the `postgres` user owns. */
async function postgresOwnedDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  if (process.getuid?.() === 0) chownSync(dir, uid, gid);
  return dir;
}

export async function startPrivatePostgres(opts: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const dir = await postgresOwnedDir(opts.replicaOf ? 'qe-replica-pg-' : 'qe-fault-pg-');
  const data = join(dir, 'data');
  if (opts.replicaOf) {
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL needed to start.
    const from = opts.replicaOf;
    await asPostgres(
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(from.port), '-U', 'postgres'].concat([
        '-D',
        data,
        '-R',
        '-X',
        'stream',
        '--checkpoint=fast',
        '--no-sync',
      ]),
    );
  } else {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  }
  const port = await freePort();
  const log = join(dir, 'server.log');
  const settings = { listen_addresses: '127.0.0.1', fsync: 'off', max_connections: '100', ...opts.settings };
  const options = [`-p ${port} -k ${dir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(
    ' ',
  );
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const pids = (): number[] => {
    const pidFile = join(data, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      // not running
    }
    return [postmaster, ...children];
  };
  const pg: PrivatePostgres = {
    dir,
    port,
    adminUrl,
    start: async () => {
      await asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', log, '-w', '-t', '120', 'start']);
    },
    stop: async (mode = 'fast') => {
      await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop']);
    },
    freeze: async () => {
      for (const pid of pids()) process.kill(pid, 'SIGSTOP');
    },
    thaw: async () => {
      for (const pid of pids()) process.kill(pid, 'SIGCONT');
    },
    destroy: async () => {
      await pg.thaw().catch(() => {});
      await pg.stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Start (again) and wait until it answers PING. */
  start(): Promise<void>;
  /** SIGKILL: a crash (what it acknowledged is in its append-only file). */
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'qe-fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const ping = async () => {
    try {
      const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
      return stdout.trim() === 'PONG';
    } catch {
      return false;
    }
  };
  const redis: PrivateRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    start: async () => {
      child = spawn(
        'redis-server',
        // Durable like the Upstash it stands for: every write is in the append-only file before
        // Redis answers, so a kill loses nothing it acknowledged (a restart replays the file).
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      );
      await waitFor(ping, { description: `redis-server on ${port}`, timeoutMs: 60_000 });
    },
    kill: async () => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
    },
    destroy: async () => {
      await redis.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
