import { DomainError } from '@quickeats/domain';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';

const ID = '7b0c1e5e-0000-4000-8000-000000000001';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'not a DomainError';
  }
  return undefined;
}

describe('keyset cursors', () => {
  it('round-trips an order position with microseconds, as an opaque URL-safe string', () => {
    const cursor = encodeCursor('orders', ['2026-11-01T11:59:00.123456Z', ID]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('orders', cursor)).toEqual(['2026-11-01T11:59:00.123456Z', ID]);
  });

  it('refuses a cursor of another list, so positions never cross lists', () => {
    const cursor = encodeCursor('restaurants', ['Seoul Kitchen', ID]);
    expect(decodeCursor('restaurants', cursor)).toEqual(['Seoul Kitchen', ID]);
    expect(codeOf(() => decodeCursor('orders', cursor))).toBe('INVALID_CURSOR');
  });

  it('refuses garbage, truncation, extra members, non-UUID ids and impossible instants with INVALID_CURSOR', () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      '',
      '%%%',
      encodeCursor('orders', ['2026-11-01T11:59:00.123456Z', ID]).slice(0, 20),
      forge({ k: 'orders', p: ['2026-11-01T11:59:00.123456Z', ID], extra: 1 }),
      forge({ k: 'orders', p: ['2026-11-01T11:59:00.123456Z', 'x'] }),
      forge({ k: 'orders', p: ['2026-11-01T11:59:00.123Z', ID] }),
      forge({ k: 'orders', p: ['2026-02-30T00:00:00.000000Z', ID] }),
      forge({ k: 'orders', p: ['0000-01-01T00:00:00.000000Z', ID] }),
      forge(['2026-11-01T11:59:00.123456Z', ID]),
      'a'.repeat(600),
    ];
    for (const raw of bad)
      expect(
        codeOf(() => decodeCursor('orders', raw)),
        raw,
      ).toBe('INVALID_CURSOR');
  });

  it('names the parameter the caller used in the error', () => {
    try {
      decodeCursor('orders', 'nope', 'cursor');
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).extras.errors).toEqual([{ field: 'cursor', message: 'invalid cursor' }]);
    }
  });
});
