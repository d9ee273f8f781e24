/**
 * Who is acting. Every user has exactly one role (SPEC "Domain").
 */
export const ROLES = ['customer', 'restaurant', 'rider', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller of a use case, as the auth middleware resolves it from a token. */
export interface Actor {
  userId: string;
  role: Role;
}
