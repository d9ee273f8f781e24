import { describe, expect, it } from 'vitest';
import { DomainError, ERROR_CODES, type ErrorCode, isDomainError } from './errors';

describe('error catalogue', () => {
  it('maps each code to an HTTP error status and a title', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThan(600);
      expect(spec.title, code).not.toBe('');
    }
  });

  it.each([
    ['FORBIDDEN', 403],
    ['CLIENT_ID_UNSUPPORTED', 403],
    ['NOT_FOUND', 404],
    ['RESOURCE_TYPE_CONFLICT', 409],
    ['INVALID_TRANSITION', 409],
    ['IDEMPOTENCY_IN_FLIGHT', 409],
    ['PRECONDITION_FAILED', 412],
    ['IDEMPOTENCY_KEY_REUSED', 422],
    ['PRECONDITION_REQUIRED', 428],
  ] as [ErrorCode, number][])('gives %s the status SPEC names (%i)', (code, status) => {
    expect(ERROR_CODES[code].status).toBe(status);
  });
});

describe('DomainError', () => {
  it('carries its code, status, extras and the catalogue title when no detail is given', () => {
    const e = new DomainError('PRECONDITION_FAILED', undefined, { currentVersion: 4 });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('PRECONDITION_FAILED');
    expect(e.status).toBe(412);
    expect(e.message).toBe(ERROR_CODES.PRECONDITION_FAILED.title);
    expect(e.extras).toEqual({ currentVersion: 4 });
    expect(isDomainError(e)).toBe(true);
  });

  it('is told apart from other errors', () => {
    expect(isDomainError(new Error('x'))).toBe(false);
    expect(isDomainError({ code: 'NOT_FOUND' })).toBe(false);
  });
});
