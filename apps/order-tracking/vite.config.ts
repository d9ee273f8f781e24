/**
 * The tracking page is a static React app that calls the API on its own origin: `vite dev` and
 * `vite preview` proxy `/api` and `/trpc` to QUICKEATS_API_URL (default http://localhost:3000, the
 * API's embedded default), so the API needs no CORS. In production, serve `dist/` behind the
 * same reverse proxy as the API.
 */

import { apiProxy } from '@quickeats/test-support/vite-proxy';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.QUICKEATS_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  server: { port: 5174, proxy: apiProxy(target) },
  preview: { port: 4174, proxy: apiProxy(target) },
  build: { target: 'es2022' },
});
