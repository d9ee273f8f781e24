/**
 * ETag ⇄ version (SPEC "Optimistic concurrency"). The ETag of an order is a strong validator
 * derived from its version only: `"v7"`. RFC 9110 §13.1.1: If-Match uses the strong comparison,
 * so weak tags (`W/"v7"`) never match; `*` matches any current representation.
 *
 * Conditional headers accept ANY syntactically valid entity tag (RFC 9110 §8.8.3), not only ours:
 * a tag this server never issued simply does not match (412 / 200), it is not a malformed request.
 */
export function versionToETag(version: number): string {
  return `"v${version}"`;
}

/** The version a strong ETag names, or null if it is not one of ours. */
export function etagToVersion(etag: string): number | null {
  const m = /^"v([1-9][0-9]{0,9})"$/.exec(etag.trim());
  return m ? Number(m[1]) : null;
}

/** One `entity-tag` of a conditional header: its opaque tag (quotes included) and weakness. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/**
 * Parse `"*"` or a `#entity-tag` list (RFC 9110 §8.8.3, §5.6.1): `entity-tag = [ "W/" ] DQUOTE
 * *etagc DQUOTE`, etagc = %x21 / %x23-7E / obs-text. Commas may sit inside a tag, so the list is
 * scanned, not split; empty list elements are allowed (§5.6.1.2). null when malformed.
 */
export function parseEntityTags(header: string): 'any' | EntityTag[] | null {
  const value = header.trim();
  if (value === '*') return 'any';
  const tags: EntityTag[] = [];
  let i = 0;
  const skip = () => {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
  };
  skip();
  while (i < value.length) {
    const weak = value.startsWith('W/', i);
    if (weak) i += 2;
    if (value[i] !== '"') return null;
    const end = value.indexOf('"', i + 1);
    if (end < 0) return null;
    const opaque = value.slice(i, end + 1);
    for (let k = 1; k < opaque.length - 1; k++) {
      const code = opaque.charCodeAt(k);
      if (code < 0x21 || code === 0x7f || code > 0xff) return null;
    }
    tags.push({ weak, opaque });
    i = end + 1;
    // Between elements only OWS and a comma.
    while (i < value.length && (value[i] === ' ' || value[i] === '\t')) i++;
    if (i < value.length && value[i] !== ',') return null;
    skip();
  }
  return tags.length === 0 ? null : tags;
}

/**
 * A parsed `If-Match`. `versions` are the strong tags naming one of our versions; `weak` counts
 * weak tags and `foreign` strong tags this server never issues (both can never match, but they
 * explain a 412).
 */
export type IfMatch =
  | { kind: 'any' }
  | { kind: 'versions'; versions: number[]; weak?: number; foreign?: number }
  | { kind: 'invalid' };

/** Parse an `If-Match` header value (a `*` or a comma-separated list of entity tags). */
export function parseIfMatch(header: string): IfMatch {
  const tags = parseEntityTags(header);
  if (tags === null) return { kind: 'invalid' };
  if (tags === 'any') return { kind: 'any' };
  const versions: number[] = [];
  let weak = 0;
  let foreign = 0;
  for (const tag of tags) {
    if (tag.weak) {
      weak++; // weak tags never match strongly
      continue;
    }
    const v = etagToVersion(tag.opaque);
    if (v === null) foreign++;
    else versions.push(v);
  }
  return { kind: 'versions', versions, weak, foreign };
}

/**
 * The version a conditional write must require, given If-Match and the current version.
 * `*` means "whatever is current", a list matches when it holds the current version; otherwise a
 * version that is not current is returned so the conditional write is refused with 412 (the first
 * listed one, or 0 — never a version — when no strong tag of ours was sent).
 */
export function expectedVersionFromIfMatch(ifMatch: IfMatch, currentVersion: number): number | null {
  if (ifMatch.kind === 'any') return currentVersion;
  if (ifMatch.kind === 'invalid') return null;
  return ifMatch.versions.includes(currentVersion) ? currentVersion : (ifMatch.versions[0] ?? 0);
}

/** The `detail` of a 412 for an If-Match that did not name the current version. */
export function ifMatchFailedDetail(ifMatch: IfMatch, currentVersion: number): string {
  const current = `the order is at version ${currentVersion} (ETag ${versionToETag(currentVersion)})`;
  if (ifMatch.kind !== 'versions') return `If-Match does not match: ${current}`;
  const sent: string[] = [];
  if (ifMatch.versions.length > 0) sent.push(`version ${ifMatch.versions.join(' or ')}`);
  if (ifMatch.foreign) sent.push(`${ifMatch.foreign} entity tag(s) this API never issued`);
  if (ifMatch.weak)
    sent.push(
      `${ifMatch.weak} weak tag(s), which never match If-Match (RFC 9110 §13.1.1: strong comparison)`,
    );
  return `The precondition named ${sent.join(', ')}; ${current}`;
}

/** `If-None-Match` on GET: true when the client's copy is current (→ 304). Weak comparison (RFC 9110 §13.1.2). */
export function ifNoneMatchHits(header: string, currentVersion: number): boolean {
  const tags = parseEntityTags(header);
  if (tags === 'any') return true;
  // A malformed header is ignored (the full representation is sent), as if it were absent.
  return (tags ?? []).some((t) => etagToVersion(t.opaque) === currentVersion);
}
