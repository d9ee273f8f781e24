/**
 * JSON:API 1.1 media type rules (https://jsonapi.org/format/#content-negotiation): requests with
 * `application/vnd.api+json` parameters other than `ext`/`profile` → 415; an `Accept` that lists the
 * JSON:API media type only with such parameters → 406. Responses name the cursor-pagination profile.
 */
export const JSONAPI_MEDIA_TYPE = 'application/vnd.api+json';
export const CURSOR_PROFILE = 'https://jsonapi.org/profiles/ethanresnick/cursor-pagination/';
export const JSONAPI_CONTENT_TYPE = `${JSONAPI_MEDIA_TYPE}; profile="${CURSOR_PROFILE}"`;

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseMediaRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((p) => p.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0)
          params[p.slice(0, eq).trim().toLowerCase()] = p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
      }
      return { type: type.toLowerCase(), params };
    });
}

const allowedJsonApiParam = (name: string) => name === 'ext' || name === 'profile';

/** Content-Type of a request body: true when it is JSON we accept. */
export function isAcceptedRequestBodyType(contentType: string): { ok: true } | { ok: false; reason: string } {
  const [range] = parseMediaRanges(contentType);
  if (!range) return { ok: false, reason: 'missing Content-Type' };
  if (range.type === 'application/json') return { ok: true };
  if (range.type === JSONAPI_MEDIA_TYPE) {
    const bad = Object.keys(range.params).filter((p) => !allowedJsonApiParam(p));
    return bad.length === 0
      ? { ok: true }
      : { ok: false, reason: `media type parameter(s) ${bad.join(', ')} not allowed` };
  }
  return { ok: false, reason: `Content-Type ${range.type} is not supported; send application/json` };
}

/** Accept header: false when the client accepts JSON:API only with forbidden parameters (→ 406). */
export function acceptsJsonApi(accept: string | undefined): boolean {
  if (!accept) return true;
  const ranges = parseMediaRanges(accept);
  const jsonapi = ranges.filter((r) => r.type === JSONAPI_MEDIA_TYPE);
  const others = ranges.filter((r) => r.type !== JSONAPI_MEDIA_TYPE);
  const acceptsOther = others.some((r) => ['*/*', 'application/*', 'application/json'].includes(r.type));
  if (acceptsOther) return true;
  if (jsonapi.length === 0) return ranges.length === 0;
  return jsonapi.some((r) => Object.keys(r.params).every((p) => allowedJsonApiParam(p) || p === 'q'));
}
