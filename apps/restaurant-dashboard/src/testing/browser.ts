/**
 * What the sample apps' browser tests share: the production build of an app served by
 * `vite preview` (proxying /api and /trpc to a test API), Debian's headless Chromium driven by
 * playwright-core, an axe-core accessibility pass, and screenshots under the app's test-results/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { apiProxy } from '../../vite.config';

export const CHROMIUM = '/usr/bin/chromium';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/** `vite build` of the app in `root` into a temp folder, served by `vite preview` proxying to `apiUrl`. */
export async function serveBuiltApp(root: string, apiUrl: string): Promise<ServedApp> {
  const outDir = await mkdtemp(join(tmpdir(), 'quickeats-app-'));
  // 'error': zod's sources carry comments Rollup warns about on every build.
  await build({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  const server = await preview({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: await freePort(), strictPort: true, proxy: apiProxy(apiUrl) },
  });
  return {
    url: (server.resolvedUrls?.local[0] ?? '').replace(/\/+$/, ''),
    close: async () => {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // The dashboard's chime must not need a click first.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export interface AxeCount {
  screen: string;
  violations: number;
  serious: number;
  critical: number;
  /** `rule: target` of every serious or critical violation, for the failure message. */
  details: string[];
}

/** Every axe-core check of WCAG 2.x A/AA and best practice on the page as it is now. */
export async function axeScan(page: Page, screen: string): Promise<AxeCount> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const severe = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return {
    screen,
    violations: result.violations.length,
    serious: result.violations.filter((v) => v.impact === 'serious').length,
    critical: result.violations.filter((v) => v.impact === 'critical').length,
    details: severe.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)),
  };
}

/** Full-page PNG under `<appDir>/test-results/<name>.png`; returns its path after checking it is a real image. */
export async function screenshot(page: Page, appDir: string, name: string): Promise<string> {
  const path = join(appDir, 'test-results', `${name}.png`);
  await mkdir(join(appDir, 'test-results'), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  const png = await readFile(path);
  if (png.subarray(1, 4).toString('latin1') !== 'PNG' || png.length < 5_000)
    throw new Error(`${path} is not a plausible screenshot (${png.length} bytes)`);
  return path;
}
