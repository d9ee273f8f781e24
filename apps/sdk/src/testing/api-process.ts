/**
 * The real API as its own process, for the SDK's own tests, the sample apps and `pnpm generate`
 * (everything they prove is proved against the server a partner would call). The harness itself
 * lives in `@quickeats/test-support`; this module keeps the SDK testing entry's names.
 */
export { type ApiProcess, startApiProcess, TEST_TOKEN_SECRET } from '@quickeats/test-support';
