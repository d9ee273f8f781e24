#!/usr/bin/env node
/**
 * `pnpm test:stress [--runs N] [--hogs N] [--ci] [-- <turbo args>]`: the whole suite while CPU hogs
 * keep every core busy — the proof that no test's verdict depends on how fast the machine is today.
 * Hogs default to 2 × the core count (plain busy loops at normal priority, competing with the
 * tests); every run is a full, uncached `pnpm test`, or with `--ci` the whole of `.ci/run` (install
 * included: `node scripts/test-stress.mjs --ci` in a fresh clone, before any install). Exits
 * non-zero if any run fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = option('--runs', 1);
const hogCount = option('--hogs', 2 * availableParallelism());
const passThrough = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
const ci = args.includes('--ci');
const [command, commandArgs] = ci ? ['bash', ['.ci/run']] : ['pnpm', ['test', ...passThrough]];

const hogs = Array.from({ length: hogCount }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopHogs = () => {
  for (const hog of hogs) hog.kill('SIGKILL');
};
process.on('exit', stopHogs);
// Signals end the process without 'exit' handlers unless caught: never leave hogs behind.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));
console.log(
  `[stress] ${hogCount} CPU hogs running on ${availableParallelism()} cores; ${runs} run(s) of ${[command, ...commandArgs].join(' ')}`,
);

const results = [];
for (let run = 1; run <= runs; run++) {
  const started = Date.now();
  const { status } = spawnSync(command, commandArgs, {
    stdio: 'inherit',
    env: { ...process.env, TURBO_FORCE: 'true', TURBO_RUN_SUMMARY: 'true' },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  results.push({ run, status, seconds });
  // .ci/run prints the per-package table itself.
  if (!ci) spawnSync(process.execPath, ['.ci/summary.mjs'], { stdio: 'inherit' });
  console.log(
    `[stress] run ${run}/${runs}: ${status === 0 ? 'green' : `RED (exit ${status})`} in ${seconds} s`,
  );
}
stopHogs();
console.log(
  `[stress] ${results.filter((r) => r.status === 0).length}/${runs} green: ${results.map((r) => `${r.seconds} s`).join(', ')}`,
);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
