// DCOC's four roles and what each may do. The Grafana plugin maps Grafana
// users onto these roles; the control service enforces them on every call.
import { z } from 'zod';

export const ROLES = ['viewer', 'developer', 'operator', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const PERMISSIONS = {
  'fleet:read': 'viewer',
  'details:read': 'developer',
  'events:read': 'developer',
  'logs:read': 'developer',
  'services:operate': 'operator',
  'config:write': 'operator',
  'deployments:write': 'operator',
  'audit:read': 'operator',
  'agents:manage': 'admin',
  'groups:manage': 'admin',
  'tokens:manage': 'admin',
  'policies:manage': 'admin',
  'windows:write': 'operator',
  'freeze:write': 'admin',
  'access:manage': 'admin',
  'backups:write': 'operator',
  'backups:restore': 'admin',
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof PERMISSIONS;

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

export function can(role: Role, permission: Permission): boolean {
  return roleRank(role) >= roleRank(PERMISSIONS[permission]);
}
