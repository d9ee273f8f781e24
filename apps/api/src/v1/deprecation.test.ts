import { describe, expect, it } from 'vitest';
import { formatDeprecationDate, formatLinks, formatSunsetDate } from './deprecation';
import { actionReaching, v2SuccessorPath } from './successor';

const ID = '3f2b8c1e-5d4a-4b6c-8e9f-0a1b2c3d4e5f';

describe('deprecation header values', () => {
  it('formats Deprecation as an RFC 9745 sf-date: "@" and integer seconds', () => {
    expect(formatDeprecationDate(new Date('2026-11-01T00:00:00Z'))).toBe('@1793491200');
    // Sub-second precision is dropped, never rounded up into the next second.
    expect(formatDeprecationDate(new Date('2026-11-01T00:00:00.999Z'))).toBe('@1793491200');
  });

  it('formats Sunset as an RFC 8594 / RFC 9110 IMF-fixdate in GMT', () => {
    const sunset = formatSunsetDate(new Date('2027-06-05T08:09:10+02:00'));
    expect(sunset).toBe('Sat, 05 Jun 2027 06:09:10 GMT');
    expect(sunset).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  it('formats RFC 8288 link-values with quoted relation types', () => {
    expect(
      formatLinks([
        { href: '/api/v2/orders', rel: 'successor-version' },
        { href: 'https://docs.example/guide', rel: 'deprecation' },
      ]),
    ).toBe('</api/v2/orders>; rel="successor-version", <https://docs.example/guide>; rel="deprecation"');
  });
});

describe('v2 successor of a v1 request', () => {
  it('maps each v1 route to its v2 equivalent', () => {
    expect(v2SuccessorPath('GET', '/api/v1/orders')).toBe('/api/v2/orders');
    expect(v2SuccessorPath('POST', '/api/v1/orders')).toBe('/api/v2/orders');
    expect(v2SuccessorPath('GET', `/api/v1/orders/${ID}`)).toBe(`/api/v2/orders/${ID}`);
    expect(v2SuccessorPath('POST', `/api/v1/orders/${ID}/payment`)).toBe(`/api/v2/orders/${ID}/pay`);
  });

  it('names the v2 action of a PUT once the status is known, the order otherwise', () => {
    expect(v2SuccessorPath('PUT', `/api/v1/orders/${ID}`, 'cancel')).toBe(`/api/v2/orders/${ID}/cancel`);
    expect(v2SuccessorPath('PUT', `/api/v1/orders/${ID}`)).toBe(`/api/v2/orders/${ID}`);
  });

  it('derives the action reaching a status from the lifecycle table', () => {
    expect(actionReaching('cancelled')).toBe('cancel');
    expect(actionReaching('picked_up')).toBe('pick-up');
    expect(actionReaching('ready')).toBe('mark-ready');
    // No action leads back to pending: v1 can write it, v2 has no equivalent.
    expect(actionReaching('pending')).toBeUndefined();
  });

  it('never copies a non-UUID path segment into the header (it could break the Link syntax)', () => {
    expect(v2SuccessorPath('GET', '/api/v1/orders/x>; rel="evil"')).toBe('/api/v2/orders');
    expect(v2SuccessorPath('GET', '/api/v1/orders/not-an-id/payment')).toBe('/api/v2/orders');
    expect(v2SuccessorPath('GET', '/api/v1/restaurants')).toBe('/api/v2/orders');
  });
});
