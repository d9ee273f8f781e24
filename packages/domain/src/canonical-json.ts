/**
 * Canonical JSON: object keys sorted recursively, no insignificant whitespace, `undefined`
 * members dropped (as JSON.stringify does). Two bodies that mean the same produce the same string,
 * so the idempotency fingerprint does not depend on key order or formatting.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(input: unknown): unknown {
  // JSON.stringify calls toJSON before looking at members; sorting first would turn a Date into `{}`.
  const value = hasToJSON(input) ? input.toJSON() : input;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: assigning `out['__proto__']` would set the prototype
    // and silently drop the member, so two different bodies would share one fingerprint.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function hasToJSON(value: unknown): value is { toJSON(): unknown } {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}
