/** Reusable OpenAPI response declarations (problem documents). */
import { z } from '@hono/zod-openapi';
import { PROBLEM_MEDIA_TYPE } from './problem';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string().describe('Stable error code (see the error catalogue)'),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    currentVersion: z.int().optional(),
    allowedActions: z.array(z.string()).optional(),
  })
  .openapi('Problem');

export function problem(description: string) {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } };
}

/** A 429 (rate limit), with the fields the refusal carries. */
export function tooManyRequests(description: string) {
  const field = (text: string) => z.string().openapi({ description: text });
  return {
    ...problem(description),
    headers: z.object({
      'Retry-After': field('Seconds until a retry may pass'),
      'RateLimit-Policy': field(
        'The limit (draft-ietf-httpapi-ratelimit-headers), e.g. `"writes";q=300;w=60`',
      ),
      RateLimit: field('What is left of it, e.g. `"writes";r=0;t=12`'),
    }),
  };
}
