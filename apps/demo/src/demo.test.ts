/**
 * Runs `pnpm demo` the way a newcomer does (a real process on the embedded default, no
 * DATABASE_URL) and checks its exit code and every row of its table.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO_DIR = fileURLToPath(new URL('..', import.meta.url));

function runDemoProcess(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: DEMO_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('pnpm demo', () => {
  it('prints the five scenarios side by side with every v2 outcome correct, and exits 0', async () => {
    const { code, output } = await runDemoProcess();
    expect(output).toContain('on pglite');
    const rows = output.split('\n').filter((l) => /^\| [1-5]\. /.test(l));
    expect(rows).toHaveLength(5);
    const cells = rows.map((r) => r.split('|').map((c) => c.trim()));
    for (const row of cells) expect(row[3], row[1]).toMatch(/^✔ /);
    const byScenario = Object.fromEntries(
      cells.map((c) => [c[1]!.slice(0, 1), { v1: c[2]!, v2: c[3]!, evidence: c[4]! }]),
    );
    expect(byScenario['1']!.v1).toMatch(/^200: delivered → cancelled/);
    expect(byScenario['1']!.v2).toContain('409 INVALID_TRANSITION');
    expect(byScenario['2']!.v1).toContain('2 charges');
    expect(byScenario['2']!.v2).toContain('1 charge');
    expect(byScenario['3']!.v1).toContain('lost update yes');
    expect(byScenario['3']!.v2).toContain('lost update no');
    expect(byScenario['4']!.evidence).toMatch(/v1 statements = 1 \+ N·\d+/);
    expect(byScenario['5']!.evidence).toMatch(/Deprecation: @\d+; Sunset: .* GMT/);
    expect(output).toContain('Every v2 outcome is the fix.');
    expect(code).toBe(0);
  });
});
