/**
 * Use cases of authentication: exchange email + password for a signed access token, the caller's
 * profile, and revoking tokens — the caller's own (sign out everywhere) or, by an admin, any user's,
 * also by changing the user's role or disabling the account (see auth/revocations.ts).
 */
import { type Database, DUMMY_PASSWORD_HASH, users, verifyPassword } from '@quickeats/db';
import { type Actor, DomainError, type Me, type UserAccessInput, type UserAccount } from '@quickeats/domain';
import { eq, sql } from 'drizzle-orm';
import type { TokenRevocations } from '../auth/revocations';
import { signAccessToken } from '../auth/token';

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: { id: string; role: 'customer' | 'restaurant' | 'rider' | 'admin'; email: string };
}

export async function issueToken(
  deps: { db: Database; auth: { tokenSecret: string; tokenTtlSeconds: number }; now: () => Date },
  input: { email: string; password: string },
): Promise<IssuedToken> {
  const [user] = await deps.db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      passwordHash: users.passwordHash,
      tokenVersion: users.tokenVersion,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${input.email})`)
    .limit(1);
  // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await DUMMY_PASSWORD_HASH));
  if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS');
  // Said only to whoever knows the password.
  if (user.disabledAt) throw new DomainError('INVALID_CREDENTIALS', 'This account is disabled');
  const accessToken = await signAccessToken(
    { userId: user.id, role: user.role },
    deps.auth.tokenSecret,
    deps.auth.tokenTtlSeconds,
    deps.now(),
    user.tokenVersion,
  );
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: deps.auth.tokenTtlSeconds,
    user: { id: user.id, role: user.role, email: user.email },
  };
}

/** The authenticated user's profile; a token for a deleted user is no longer valid. */
export async function currentUser(db: Database, actor: Actor): Promise<Me> {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!user) throw new DomainError('UNAUTHENTICATED', 'The user of this token no longer exists');
  return user;
}

interface AccessDeps {
  db: Database;
  revocations: TokenRevocations;
}

const accountColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  tokenVersion: users.tokenVersion,
  disabledAt: users.disabledAt,
  authChangedAt: users.authChangedAt,
};
type AccountRow = { [K in keyof typeof accountColumns]: (typeof users.$inferSelect)[K] };

/** Makes a committed change refuse the old tokens in this process at once (others follow by NOTIFY). */
function applied(deps: AccessDeps, row: AccountRow): UserAccount {
  deps.revocations.apply(row.id, {
    tokenVersion: row.tokenVersion,
    disabled: row.disabledAt !== null,
    changedAt: row.authChangedAt?.getTime() ?? Date.now(),
  });
  return { id: row.id, email: row.email, name: row.name, role: row.role, disabled: row.disabledAt !== null };
}

function requireAdmin(actor: Actor) {
  if (actor.role !== 'admin') throw new DomainError('FORBIDDEN', 'Only an admin manages users');
}

/** Revokes every token of `userId` issued until now (sign out everywhere). */
export async function revokeTokens(deps: AccessDeps, userId: string): Promise<void> {
  const [row] = await deps.db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, userId))
    .returning(accountColumns);
  if (!row) throw new DomainError('NOT_FOUND', 'User not found');
  applied(deps, row);
}

/** An admin revokes another user's tokens. */
export async function revokeUserTokens(deps: AccessDeps, actor: Actor, userId: string): Promise<void> {
  requireAdmin(actor);
  await revokeTokens(deps, userId);
}

/** An admin changes a user's role or disables/enables the account: the user's tokens are revoked. */
export async function changeUserAccess(
  deps: AccessDeps,
  actor: Actor,
  userId: string,
  input: UserAccessInput,
): Promise<UserAccount> {
  requireAdmin(actor);
  const [row] = await deps.db
    .update(users)
    .set({
      ...(input.role !== undefined ? { role: input.role } : {}),
      ...(input.disabled === true ? { disabledAt: sql`coalesce(${users.disabledAt}, now())` } : {}),
      ...(input.disabled === false ? { disabledAt: null } : {}),
    })
    .where(eq(users.id, userId))
    .returning(accountColumns);
  if (!row) throw new DomainError('NOT_FOUND', 'User not found');
  return applied(deps, row);
}
