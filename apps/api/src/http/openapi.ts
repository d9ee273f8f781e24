/**
 * v2 routes are declared with `createRoute` on `OpenAPIHono`, so the OpenAPI document is generated
 * from the same zod schemas that validate requests. Validation failures become 400 problems naming
 * every field (unknown fields included, since the schemas are strict).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { AppEnv } from '../context';
import { validationError } from './problem';

const WHERE = { json: 'body', query: 'query', param: 'path', header: 'header' } as const;

export function createOpenApiRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const where = WHERE[result.target as keyof typeof WHERE] ?? 'body';
        throw validationError(result.error as unknown as ZodError, where);
      }
    },
  });
}
