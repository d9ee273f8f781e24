/**
 * `@quickeats/sdk/testing`: what the SDK's and the sample apps' tests run against — a real API
 * process on a fresh database with the fake payment provider, and a fault-injecting proxy.
 * Workspace-only (not part of the published package).
 */
export * from './api-process';
export * from './fault-proxy';
export * from './fixtures';
export * from './stack';
