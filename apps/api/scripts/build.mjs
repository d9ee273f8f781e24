/**
 * Production build: ESM `dist/main.mjs` of the server and the workspace packages it imports, with
 * the committed migrations copied beside it (see bundle.mjs for how it is cut for memory).
 * Running compiled JavaScript instead of transpiling TypeScript at start (tsx) roughly halves the
 * process's resident memory.
 */
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

await bundle({ outdir: fileURLToPath(new URL('../dist', import.meta.url)) });
console.log('built apps/api/dist/main.mjs');
