#!/usr/bin/env node
// Prints the per-package time table of the newest turbo run summary (.turbo/runs/*.json, written
// when TURBO_RUN_SUMMARY=true): which package took how long, and which failed or came from cache.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = '.turbo/runs';
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {
  console.log('[ci] no turbo run summary found');
  process.exit(0);
}
const newest = files.map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const summary = JSON.parse(readFileSync(newest, 'utf8'));
const rows = summary.tasks
  .filter((t) => t.command !== '<NONEXISTENT>')
  .map((t) => ({
    task: t.taskId,
    seconds: (t.execution ? (t.execution.endTime - t.execution.startTime) / 1000 : 0).toFixed(1),
    result:
      t.execution?.exitCode === 0
        ? t.cache.status === 'HIT'
          ? 'cached'
          : 'passed'
        : `FAILED (${t.execution?.exitCode ?? 'not run'})`,
  }))
  .sort((a, b) => Number(b.seconds) - Number(a.seconds));
const width = Math.max(...rows.map((r) => r.task.length), 4);
console.log(`\n[ci] per-package times (${newest})`);
console.log(`${'task'.padEnd(width)}  ${'seconds'.padStart(8)}  result`);
for (const r of rows) console.log(`${r.task.padEnd(width)}  ${r.seconds.padStart(8)}  ${r.result}`);
const total = (summary.execution.endTime - summary.execution.startTime) / 1000;
console.log(`${'total'.padEnd(width)}  ${total.toFixed(1).padStart(8)}  ${summary.execution.failed} failed`);
