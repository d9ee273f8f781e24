/**
 * The dashboard is a static page that calls the API on its own origin: in `vite dev` and
 * `vite preview`, `/api` and `/trpc` are proxied to QUICKEATS_API_URL (default http://localhost:3000),
 * so the API needs no CORS. In production, serve `dist/` behind the same reverse proxy as the API.
 */
import { apiProxy } from '@quickeats/test-support/vite-proxy';
import { defineConfig } from 'vite';

const target = process.env.QUICKEATS_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  server: { proxy: apiProxy(target) },
  preview: { proxy: apiProxy(target) },
  build: { target: 'es2022' },
});
