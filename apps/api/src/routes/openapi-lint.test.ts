/**
 * The served OpenAPI document as third-party tools see it: Redocly `recommended`, Spectral
 * `spectral:oas` and Spectral's OWASP ruleset (with the committed openapi/spectral-owasp.yaml), each
 * run as its CLI on the document the app serves — 0 errors and 0 warnings. The conventions behind
 * that (src/http/openapi-conventions.ts) are derived, so these tests also hold for routes added later.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(packageDir, 'node_modules', '.bin', name);
const config = (name: string) => join(packageDir, 'openapi', name);
// No telemetry, no update check: the linters must work offline and say nothing to anyone.
const env = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  NO_COLOR: '1',
};

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>>; tags?: { name: string }[] };

let t: TestApp;
let dir: string;
let file: string;
let doc: Doc;
beforeAll(async () => {
  t = await createTestApp({ seed: { orders: 0 } });
  doc = (await (await t.app.request('/api/v2/openapi.json')).json()) as Doc;
  dir = await mkdtemp(join(tmpdir(), 'quickeats-openapi-'));
  file = join(dir, 'openapi.json');
  await writeFile(file, JSON.stringify(doc, null, 2));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

/** Spectral exits non-zero when it finds something; its JSON report is on stdout either way. */
async function spectral(ruleset: string): Promise<{ code: string; message: string; path: string[] }[]> {
  const out = await run(bin('spectral'), ['lint', '-q', '-r', config(ruleset), '-f', 'json', file], {
    env,
    cwd: packageDir,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const start = out.stdout.indexOf('[');
  expect(start, out.stdout).toBeGreaterThanOrEqual(0);
  return JSON.parse(out.stdout.slice(start, out.stdout.lastIndexOf(']') + 1));
}

describe('OpenAPI document conventions', () => {
  it('every operation has a unique operationId and tags, and every tag is declared', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Set(doc.tags?.map((tag) => tag.name));
    for (const { name, op } of operations()) {
      expect(op.tags?.length, name).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(declared.has(tag), `${name}: tag ${tag}`).toBe(true);
    }
  });

  it('only the login is public (security: []); every other operation requires the bearer token', () => {
    const open = operations().filter(({ op }) => (op.security ?? []).length === 0);
    expect(open.map((o) => o.name)).toEqual(['POST /auth/token']);
    expect(open[0]?.op.security).toEqual([]);
  });

  it('If-Match is required wherever its absence is a 428', () => {
    const actions = operations().filter(({ op }) => op.responses['428']);
    expect(actions.length).toBeGreaterThanOrEqual(7);
    for (const { name, op } of actions) {
      const ifMatch = op.parameters?.find((p) => p.in === 'header' && p.name === 'if-match');
      expect(ifMatch?.required, name).toBe(true);
    }
  });

  it('documents 415 and 413 on every body, Retry-After on every in-flight 409, 429 and 503', () => {
    for (const { name, op } of operations()) {
      if (op.requestBody)
        expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['413', '415']));
      const keyed = op.parameters?.some((p) => p.name === 'idempotency-key');
      for (const status of [...(keyed ? ['409'] : []), '429', '503']) {
        const response = op.responses[status];
        if (response)
          expect(Object.keys(response.headers ?? {}), `${name} ${status}`).toContain('Retry-After');
      }
    }
    expect(Object.keys(doc.paths['/auth/token']?.post?.responses ?? {})).toContain('415');
  });

  it('describes ids as the server accepts them: a non-RFC-variant UUID is a valid id (404, not 400)', async () => {
    const token = await t.tokenFor('customer@quickeats.test');
    const res = await t.app.request('/api/v2/orders/e3e70682-c209-4cac-629f-6fbed82c07cd', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
  });
});

describe('third-party linters on the served document', () => {
  it('Redocly CLI `recommended`: 0 errors, 0 warnings', async () => {
    const out = await run(
      bin('redocly'),
      ['lint', '--config', config('redocly.yaml'), '--format', 'json', file],
      { env, cwd: dir },
    ).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr,
    }));
    const report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('Spectral `spectral:oas`: no results of any severity', async () => {
    const results = await spectral('spectral-oas.yaml');
    expect(results.map((r) => `${r.code}: ${r.message} at ${r.path.join('.')}`)).toEqual([]);
  });

  it('Spectral OWASP ruleset (committed overrides): no results of any severity', async () => {
    const results = await spectral('spectral-owasp.yaml');
    expect(results.map((r) => `${r.code}: ${r.message} at ${r.path.join('.')}`)).toEqual([]);
  });

  it('the OWASP ruleset file says why for every rule it switches off', async () => {
    const lines = (await readFile(config('spectral-owasp.yaml'), 'utf8')).split('\n');
    const off = lines.flatMap((line, i) => (/^\s+owasp:\S+:\s*off\s*$/.test(line) ? [i] : []));
    expect(off.length).toBeGreaterThan(0);
    for (const i of off) {
      // The rule line is in a block of `off` lines directly under a `#` comment.
      let j = i - 1;
      while (j >= 0 && /:\s*off\s*$/.test(lines[j] ?? '')) j--;
      expect(lines[j]?.trim().startsWith('#'), lines[i]).toBe(true);
    }
  });
});
