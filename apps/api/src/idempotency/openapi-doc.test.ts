/**
 * The OpenAPI document tells clients about Idempotency-Key the way the middleware enforces it:
 * required exactly where `requiresIdempotencyKey` says (create, pay), optional on every other POST,
 * with the replay marker and the 409/422 answers documented.
 */
import { ORDER_ACTIONS, requiresIdempotencyKey } from '@quickeats/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}

describe('Idempotency-Key in the OpenAPI document', () => {
  let t: TestApp;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    t = await createTestApp({ seed: { orders: 0 } });
    paths = ((await (await t.app.request('/api/v2/openapi.json')).json()) as { paths: typeof paths }).paths;
  });
  afterAll(() => t?.close());

  const writes = () => [
    {
      name: 'create',
      op: paths['/orders']!.post!,
      required: requiresIdempotencyKey('create'),
      status: '201',
    },
    ...ORDER_ACTIONS.map((action) => ({
      name: action,
      op: paths[`/orders/{id}/${action}`]!.post!,
      required: requiresIdempotencyKey(action),
      status: '200',
    })),
  ];

  it('documents the header on every write, required on create and pay only', () => {
    const documented = writes().map(({ name, op }) => {
      const header = op.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key');
      return { name, required: header?.required ?? false, present: header !== undefined };
    });
    expect(documented).toEqual(writes().map(({ name, required }) => ({ name, required, present: true })));
    expect(documented.filter((d) => d.required).map((d) => d.name)).toEqual(['create', 'pay']);
  });

  it('documents Idempotent-Replayed on the success answer and 409/422 on every write', () => {
    for (const { name, op, status } of writes()) {
      expect(Object.keys(op.responses[status]?.headers ?? {}), name).toContain('Idempotent-Replayed');
      expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['400', '409', '422']));
    }
  });
});
