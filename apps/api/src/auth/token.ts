/**
 * Bearer access tokens: HS256 JWTs (RFC 7519) carrying the user id (`sub`), role and token version
 * (`tv`, see revocations.ts), signed with the configured secret, so any API process sharing the
 * secret can verify them without a query; revocation is a lookup in the process's revocation set.
 */
import { type Actor, RoleSchema } from '@quickeats/domain';
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

const ISSUER = 'quickeats-api';
const ALG = 'HS256';

const ClaimsSchema = z.object({
  sub: z.uuid(),
  role: RoleSchema,
  exp: z.number(),
  iss: z.literal(ISSUER),
  // Tokens issued before versions existed count as version 0, the column's default.
  tv: z.int().min(0).default(0),
});

export async function signAccessToken(
  actor: Actor,
  secret: string,
  ttlSeconds: number,
  now = new Date(),
  tokenVersion = 0,
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return sign(
    { sub: actor.userId, role: actor.role, tv: tokenVersion, iss: ISSUER, iat, exp: iat + ttlSeconds },
    secret,
    ALG,
  );
}

/** What a valid token says: who, and the token version it was issued at. */
export interface VerifiedToken {
  actor: Actor;
  tokenVersion: number;
}

/**
 * Tokens already verified, by secret + token, until they expire. Verification imports the HMAC key
 * and checks the signature on every call, which dominated the cost of a cheap read (bench); a hit
 * here is a map lookup. Bounded, oldest first out; only valid tokens are cached.
 */
const verified = new Map<string, VerifiedToken & { exp: number }>();
const VERIFIED_CACHE_SIZE = 10_000;

/** The actor a token names, or null when it is malformed, forged or expired. */
export async function verifyAccessToken(
  token: string,
  secret: string,
  now = Date.now(),
): Promise<Actor | null> {
  return (await verifyAccessTokenClaims(token, secret, now))?.actor ?? null;
}

/** The actor and token version a token names, or null when it is malformed, forged or expired. */
export async function verifyAccessTokenClaims(
  token: string,
  secret: string,
  now = Date.now(),
): Promise<VerifiedToken | null> {
  const cacheKey = `${secret}\u0000${token}`;
  const hit = verified.get(cacheKey);
  if (hit) {
    if (hit.exp * 1000 > now) return hit;
    verified.delete(cacheKey);
    return null;
  }
  try {
    const payload = await verify(token, secret, { alg: ALG, iss: ISSUER });
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) return null;
    const entry = {
      actor: { userId: claims.data.sub, role: claims.data.role } satisfies Actor,
      tokenVersion: claims.data.tv,
      exp: claims.data.exp,
    };
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(cacheKey, entry);
    return entry;
  } catch {
    return null;
  }
}
