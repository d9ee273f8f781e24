/** Use case: exchange email + password for a signed access token. */
import { type Database, DUMMY_PASSWORD_HASH, users, verifyPassword } from '@quickeats/db';
import { type Actor, DomainError, type Me } from '@quickeats/domain';
import { eq, sql } from 'drizzle-orm';
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
    .select({ id: users.id, email: users.email, role: users.role, passwordHash: users.passwordHash })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${input.email})`)
    .limit(1);
  // Verify against a dummy hash when the user is unknown, so timing does not reveal which emails exist.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await DUMMY_PASSWORD_HASH));
  if (!user || !ok) throw new DomainError('INVALID_CREDENTIALS');
  const accessToken = await signAccessToken(
    { userId: user.id, role: user.role },
    deps.auth.tokenSecret,
    deps.auth.tokenTtlSeconds,
    deps.now(),
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
