/**
 * Page-size rules shared by every list (SPEC: default 20, max 100, larger → 400 with
 * `meta.page.maxSize`), with the parameter names of the calling surface so errors point at the
 * field the client actually sent (`page[size]` in REST, `pageSize` in tRPC).
 */
import { DEFAULT_PAGE_SIZE, DomainError, MAX_PAGE_SIZE } from '@quickeats/domain';

/** How the caller names the page parameters, so errors point at the right field. */
export interface PageParamNames {
  size: string;
  after: string;
}
export const JSONAPI_PAGE_PARAMS: PageParamNames = { size: 'page[size]', after: 'page[after]' };

/**
 * The page size to use: default when absent; above the maximum is refused (never silently
 * clamped, so a client cannot mistake a short page for the end of the list).
 */
export function resolvePageSize(size: number | undefined, param = JSONAPI_PAGE_PARAMS.size): number {
  if (size === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1) {
    throw new DomainError('VALIDATION_FAILED', `${param} must be a positive integer`, {
      errors: [{ field: param, message: 'must be a positive integer' }],
    });
  }
  if (size > MAX_PAGE_SIZE) {
    throw new DomainError('PAGE_SIZE_TOO_LARGE', `${param} may be at most ${MAX_PAGE_SIZE}`, {
      errors: [{ field: param, message: `must be at most ${MAX_PAGE_SIZE}` }],
      // The cursor-pagination profile's "max size exceeded" error carries the limit here.
      meta: { page: { maxSize: MAX_PAGE_SIZE } },
    });
  }
  return size;
}
