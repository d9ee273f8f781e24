/**
 * Deprecation signalling for the v1 surface. Every v1 response — successes, errors, 401s, 404s —
 * carries three headers so deployed clients (and their HTTP tooling) learn about the retirement
 * from any call they make:
 *
 * - `Deprecation: @<unix seconds>` — RFC 9745 §2.1: an sf-date Item (RFC 9651 §3.3.7).
 * - `Sunset: <IMF-fixdate>` — RFC 8594 §3: an HTTP-date (RFC 9110 §5.6.7), always GMT.
 * - `Link: <successor>; rel="successor-version", <guide>; rel="deprecation"` — RFC 8288 links:
 *   `successor-version` (RFC 5829 §3.2) names the v2 route that replaces this request, and
 *   `deprecation` (RFC 9745 §3) the human-readable migration guide.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';

export interface DeprecationPolicy {
  /** When the resource was (or will be) deprecated. */
  deprecation: Date;
  /** When it stops answering; RFC 8594 §3 says it should not be earlier than the deprecation. */
  sunset: Date;
  /** Human-readable migration guide, linked with `rel="deprecation"` (RFC 9745 §3). */
  migrationGuideUrl: string;
  /** The URI reference of the request's successor, read after the handler ran (it may refine it). */
  successorFor(c: Context): string;
}

/** RFC 9745 §2.1: `@` followed by integer seconds since the epoch (sf-date, RFC 9651 §3.3.7). */
export function formatDeprecationDate(date: Date): string {
  return `@${Math.floor(date.getTime() / 1000)}`;
}

/** RFC 8594 §3 / RFC 9110 §5.6.7 IMF-fixdate, e.g. `Wed, 30 Jun 2027 00:00:00 GMT`. */
export function formatSunsetDate(date: Date): string {
  // toUTCString() emits exactly the IMF-fixdate form (zero-padded day, GMT) in every supported engine.
  return date.toUTCString();
}

/** RFC 8288 §3 link-value list: each target in angle brackets with a quoted `rel`. */
export function formatLinks(links: readonly { href: string; rel: string }[]): string {
  return links.map((l) => `<${l.href}>; rel="${l.rel}"`).join(', ');
}

/**
 * Middleware adding the three deprecation headers to whatever response the inner handlers produce,
 * including error responses rendered by an `onError` below it (Hono turns a thrown error into
 * `c.res` before `next()` returns here).
 *
 * @example
 * v1.use(deprecationHeaders({ deprecation, sunset, migrationGuideUrl, successorFor: () => '/api/v2/orders' }));
 */
export function deprecationHeaders<E extends Env>(policy: DeprecationPolicy): MiddlewareHandler<E> {
  const deprecation = formatDeprecationDate(policy.deprecation);
  const sunset = formatSunsetDate(policy.sunset);
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    headers.set('Deprecation', deprecation);
    headers.set('Sunset', sunset);
    headers.append(
      'Link',
      formatLinks([
        { href: policy.successorFor(c), rel: 'successor-version' },
        { href: policy.migrationGuideUrl, rel: 'deprecation' },
      ]),
    );
  };
}
