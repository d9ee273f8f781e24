import { describe, expect, it } from 'vitest';
import {
  errorFromProblem,
  errorFromTrpc,
  InvalidTransitionError,
  QuickEatsApiError,
  StaleVersionError,
} from './errors';

describe('errors from REST problems', () => {
  it('maps a 412 problem to StaleVersionError with the current version', () => {
    const err = errorFromProblem(412, {
      type: 'https://docs.quickeats.test/problems/precondition-failed',
      title: 'The order has changed',
      status: 412,
      detail: 'Order is at version 3',
      code: 'PRECONDITION_FAILED',
      currentVersion: 3,
      allowedActions: ['accept', 'reject'],
      requestId: 'r1',
    });
    expect(err).toBeInstanceOf(StaleVersionError);
    expect(err).toMatchObject({
      status: 412,
      code: 'PRECONDITION_FAILED',
      currentVersion: 3,
      allowedActions: ['accept', 'reject'],
      message: 'Order is at version 3',
      requestId: 'r1',
      transport: 'rest',
    });
    expect(err.is('PRECONDITION_FAILED')).toBe(true);
  });

  it('maps a 409 INVALID_TRANSITION to InvalidTransitionError, and reads Retry-After', () => {
    const err = errorFromProblem(
      409,
      { status: 409, code: 'INVALID_TRANSITION', detail: 'no', allowedActions: [] },
      new Headers({ 'Retry-After': '2' }),
    );
    expect(err).toBeInstanceOf(InvalidTransitionError);
    expect(err.allowedActions).toEqual([]);
    expect(err.retryAfterSeconds).toBe(2);
  });

  it('survives a body that is not a problem (a proxy page)', () => {
    const err = errorFromProblem(502, '<html>bad gateway</html>');
    expect(err).toBeInstanceOf(QuickEatsApiError);
    expect(err).toMatchObject({ status: 502, code: 'HTTP_502', message: 'HTTP 502' });
  });
});

describe('errors from tRPC', () => {
  it('uses data.errorCode, the same stable code as REST', () => {
    const err = errorFromTrpc({
      message: 'Order is at version 4',
      data: {
        code: 'PRECONDITION_FAILED',
        httpStatus: 412,
        errorCode: 'PRECONDITION_FAILED',
        currentVersion: 4,
      },
    });
    expect(err).toBeInstanceOf(StaleVersionError);
    expect(err).toMatchObject({ status: 412, currentVersion: 4, transport: 'trpc' });
  });

  it('returns null when there is no error data (not an API answer)', () => {
    expect(errorFromTrpc({ message: 'fetch failed' })).toBeNull();
  });
});
