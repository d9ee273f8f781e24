/**
 * ETag ⇄ version (SPEC "Optimistic concurrency"). The ETag of an order is a strong validator
 * derived from its version only: `"v7"`. RFC 9110 §13.1.1: If-Match uses the strong comparison,
 * so weak tags (`W/"v7"`) never match; `*` matches any current representation.
 */
export function versionToETag(version: number): string {
  return `"v${version}"`;
}

/** The version a strong ETag names, or null if it is not one of ours. */
export function etagToVersion(etag: string): number | null {
  const m = /^"v([1-9][0-9]{0,9})"$/.exec(etag.trim());
  return m ? Number(m[1]) : null;
}

export type IfMatch = { kind: 'any' } | { kind: 'versions'; versions: number[] } | { kind: 'invalid' };

/** Parse an `If-Match` header value (a `*` or a comma-separated list of entity tags). */
export function parseIfMatch(header: string): IfMatch {
  const value = header.trim();
  if (value === '*') return { kind: 'any' };
  const tags = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.length === 0) return { kind: 'invalid' };
  const versions: number[] = [];
  for (const tag of tags) {
    if (tag.startsWith('W/')) continue; // weak tags never match strongly
    const v = etagToVersion(tag);
    if (v === null) return { kind: 'invalid' };
    versions.push(v);
  }
  return { kind: 'versions', versions };
}

/**
 * The version a conditional write must require, given If-Match and the current version.
 * `*` means "whatever is current", a list matches when it holds the current version; otherwise the
 * first listed version is returned so the conditional write (and the 412) happen on it.
 */
export function expectedVersionFromIfMatch(ifMatch: IfMatch, currentVersion: number): number | null {
  if (ifMatch.kind === 'any') return currentVersion;
  if (ifMatch.kind === 'invalid') return null;
  return ifMatch.versions.includes(currentVersion) ? currentVersion : (ifMatch.versions[0] ?? -1);
}

/** `If-None-Match` on GET: true when the client's copy is current (→ 304). Weak comparison (RFC 9110 §13.1.2). */
export function ifNoneMatchHits(header: string, currentVersion: number): boolean {
  const value = header.trim();
  if (value === '*') return true;
  return value
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => etagToVersion(t) === currentVersion);
}
