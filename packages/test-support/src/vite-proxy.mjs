/**
 * `@quickeats/test-support/vite-proxy`: the sample apps' `vite dev` / `vite preview` proxy to the
 * API (`/api` and `/trpc` on the page's own origin, so the API needs no CORS), and what their
 * browser tests serve the built apps with. In production the apps' `dist/` sits behind the same
 * reverse proxy as the API instead. Plain JavaScript (types in vite-proxy.d.mts): Vite loads an
 * app's vite.config.ts with Node, which imports workspace packages as they are.
 */

/** @param {string} target */
export function apiProxy(target) {
  return {
    '/api': { target, changeOrigin: true, configure: cutStreamOnUpstreamError },
    '/trpc': { target, changeOrigin: true, configure: cutStreamOnUpstreamError },
  };
}

/**
 * When the API goes away in the middle of an answer (a restart ending an event stream), Vite's
 * proxy leaves the page's response open, so the app would hear nothing until its inactivity
 * timeout (30 s) before reconnecting. Cut it, as a reverse proxy in production does.
 */
function cutStreamOnUpstreamError(proxy) {
  proxy.on('proxyRes', (upstream, _req, res) => {
    upstream.once('close', () => {
      if (!upstream.complete) res.destroy();
    });
  });
}
