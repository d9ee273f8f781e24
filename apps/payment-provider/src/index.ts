/**
 * The fake payment provider (SPEC "Payment provider"): the server, its state, and the client side.
 */
export * from './app';
export * from './client';
export * from './config';
export * from './faults';
export * from './ledger';
export * from './server';
export * from './wire';
