// Grafana org role → DCOC role, where fine-grained RBAC is not available.
// Defaults: Viewer → viewer, Editor → operator, Admin → admin; the app's (or
// data source's) jsonData `roleMapping` overrides any of them, "none" refusing.
import { Role } from '../../contracts/roles';

export type OrgRoleName = 'Viewer' | 'Editor' | 'Admin';
export type RoleMapping = Partial<Record<OrgRoleName, Role | 'none'>>;

export const DEFAULT_ROLE_MAPPING: Readonly<Record<OrgRoleName, Role>> = { Viewer: 'viewer', Editor: 'operator', Admin: 'admin' };

const ORG_ROLES: readonly OrgRoleName[] = ['Viewer', 'Editor', 'Admin'];

/**
 * The mapping in force: defaults, overridden by valid entries of `configured`.
 * Invalid entries are reported rather than silently ignored, so a typo in the
 * settings shows up in the plugin log instead of as a surprising role.
 */
export function roleMapping(configured: unknown): { mapping: Record<OrgRoleName, Role | 'none'>; problems: string[] } {
  const mapping: Record<OrgRoleName, Role | 'none'> = { ...DEFAULT_ROLE_MAPPING };
  const problems: string[] = [];
  if (configured === undefined || configured === null) return { mapping, problems };
  if (typeof configured !== 'object' || Array.isArray(configured)) {
    return { mapping, problems: ['roleMapping must be an object such as {"Editor": "developer"}'] };
  }
  for (const [key, value] of Object.entries(configured as Record<string, unknown>)) {
    if (!ORG_ROLES.includes(key as OrgRoleName)) {
      problems.push(`roleMapping.${key}: not a Grafana org role (Viewer, Editor, Admin)`);
      continue;
    }
    if (value === 'none' || Role.safeParse(value).success) mapping[key as OrgRoleName] = value as Role | 'none';
    else problems.push(`roleMapping.${key}: ${JSON.stringify(value)} is not a DCOC role (viewer, developer, operator, admin, none)`);
  }
  return { mapping, problems };
}

/** The DCOC role for a Grafana org role; null for "None", unknown roles, and roles mapped to "none". */
export function roleForOrgRole(orgRole: string, mapping: Record<OrgRoleName, Role | 'none'>): Role | null {
  const mapped = ORG_ROLES.includes(orgRole as OrgRoleName) ? mapping[orgRole as OrgRoleName] : 'none';
  return mapped === 'none' ? null : mapped;
}
