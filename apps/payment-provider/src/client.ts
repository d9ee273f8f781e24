/**
 * `@quickeats/payment-provider/client`: what other processes need to talk to the fake provider —
 * the `PaymentProvider` adapter and the test admin — without pulling in the server.
 */
export type { FaultPlanInput, FaultStatus } from './faults';
export * from './http-payment-provider';
export * from './provider-admin';
export type { LedgerSnapshot } from './wire';
