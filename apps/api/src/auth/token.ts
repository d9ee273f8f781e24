/**
 * Bearer access tokens: HS256 JWTs (RFC 7519) carrying the user id (`sub`) and role, signed with
 * the configured secret, so any API process sharing the secret can verify them statelessly.
 */
import { type Actor, RoleSchema } from '@quickeats/domain';
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

const ISSUER = 'quickeats-api';
const ALG = 'HS256';

const ClaimsSchema = z.object({ sub: z.uuid(), role: RoleSchema, exp: z.number(), iss: z.literal(ISSUER) });

export async function signAccessToken(
  actor: Actor,
  secret: string,
  ttlSeconds: number,
  now = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return sign({ sub: actor.userId, role: actor.role, iss: ISSUER, iat, exp: iat + ttlSeconds }, secret, ALG);
}

/** The actor a token names, or null when it is malformed, forged or expired. */
export async function verifyAccessToken(token: string, secret: string): Promise<Actor | null> {
  try {
    const payload = await verify(token, secret, { alg: ALG, iss: ISSUER });
    const claims = ClaimsSchema.safeParse(payload);
    return claims.success ? { userId: claims.data.sub, role: claims.data.role } : null;
  } catch {
    return null;
  }
}
