// Scoped roles: a DCOC role granted to a Grafana team on a group of commons
// (a team operates its commons and, with no global role, sees nothing else),
// how each route of the API finds the commons it acts on, and the one rule
// that turns a global role and grants into the role on a commons.
import { z } from 'zod';
import { GroupName } from './groups';
import { Role, can, roleRank, type Permission } from './roles';

// ---------------------------------------------------------------- teams

/** A Grafana team the user is in, as the plugin read it from Grafana (GET /api/users/:id/teams). */
export const TeamRef = z.strictObject({
  id: z.number().int().min(1),
  name: z.string().min(1).max(190).regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'must not contain control or invisible characters'),
});
export type TeamRef = z.infer<typeof TeamRef>;
/** At most this many teams ride in one identity assertion; more is refused, not truncated (a truncation would drop grants silently). */
export const TEAMS_MAX = 100;

/**
 * How a grant names a Grafana team: its name, or its numeric id (names can be
 * renamed in Grafana; ids cannot).
 */
export const TeamKey = z
  .string()
  .min(1)
  .max(190)
  // A refine, not a regex: Unicode property classes would reach the OpenAPI document as a pattern few generators support.
  .refine((s) => /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}/]*$/u.test(s), 'must be a Grafana team name or id (no control characters, no "/")')
  .refine((s) => s.trim() === s, 'must not start or end with spaces');

/** Whether a grant's team key names this team. */
export function teamMatches(key: string, team: TeamRef): boolean {
  return key === team.name || key === String(team.id);
}

// ---------------------------------------------------------------- grants (API)

export const TeamGrantPath = z.object({ team: TeamKey, group: GroupName });
export const TeamGrantRequest = z.strictObject({ role: Role });
export const TeamGrantView = z.object({
  team: z.string(),
  group: z.string(),
  role: Role,
  /** The commons the group picks now (empty when the group is gone: the grant then grants nothing). */
  commons: z.array(z.string()),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type TeamGrantView = z.infer<typeof TeamGrantView>;
export const TeamGrantList = z.object({ items: z.array(TeamGrantView) });

/** What the caller holds: their global role and each grant that applies to them, with the commons it covers now. */
export const EffectiveGrant = z.object({ team: z.string(), group: z.string(), role: Role, commons: z.array(z.string()) });
export type EffectiveGrant = z.infer<typeof EffectiveGrant>;
export const AccessView = z.object({
  role: Role.nullable(),
  teams: z.array(z.string()).default([]),
  grants: z.array(EffectiveGrant).default([]),
});
export type AccessView = z.infer<typeof AccessView>;

// ---------------------------------------------------------------- the rule

/** The higher of two roles; null is no role. */
export function maxRole(a: Role | null, b: Role | null): Role | null {
  if (!a) return b;
  if (!b) return a;
  return roleRank(a) >= roleRank(b) ? a : b;
}

/** The role on a commons: the global role or any grant covering the commons, whichever is higher. */
export function effectiveRole(global: Role | null, grants: readonly Pick<EffectiveGrant, 'role' | 'commons'>[], commonsId: string): Role | null {
  return grants.filter((g) => g.commons.includes(commonsId)).reduce<Role | null>((r, g) => maxRole(r, g.role), global);
}

/** The highest role held anywhere (globally or on some commons). */
export function highestRole(global: Role | null, grants: readonly Pick<EffectiveGrant, 'role'>[]): Role | null {
  return grants.reduce<Role | null>((r, g) => maxRole(r, g.role), global);
}

export function allowsOn(role: Role | null, permission: Permission): boolean {
  return !!role && can(role, permission);
}

// ---------------------------------------------------------------- route scopes

/**
 * How a route finds the commons it acts on, so the control service checks
 * the caller's role on that commons before the handler runs
 * (backend/http/mount.ts). Every route declares one (test/unit/route-scopes).
 * - commons: a path parameter or body field names the commons; the role on it
 *   decides. A body without the field (a new commons) needs the global role.
 * - record: the path :id is a command, deployment or approval; its commons decides.
 * - list: fleet-wide reads; items are kept only where the caller's role on
 *   `field`'s commons has the permission (items with no commons: the global
 *   role). Streams filter in the handler with the same predicate.
 * - anywhere: fleet-wide data not about one commons (releases, templates):
 *   the permission held globally or through any grant.
 * - global: the global role only (tokens, agents, groups, labels, grants).
 * - none: public, or any authenticated caller.
 */
export type RouteScope =
  | { kind: 'commons'; from: 'path' | 'body'; field: string }
  | { kind: 'record'; record: 'command' | 'deployment' | 'approval' }
  | { kind: 'list'; field: string }
  | { kind: 'anywhere' }
  | { kind: 'global' }
  | { kind: 'none' };

export const SCOPE = {
  path: { kind: 'commons', from: 'path', field: 'id' },
  body: (field: string) => ({ kind: 'commons', from: 'body', field }) as const,
  command: { kind: 'record', record: 'command' },
  deployment: { kind: 'record', record: 'deployment' },
  approval: { kind: 'record', record: 'approval' },
  list: (field: string) => ({ kind: 'list', field }) as const,
  anywhere: { kind: 'anywhere' },
  global: { kind: 'global' },
  none: { kind: 'none' },
} as const satisfies Record<string, RouteScope | ((f: string) => RouteScope)>;

/** GET /whoami: the caller as the API sees it; role null for a Grafana user who holds only team grants. */
export const WhoamiView = z.object({
  actor: z.string(),
  kind: z.enum(['token', 'grafana']),
  role: Role.nullable(),
  name: z.string().optional(),
  email: z.string().optional(),
  teams: z.array(z.string()).optional(),
});
