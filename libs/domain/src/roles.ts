/** API key roles (issue 4). */
export const ROLES = ['admin', 'support', 'console', 'fleet'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the Bearer key by the guard, recorded as the actor of every action. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  /** Set for console keys: the only tenant they may see or act on. */
  tenantId: string | null;
  defaultCallbackUrl: string | null;
  rateLimitPerSecond: number | null;
}
