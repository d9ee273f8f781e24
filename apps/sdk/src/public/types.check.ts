/**
 * Compile-time proof (run by `tsc --noEmit`) that the printed public types are the real ones: each
 * pair is mutually assignable, procedure by procedure, input and output. Not part of the package.
 */
import type { AppRouter as ServerRouter } from '@quickeats/api/router';
import type * as Domain from '@quickeats/domain';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type * as Public from './types.generated';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type Checks = [
  Assert<Same<inferRouterInputs<Public.AppRouter>, inferRouterInputs<ServerRouter>>>,
  Assert<Same<inferRouterOutputs<Public.AppRouter>, inferRouterOutputs<ServerRouter>>>,
  Assert<Same<Public.Order, Domain.Order>>,
  Assert<Same<Public.CreateOrderInput, Domain.CreateOrderInput>>,
  Assert<Same<Public.Money, Domain.Money>>,
  Assert<Same<Public.OrderAction, Domain.OrderAction>>,
  Assert<Same<Public.OrderStatus, Domain.OrderStatus>>,
  Assert<Same<Public.Role, Domain.Role>>,
  Assert<Same<Public.ErrorCode, Domain.ErrorCode>>,
  Assert<Same<Public.FieldError, Domain.FieldError>>,
  Assert<Same<Public.OrderEventType, Domain.OrderEventType>>,
  Assert<Same<Public.OrderStreamEvent, Domain.OrderStreamEvent>>,
];
