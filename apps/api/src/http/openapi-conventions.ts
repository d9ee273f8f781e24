/**
 * The conventions every v2 operation follows in the published OpenAPI document, applied to the
 * document generated from the routes rather than written route by route — so a route added later
 * is lint-clean (Redocly `recommended`, Spectral `spectral:oas`) without anyone remembering to:
 *
 * - `operationId`: from method + path (`POST /orders/{id}/mark-ready` → `postOrdersByIdMarkReady`),
 *   unless the route names one; unique because method + path are.
 * - tags: the route's, else the first path segment; every tag used is declared with a description.
 * - `security: []` on operations that declare none (public by construction, e.g. `/auth/token`).
 * - `If-Match` `required: true` wherever a missing one is a 428 (the schema leaves it optional only so
 *   the server can answer 428 rather than a generic 400).
 * - 413 and 415 on every operation with a request body (the body limit and media-type checks run
 *   before any handler); `Retry-After` on every 409 of an idempotent operation (key in flight), every
 *   429 and every 503.
 * - 500 everywhere (any handler can fail unexpectedly; the problem then carries only the request id).
 * - a description (the summary) where the route gave none.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { PROBLEM_MEDIA_TYPE } from './problem';

export type OpenAPIObject = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; headers?: Record<string, unknown> }>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/** Tag descriptions; a tag missing here still gets a generic one, so a new tag never breaks lint. */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Tokens and the caller’s identity',
  orders: 'Placing and reading orders (JSON:API documents, cursor pages)',
  'order actions': 'One route per lifecycle action; If-Match required, Idempotency-Key accepted',
  restaurants: 'Restaurants and their menus',
};

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');

/** `post` + `/orders/{id}/mark-ready` → `postOrdersByIdMarkReady`. */
export function operationIdFor(method: string, path: string): string {
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith('{') ? `By${pascal(seg)}` : pascal(seg)));
  return method.toLowerCase() + parts.join('');
}

/** A problem response in the generated document (the `Problem` schema the routes registered). */
const problem = (description: string) => ({
  description,
  content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

const retryAfter = (when: string) => ({
  'Retry-After': {
    description: `Seconds to wait before retrying (${when})`,
    schema: { type: 'integer', minimum: 0 },
  },
});

export function applyOpenApiConventions(doc: OpenAPIObject): OpenAPIObject {
  const used = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      op.operationId ??= operationIdFor(method, path);
      if (!op.tags?.length) op.tags = [path.split('/').filter(Boolean)[0] ?? 'default'];
      for (const tag of op.tags) used.add(tag);
      op.description ??= op.summary ?? op.operationId;
      op.security ??= [];
      const responses = op.responses;
      if (responses['428']) {
        for (const p of op.parameters ?? [])
          if (p.in === 'header' && p.name.toLowerCase() === 'if-match') p.required = true;
      }
      responses['500'] ??= problem('Unexpected error: no details, the requestId finds it in the logs');
      if (op.requestBody) {
        responses['413'] ??= problem('Request body larger than the configured limit');
        responses['415'] ??= problem('Body is not JSON (application/json or application/vnd.api+json)');
      }
      const idempotent = op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key');
      const r409 = responses['409'];
      if (idempotent && r409)
        r409.headers = { ...r409.headers, ...retryAfter('a request with this Idempotency-Key is in flight') };
      const r429 = responses['429'];
      if (r429) r429.headers = { ...r429.headers, ...retryAfter('rate limit') };
      const r503 = responses['503'];
      if (r503) r503.headers = { ...r503.headers, ...retryAfter('temporarily unavailable') };
    }
  }
  doc.tags = [...used].sort().map((name) => ({
    name,
    description: TAG_DESCRIPTIONS[name] ?? `Operations on ${name}`,
  }));
  return doc;
}
