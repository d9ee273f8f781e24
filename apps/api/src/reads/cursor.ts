/**
 * Opaque keyset cursors. A cursor is base64url(JSON) of the sort key of the last row a client
 * saw: `(created_at, id)` for orders — with PostgreSQL's microsecond precision, since a JS Date
 * (milliseconds) would skip or repeat rows created within the same millisecond — and `(name, id)`
 * for restaurants. Clients must treat it as opaque; the server validates it fully, so a tampered
 * or foreign cursor is a 400 `INVALID_CURSOR`, never a SQL error.
 */
import { DomainError, IdSchema, storableText } from '@quickeats/domain';
import { z } from 'zod';

/** `2026-11-01T11:59:00.123456Z`: UTC with exactly six fractional digits, as the SQL formats it. */
const MICROS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A real calendar instant PostgreSQL accepts: regex alone would pass `2026-02-31`, which casts with an error. */
const isRealInstant = (s: string) => {
  const millis = `${s.slice(0, 23)}Z`;
  const date = new Date(millis);
  return !Number.isNaN(date.getTime()) && date.toISOString() === millis && date.getUTCFullYear() >= 1970;
};

const CURSOR_SCHEMAS = {
  orders: z.tuple([z.string().regex(MICROS_UTC).refine(isRealInstant), IdSchema]),
  // A forged cursor must not smuggle a NUL into the SQL comparison (a 500 from PostgreSQL).
  restaurants: z.tuple([storableText(500).min(1), IdSchema]),
} as const;

export type CursorKind = keyof typeof CURSOR_SCHEMAS;
export type CursorPosition<K extends CursorKind> = z.infer<(typeof CURSOR_SCHEMAS)[K]>;

export function encodeCursor<K extends CursorKind>(kind: K, position: CursorPosition<K>): string {
  return Buffer.from(JSON.stringify({ k: kind, p: position }), 'utf8').toString('base64url');
}

/**
 * Decode a cursor of `kind`, or throw `INVALID_CURSOR`.
 *
 * @example
 * const [createdAt, id] = decodeCursor('orders', query['page[after]']);
 */
export function decodeCursor<K extends CursorKind>(
  kind: K,
  raw: string,
  param = 'page[after]',
): CursorPosition<K> {
  const invalid = () =>
    new DomainError('INVALID_CURSOR', `${param} is not a cursor this server issued for this list`, {
      errors: [{ field: param, message: 'invalid cursor' }],
    });
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(raw)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const envelope = z
    .strictObject({ k: z.literal(kind as CursorKind), p: CURSOR_SCHEMAS[kind] as z.ZodType })
    .safeParse(decoded);
  if (!envelope.success) throw invalid();
  return envelope.data.p as CursorPosition<K>;
}
