/** `@quickeats/sdk/rest`: the REST client and its generated OpenAPI types. */
export { type ApiMediaType, createRestClient, type RestApi, type RestClient } from './client';
export type { components, operations, paths } from './openapi.generated';
