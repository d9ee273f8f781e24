/**
 * What any input must satisfy before a surface reads it further (SPEC "Errors": bad input is a 400
 * naming the field, never a 500):
 *
 * - JSON nesting is bounded, checked on the raw text without recursion, before anything parses,
 *   fingerprints or validates the body (a few thousand levels overflowed the canonical-JSON stack);
 * - text must be storable by PostgreSQL: it refuses U+0000 in `text`/`jsonb`, and an unpaired UTF-16
 *   surrogate has no UTF-8 encoding (it would be silently replaced, so what is stored would differ
 *   from what was sent).
 */
import { z } from 'zod';
import { DomainError } from './errors';

/** Deepest JSON nesting (objects + arrays) any request body may have; real documents need < 10. */
export const MAX_JSON_DEPTH = 32;

/**
 * True when the JSON text nests objects/arrays deeper than `max`. Scans the text once, skipping
 * string contents, so it is linear and never recurses: it works on text JSON.parse would refuse too.
 */
export function exceedsJsonDepth(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) depth--;
  }
  return false;
}

// NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what this refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** Whether PostgreSQL can store this string as sent. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** Free text with a length bound that PostgreSQL can store as sent (notes, reasons). */
export const storableText = (max: number) =>
  z.string().max(max).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/**
 * The first string (member name or value) in a parsed JSON value that PostgreSQL could not store,
 * as a dotted path (`items.0.note`; a bad member name is reported as its own path), or null.
 * Iterative, so it is safe on any depth.
 */
export function findUnstorableText(value: unknown, prefix?: string): string | null {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: prefix ?? '' }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length > 0) {
    const next = stack.pop()!;
    const v = next.value;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return next.path || '(body)';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: join(next.path, String(i)) });
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const path = join(next.path, key);
        if (!isStorableText(key)) return path;
        stack.push({ value: (v as Record<string, unknown>)[key], path });
      }
    }
  }
  return null;
}

/** True when a parsed value nests objects/arrays deeper than `max` (iterative; for inputs parsed elsewhere). */
export function exceedsValueDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** The 400 for a body nested deeper than `MAX_JSON_DEPTH` (`field`: where the body is, e.g. `input`). */
export function tooDeepError(field = '(body)'): DomainError {
  return new DomainError('VALIDATION_FAILED', `JSON input may nest at most ${MAX_JSON_DEPTH} levels`, {
    errors: [{ field, message: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
  });
}

/** The 400 for a string PostgreSQL cannot store, naming its field. */
export function unstorableTextError(field: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `Invalid input: ${field}: ${UNSTORABLE_TEXT_MESSAGE}`, {
    errors: [{ field, message: UNSTORABLE_TEXT_MESSAGE }],
  });
}
