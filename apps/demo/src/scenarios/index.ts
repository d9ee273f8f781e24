/**
 * The problem scenarios of SPEC "The five problems of v1" (1–4), reusable against any surface
 * through a `SurfaceAdapter`. Tests assert on their outcomes; the demo prints them side by side.
 */
export * from './http-target';
export * from './invalid-transition.scenario';
export * from './ledger';
export * from './list-statements.scenario';
export * from './old-client.scenario';
export * from './prepare-order';
export * from './racing-cancel-accept.scenario';
export * from './retried-payment.scenario';
export type * from './types';
export * from './v1.adapter';
export * from './v2.adapter';
