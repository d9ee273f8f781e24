/**
 * Runs `pnpm demo` the way a newcomer does (a real process on the embedded default, no
 * DATABASE_URL) and checks its exit code, every scenario it prints and that it fits 120 columns.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_WIDTH } from './demo';

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

/** The printed blocks: `N. scenario`, then `v1`, `v2 ✔|✘` and `evidence`, wrapped values joined. */
function parseBlocks(output: string) {
  const blocks: Record<string, { v1: string; v2: string; v2Mark: string; evidence: string }> = {};
  let current: Record<string, string> | undefined;
  let field = '';
  for (const line of output.split('\n')) {
    const head = /^([1-5])\. /.exec(line);
    const labelled = /^ {3}(v1|v2 [✔✘]|evidence) +(.*)$/.exec(line);
    if (head) {
      current = {};
      blocks[head[1]!] = current as never;
    } else if (current && labelled) {
      field = labelled[1]!.startsWith('v2') ? 'v2' : labelled[1]!;
      if (field === 'v2') current.v2Mark = labelled[1]!.slice(3);
      current[field] = labelled[2]!;
    } else if (current && /^ {14}\S/.test(line)) {
      current[field] = `${current[field]} ${line.trim()}`;
    }
  }
  return blocks;
}

describe('pnpm demo', () => {
  it('prints the five scenarios, v1 beside v2, with every v2 outcome correct, within 120 columns, and exits 0', async () => {
    const { code, output } = await runDemoProcess();
    expect(output).toContain('on pglite');
    const tooWide = output.split('\n').filter((line) => [...line].length > DEMO_WIDTH);
    expect(tooWide).toEqual([]);
    const byScenario = parseBlocks(output);
    expect(Object.keys(byScenario)).toEqual(['1', '2', '3', '4', '5']);
    for (const [n, row] of Object.entries(byScenario)) expect(row.v2Mark, n).toBe('✔');
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
