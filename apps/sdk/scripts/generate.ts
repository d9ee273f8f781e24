/**
 * `pnpm generate`: regenerate `src/rest/openapi.generated.ts` from the API's OpenAPI 3.1 document,
 * and `src/public/types.generated.ts` (the tRPC router and domain types, printed structurally).
 *
 *   pnpm generate                      # starts the API (embedded PGlite in a temp folder) and asks it
 *   pnpm generate --url http://…:3000  # asks an API that is already running
 *
 * The same rendering is used by `openapi.generated.test.ts`, which fails when the committed file is stale.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLIC_TYPES_FILE, renderPublicTypes } from '../src/public/generate';
import { fetchOpenApiDocument, GENERATED_FILE, renderOpenApiTypes } from '../src/rest/generate';
import { startApiProcess } from '../src/testing/api-process';

async function main() {
  const urlFlag = process.argv.indexOf('--url');
  const givenUrl = urlFlag >= 0 ? process.argv[urlFlag + 1] : undefined;
  let doc: unknown;
  if (givenUrl) {
    doc = await fetchOpenApiDocument(givenUrl);
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'quickeats-generate-'));
    const api = await startApiProcess({ DATA_DIR: dataDir, SEED_ORDERS: '0', DATABASE_URL: '' });
    try {
      doc = await fetchOpenApiDocument(api.url);
    } finally {
      await api.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  await writeFile(GENERATED_FILE, await renderOpenApiTypes(doc));
  console.log(`wrote ${GENERATED_FILE}`);
  await writeFile(PUBLIC_TYPES_FILE, renderPublicTypes());
  console.log(`wrote ${PUBLIC_TYPES_FILE}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
