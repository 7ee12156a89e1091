// The caller as the app backend resolved them: DCOC role and what it allows.
import { z } from 'zod';
import { role } from './common';

export const PERMISSIONS = [
  'fleet:read',
  'details:read',
  'events:read',
  'services:operate',
  'config:write',
  'deployments:write',
  'audit:read',
  'agents:manage',
  'tokens:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const whoami = z.object({
  user: z.object({ login: z.string(), name: z.string().optional().default(''), email: z.string().optional().default(''), orgRole: z.string().optional().default('') }),
  role,
  roleSource: z.string().optional(),
  // Unknown permission names from a newer backend are kept out rather than failing the page.
  permissions: z.array(z.string()).transform((ps) => ps.filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p))),
});
export type Whoami = z.infer<typeof whoami>;
