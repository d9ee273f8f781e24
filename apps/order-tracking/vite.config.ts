/**
 * The tracking page is a static React app that calls the API on its own origin: `vite dev` and
 * `vite preview` proxy `/api` and `/trpc` to QUICKEATS_API_URL (default http://localhost:3000, the
 * API's embedded default), so the API needs no CORS. In production, serve `dist/` behind the
 * same reverse proxy as the API.
 */
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

type ProxyServer = Parameters<NonNullable<ProxyOptions['configure']>>[0];

export function apiProxy(target: string) {
  return {
    '/api': { target, changeOrigin: true, configure: cutStreamOnUpstreamError },
    '/trpc': { target, changeOrigin: true, configure: cutStreamOnUpstreamError },
  };
}

/**
 * When the API goes away in the middle of an answer (a restart ending an event stream), Vite's
 * proxy logs the error but leaves the page's response open, so the app would hear nothing until its
 * inactivity timeout (30 s) before reconnecting. Cut it, as a reverse proxy in production does.
 */
function cutStreamOnUpstreamError(proxy: ProxyServer) {
  proxy.on('proxyRes', (upstream, _req, res) => {
    upstream.once('close', () => {
      if (!upstream.complete) res.destroy();
    });
  });
}

const target = process.env.QUICKEATS_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  server: { port: 5174, proxy: apiProxy(target) },
  preview: { port: 4174, proxy: apiProxy(target) },
  build: { target: 'es2022' },
});
