/**
 * The committed REST types must be what `pnpm generate` produces from the API as it is now: a route
 * or schema changed without regenerating fails here (run `pnpm --filter @quickeats/sdk generate`).
 */
import { readFile } from 'node:fs/promises';
import { createTestDatabase, type TestDatabase } from '@quickeats/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from '../testing/api-process';
import { fetchOpenApiDocument, GENERATED_FILE, renderOpenApiTypes } from './generate';

let database: TestDatabase;
let api: ApiProcess;
beforeAll(async () => {
  database = await createTestDatabase();
  api = await startApiProcess({ DATABASE_URL: database.url, SEED_ORDERS: '0' });
});
afterAll(async () => {
  await api?.stop();
  await database?.close();
});

describe('generated OpenAPI types', () => {
  it('match the OpenAPI document the API serves now', async () => {
    const expected = await renderOpenApiTypes(await fetchOpenApiDocument(api.url));
    const committed = await readFile(GENERATED_FILE, 'utf8');
    // Compare line lists so a failure shows which paths or schemas moved.
    expect(committed.split('\n'), 'stale: run `pnpm --filter @quickeats/sdk generate`').toEqual(
      expected.split('\n'),
    );
  });

  it('describe every order action route the SDK calls', async () => {
    const committed = await readFile(GENERATED_FILE, 'utf8');
    for (const action of ['pay', 'accept', 'reject', 'mark-ready', 'pick-up', 'deliver', 'cancel']) {
      expect(committed).toContain(`"/orders/{id}/${action}": {`);
    }
  });
});
