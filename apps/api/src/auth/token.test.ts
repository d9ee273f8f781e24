import { describe, expect, it } from 'vitest';
import { signAccessToken, verifyAccessToken } from './token';

const SECRET = 'unit-secret-unit-secret-unit-secret-0123456789';
const actor = { userId: '7f6f5de3-ccaa-4997-8070-6771f929153e', role: 'rider' as const };

describe('access tokens', () => {
  it('round-trips the actor', async () => {
    expect(await verifyAccessToken(await signAccessToken(actor, SECRET, 60), SECRET)).toEqual(actor);
  });

  // The verified-token cache must never outlive the token: a cached token is refused after exp.
  it('refuses a cached token once it has expired', async () => {
    const token = await signAccessToken(actor, SECRET, 60);
    expect(await verifyAccessToken(token, SECRET)).toEqual(actor);
    expect(await verifyAccessToken(token, SECRET, Date.now() + 61_000)).toBeNull();
  });

  it('does not let a token verified under one secret pass under another', async () => {
    const token = await signAccessToken(actor, SECRET, 60);
    expect(await verifyAccessToken(token, SECRET)).toEqual(actor);
    expect(await verifyAccessToken(token, 'other-secret-other-secret-other-secret-000')).toBeNull();
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await signAccessToken(actor, SECRET, 60)).split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: actor.userId, role: 'admin', iss: 'quickeats-api', exp: 9e9 }),
    ).toString('base64url');
    expect(await verifyAccessToken(`${h}.${forged}.${s}`, SECRET)).toBeNull();
  });
});
