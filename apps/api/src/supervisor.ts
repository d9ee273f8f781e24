/**
 * The process supervisor of `pnpm start` and `start:prod`: a node:cluster primary that runs
 * WEB_CONCURRENCY workers on one listening port and replaces any worker that dies. Crash-only
 * design — an error nothing anticipated ends its worker, and a fresh one takes its place within
 * a second or two (the others keep serving meanwhile). The primary itself touches no dependency.
 *
 * SIGTERM/SIGINT: every worker is told to drain (stop accepting, finish in-flight requests within
 * SHUTDOWN_DRAIN_TIMEOUT_MS, close its pool); a worker still alive well after that is killed.
 */
import cluster, { type Worker } from 'node:cluster';

export interface SupervisorOptions {
  workers: number;
  drainTimeoutMs: number;
  /** Extra environment of the workers (e.g. the URL of the provider the primary started). */
  env: Record<string, string>;
  log: (message: string) => void;
  /** A worker reported it is listening (first report of the first worker starts the banner). */
  onListening?: (message: WorkerListening) => void;
  /** The workers run the embedded PGlite (no DATABASE_URL): see `workerMemorySettings`. */
  embeddedDatabase?: boolean;
}

export interface WorkerListening {
  type: 'listening';
  /** What to print once the API is up (`{payments}` is the primary's to fill in). */
  banner: string;
}

/**
 * Memory of a worker (issue 15, SPEC ≤ 200 MB per process), unless the operator chose otherwise:
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that mallocs (libuv's pool, V8's compiler and
 *   GC threads) an arena of its own, and freed memory stays resident, fragmented across them: two
 *   arenas took 20–30 MB off a worker's peak under the bench's list and pay loads;
 * - `--max-semi-space-size=4` (MB): V8's young generation stops growing at 2 × 4 MB instead of
 *   2 × 16 MB; a request's garbage dies young either way, now in more, shorter scavenges
 *   (another 15–20 MB off the peak);
 * - `--max-old-space-size=160` (MB): V8 sizes the old generation from the machine's memory (GBs) and
 *   lets it grow far past the live set (a few tens of MB) between full collections: under the
 *   bench's list and pay loads a worker peaked at 200–217 MB; capped, at 110–159 MB. The cost is more
 *   full collections: the list load served 13–23 % fewer requests in the same 8 s (the pay load, no
 *   fewer); the bench's one-at-a-time p50s did not move measurably. The live set has several times
 *   that room; an operator who needs more sets it in NODE_OPTIONS.
 * - with the embedded database, `--liftoff-only`: PGlite is PostgreSQL compiled to WebAssembly (9 MB),
 *   which V8 compiles twice — at once with its baseline compiler (Liftoff), then again, hot
 *   functions, with the optimizing one (TurboFan). Both codes stay resident: baseline only took a
 *   worker of `pnpm start` from 216 to 145 MB at start and 252 to 192 MB under the list load, and
 *   the demo-sized database answered no slower (the optimizing compiles cost CPU of their own);
 *   and `--optimize-for-size` (V8 favours memory over speed in its heuristics: smaller heap growth
 *   steps, less inlining): 229 → 189 MB under the list load, 231 → 192 MB under the pay load. The
 *   embedded database is `pnpm start`'s, a development machine's, where the tree's memory counts
 *   (≤ 400 MB) and the throughput of a production pool does not.
 */
export function workerMemorySettings(
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[],
  options: { embeddedDatabase?: boolean } = {},
): { env: Record<string, string>; execArgv: string[] } {
  const chosen = `${env.NODE_OPTIONS ?? ''} ${execArgv.join(' ')}`;
  const added = [
    ...(/--max-semi-space-size/.test(chosen) ? [] : ['--max-semi-space-size=4']),
    ...(/--max-old-space-size/.test(chosen) ? [] : ['--max-old-space-size=160']),
    ...(options.embeddedDatabase && !/--(no-)?liftoff|--wasm-tier/.test(chosen) ? ['--liftoff-only'] : []),
    ...(options.embeddedDatabase && !/--(no-)?optimize-for-size/.test(chosen) ? ['--optimize-for-size'] : []),
  ];
  return {
    env: env.MALLOC_ARENA_MAX === undefined ? { MALLOC_ARENA_MAX: '2' } : {},
    execArgv: [...execArgv, ...added],
  };
}

/** Crash loops (e.g. the database refusing every start) back off instead of spinning. */
const RESTART_DELAYS_MS = [0, 250, 500, 1000, 2000, 5000];
/** A worker that lived this long resets the backoff. */
const HEALTHY_LIFETIME_MS = 10_000;

export function runSupervisor(options: SupervisorOptions): { stop(): Promise<void> } {
  // The workers accept on the shared socket themselves. With the default round-robin the primary
  // accepts and hands each connection to a worker over IPC; a connection handed to a worker that
  // has just died is never answered nor closed (a client hangs). Accepting in the workers, a
  // crash costs only the connections that worker already held, and the others keep accepting.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const memory = workerMemorySettings(process.env, cluster.settings.execArgv ?? process.execArgv, {
    embeddedDatabase: options.embeddedDatabase,
  });
  cluster.setupPrimary({ execArgv: memory.execArgv });
  let stopping = false;
  let failures = 0;
  const startedAt = new Map<Worker, number>();

  const fork = () => {
    const worker = cluster.fork({ ...memory.env, ...options.env });
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if ((message as { type?: unknown })?.type === 'listening')
        options.onListening?.(message as WorkerListening);
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
    startedAt.delete(worker);
    if (stopping) return;
    failures = lived >= HEALTHY_LIFETIME_MS ? 1 : failures + 1;
    const delay = RESTART_DELAYS_MS[Math.min(failures - 1, RESTART_DELAYS_MS.length - 1)] ?? 0;
    options.log(
      `worker ${worker.process.pid} exited (${signal ?? code}) after ${lived} ms; starting a replacement${delay ? ` in ${delay} ms` : ''}`,
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  for (let i = 0; i < options.workers; i++) fork();

  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        stopping = true;
        const alive = () =>
          Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
        if (alive().length === 0) return resolve();
        for (const worker of alive()) worker.process.kill('SIGTERM');
        // The workers enforce the drain timeout themselves; this is the backstop for a stuck one.
        const kill = setTimeout(() => {
          for (const worker of alive()) {
            options.log(`worker ${worker.process.pid} did not stop after the drain timeout; killing it`);
            worker.process.kill('SIGKILL');
          }
        }, options.drainTimeoutMs + 5000);
        cluster.on('exit', () => {
          if (alive().length === 0) {
            clearTimeout(kill);
            resolve();
          }
        });
      });
      return stopped;
    },
  };
}
