/**
 * JSON:API 1.1 media type rules (https://jsonapi.org/format/#content-negotiation): requests with
 * `application/vnd.api+json` parameters other than `ext`/`profile`, or an `ext` naming an extension
 * this server does not support (it supports none), → 415; an `Accept` whose every JSON:API instance
 * has such a parameter or extension → 406. `profile` is accepted and ignored where unknown, as the
 * specification allows. Responses name the cursor-pagination profile they apply.
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

/**
 * Extensions (https://jsonapi.org/format/#extensions) this server supports: none. `ext` names them as
 * a space-separated list of URIs; profiles may be ignored, so `profile` is accepted whatever it names.
 */
export const SUPPORTED_EXTENSIONS: readonly string[] = [];

const unsupportedExtensions = (params: Record<string, string>): string[] =>
  (params.ext ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .filter((uri) => !SUPPORTED_EXTENSIONS.includes(uri));

/** Content-Type of a request body: true when it is JSON we accept. */
export function isAcceptedRequestBodyType(contentType: string): { ok: true } | { ok: false; reason: string } {
  const [range] = parseMediaRanges(contentType);
  if (!range) return { ok: false, reason: 'missing Content-Type' };
  if (range.type === 'application/json') return { ok: true };
  if (range.type === JSONAPI_MEDIA_TYPE) {
    const bad = Object.keys(range.params).filter((p) => !allowedJsonApiParam(p));
    if (bad.length > 0) return { ok: false, reason: `media type parameter(s) ${bad.join(', ')} not allowed` };
    const unsupported = unsupportedExtensions(range.params);
    return unsupported.length === 0
      ? { ok: true }
      : { ok: false, reason: `JSON:API extension(s) not supported: ${unsupported.join(' ')}` };
  }
  return { ok: false, reason: `Content-Type ${range.type} is not supported; send application/json` };
}

/**
 * Accept header (JSON:API 1.1 "Server Responsibilities"): when it names the JSON:API media type, at
 * least one instance must carry no parameter but `ext`/`profile` (and the weight `q`, not 0) and no
 * unsupported extension, else 406 — whatever else the header lists. Without a JSON:API instance,
 * anything that admits JSON will do.
 */
export function acceptsJsonApi(accept: string | undefined): boolean {
  if (!accept) return true;
  const ranges = parseMediaRanges(accept);
  const jsonapi = ranges.filter((r) => r.type === JSONAPI_MEDIA_TYPE);
  if (jsonapi.length > 0) {
    return jsonapi.some(
      (r) =>
        Object.keys(r.params).every((p) => allowedJsonApiParam(p) || p === 'q') &&
        unsupportedExtensions(r.params).length === 0 &&
        !/^0(\.0*)?$/.test(r.params.q ?? ''),
    );
  }
  if (ranges.length === 0) return true;
  return ranges.some((r) => ['*/*', 'application/*', 'application/json'].includes(r.type));
}
