/** `@quickeats/sdk/trpc`: the tRPC client, typed from the API's `AppRouter`. */
export { type AppRouter, createTrpcClient, type TrpcApi, type TrpcClient } from './client';
