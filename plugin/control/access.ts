// The role a user holds on one commons, global role and team grants together,
// as the control service computes it (GET /api/v1/access, asked as the user).
// The data source's live channels need it: a channel's stream is shared by its
// subscribers, so each subscriber is checked here before it joins.
import { ROUTES } from '../../contracts/routes';
import { effectiveRole } from '../../contracts/scopes';
import type { Role } from '../../contracts/roles';
import type { ControlClient } from './client';

/** The user's role on `commons`; their global role alone for a fleet-wide channel (null) or when they hold no team. */
export async function roleOn(client: ControlClient, user: { role: Role | null; teams?: readonly unknown[] }, commons: string | null, signal?: AbortSignal): Promise<Role | null> {
  if (commons === null || !user.teams?.length) return user.role;
  const access = await client.getRoute(ROUTES.getAccess, { signal, route: 'access' });
  return effectiveRole(user.role, access.grants, commons);
}
