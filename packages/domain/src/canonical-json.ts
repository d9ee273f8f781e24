/**
 * Canonical JSON: object keys sorted recursively, no insignificant whitespace, `undefined`
 * members dropped (as JSON.stringify does). Two bodies that mean the same produce the same string,
 * so the idempotency fingerprint does not depend on key order or formatting.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
