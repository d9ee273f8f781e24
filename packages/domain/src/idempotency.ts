/**
 * Idempotency decisions of SPEC "Idempotency" (after the IETF draft
 * `draft-ietf-httpapi-idempotency-key-header`), free of any store: key validation, request
 * fingerprints and what to do with a request given the record a store holds for its key.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json';
import { LIFECYCLE, type OrderAction } from './order-lifecycle';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** How long a completed response is kept for replay (SPEC: at least 24 h). */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;
/** How long an in-flight mark lives before another process may take the key over. */
export const IDEMPOTENCY_LEASE_SECONDS = 30;

/**
 * Where the key is required (SPEC: `POST /orders` and `POST /orders/:id/pay`): where a blind retry
 * would otherwise create a second order or move money twice. Derived from the lifecycle table —
 * any action with a `charge` effect — so a future charging action needs a key without anyone
 * remembering to say so. Everywhere else the key is optional and honoured when sent.
 */
export function requiresIdempotencyKey(operation: 'create' | OrderAction): boolean {
  if (operation === 'create') return true;
  return LIFECYCLE.some((rule) => rule.action === operation && rule.effects.includes('charge'));
}

export type KeyParse = { ok: true; key: string } | { ok: false; reason: string };

/**
 * Validate an `Idempotency-Key` header: 1–255 printable ASCII characters, either bare or in the
 * draft's structured-field string form (`"abc"`, with `\"` and `\\` escapes).
 */
export function parseIdempotencyKey(header: string): KeyParse {
  let key = header.trim();
  if (key.startsWith('"')) {
    const unquoted = parseSfString(key);
    if (unquoted === null) return { ok: false, reason: 'malformed structured-field string' };
    key = unquoted;
  }
  if (key.length === 0) return { ok: false, reason: 'must not be empty' };
  if (key.length > IDEMPOTENCY_KEY_MAX_LENGTH)
    return { ok: false, reason: `must be at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters` };
  if (!/^[\x20-\x7e]+$/.test(key)) return { ok: false, reason: 'must be printable ASCII' };
  return { ok: true, key };
}

/** RFC 8941 §3.3.3 sf-string: a quote, printable ASCII with backslash-escaped quote and backslash, a quote. */
function parseSfString(text: string): string | null {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[++i];
      if (next !== '"' && next !== '\\') return null;
      out += next;
    } else if (ch === '"') {
      return i === text.length - 1 ? out : null;
    } else {
      out += ch;
    }
  }
  return null;
}

/** SHA-256 (hex) over method, route and canonical JSON body: what "the same request" means. */
export function requestFingerprint(req: { method: string; route: string; body: unknown }): string {
  const text = `${req.method.toUpperCase()}\n${req.route}\n${canonicalJson(req.body ?? null)}`;
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** What a store holds for a key. */
export type IdempotencyRecord =
  | { state: 'in-flight'; fingerprint: string; leaseExpiresAt: Date }
  | {
      state: 'completed';
      fingerprint: string;
      status: number;
      headers: Record<string, string>;
      body: string;
    };

export type IdempotencyVerdict =
  | { kind: 'execute' }
  | { kind: 'replay'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'mismatch' }
  | { kind: 'in-flight'; retryAfterSeconds: number };

/**
 * Decide what to do with a request whose key maps to `record`. An expired lease means the
 * process that held it died: the request executes again (the provider-side key keeps the charge single).
 */
export function judgeIdempotency(
  record: IdempotencyRecord | null,
  fingerprint: string,
  now: Date,
): IdempotencyVerdict {
  if (!record) return { kind: 'execute' };
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (record.state === 'completed')
    return { kind: 'replay', status: record.status, headers: record.headers, body: record.body };
  const remainingMs = record.leaseExpiresAt.getTime() - now.getTime();
  if (remainingMs <= 0) return { kind: 'execute' };
  return { kind: 'in-flight', retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
}

/** 4xx and 2xx results are final and stored; 5xx (and 429) are not, so a retry runs again. */
export function isStorableStatus(status: number): boolean {
  // A 429 refused to process the request at all (rate limit): its retry must run, not replay it.
  return status < 500 && status !== 429;
}
