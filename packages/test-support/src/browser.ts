/**
 * `@quickeats/test-support/browser`: what the sample apps' browser tests share — the production
 * build of an app served by `vite preview` (proxying to a test API), Debian's headless Chromium
 * driven by playwright-core, an axe-core accessibility pass, screenshots under the app's
 * test-results/, and a TCP relay that lets a test replace the API process at the same address.
 * A separate entry so tests that need none of this do not load Vite or Playwright.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { freePort } from './ports';
import { apiProxy } from './vite-proxy.mjs';

export const CHROMIUM = '/usr/bin/chromium';

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/**
 * `vite build` of the app in `root` into a temp folder, served by `vite preview` on a free port
 * with the apps' API proxy (vite-proxy.mjs) pointed at `apiUrl`.
 */
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

export interface TcpRelay {
  /** Where the sample app's server should proxy to (stays the same across retargets). */
  url: string;
  /**
   * Send new connections to `target` (an http://host:port URL), or refuse them (null). Open
   * connections are cut either way — what the app sees when its API process goes away.
   */
  setTarget(target: string | null): void;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of the API, so a test can take "the API" away and bring up another
 * process in its place at the same address (what an app sees across an API restart). Bytes are
 * piped untouched, so Server-Sent Events stream through it.
 */
export async function startTcpRelay(target: string): Promise<TcpRelay> {
  let current: URL | null = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!current) return client.destroy();
    const upstream = connect(Number(current.port), current.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(next) {
      current = next ? new URL(next) : null;
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface BrowserSession {
  /** A page in a context of its own (separate storage per user; axe-core opens frames in it). */
  newPage(viewport: { width: number; height: number }): Promise<Page>;
  /** axe-core on the page as it is now, recorded for the report; returns the serious/critical findings. */
  accessibility(page: Page, screen: string): Promise<string[]>;
  /** A full-page screenshot under the app's test-results/, recorded for the report. */
  screenshot(page: Page, name: string): Promise<void>;
  /** Close Chromium and print every screenshot path and axe count (the closing note's figures). */
  close(): Promise<void>;
}

/**
 * One headless Chromium for a browser test file, with what every screen check of the sample apps
 * records: pages fail with the selector that never showed up after 20 s (well inside the test's
 * own bound), and the screens' axe counts and screenshots are printed at the end.
 */
export async function openBrowserSession(appDir: string): Promise<BrowserSession> {
  const browser = await launchChromium();
  const axe: AxeCount[] = [];
  const shots: string[] = [];
  return {
    async newPage(viewport) {
      const page = await (await browser.newContext({ viewport })).newPage();
      page.setDefaultTimeout(20_000);
      return page;
    },
    async accessibility(page, screen) {
      const count = await axeScan(page, screen);
      axe.push(count);
      return count.details;
    },
    async screenshot(page, name) {
      shots.push(await screenshot(page, appDir, name));
    },
    async close() {
      await browser.close();
      console.log(['screenshots:', ...shots].join('\n  '));
      console.log(
        [
          'axe (violations / serious / critical):',
          ...axe.map((a) => `${a.screen}: ${a.violations} / ${a.serious} / ${a.critical}`),
        ].join('\n  '),
      );
    },
  };
}
