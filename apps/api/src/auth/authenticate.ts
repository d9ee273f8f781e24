/**
 * One authentication for every surface (REST v2 and v1, tRPC, GraphQL, the event streams): the
 * token's signature and expiry, then the process's revocation set (revocations.ts) — a map lookup,
 * no query.
 */
import type { Actor } from '@quickeats/domain';
import type { AppDeps } from '../context';
import { verifyAccessTokenClaims } from './token';

export type Authentication =
  | { ok: true; actor: Actor; tokenVersion: number }
  | { ok: false; message: string };

export const TOKEN_MESSAGES = {
  invalid: 'The access token is invalid or has expired',
  revoked: 'The access token was revoked (signed out, or the account changed); sign in again',
  disabled: 'The account is disabled',
} as const;

export async function authenticateToken(
  deps: Pick<AppDeps, 'config' | 'revocations'>,
  token: string,
): Promise<Authentication> {
  const verified = await verifyAccessTokenClaims(token, deps.config.auth.tokenSecret);
  if (!verified) return { ok: false, message: TOKEN_MESSAGES.invalid };
  const refusal = deps.revocations.check(verified.actor.userId, verified.tokenVersion);
  if (refusal) return { ok: false, message: TOKEN_MESSAGES[refusal] };
  return { ok: true, actor: verified.actor, tokenVersion: verified.tokenVersion };
}
