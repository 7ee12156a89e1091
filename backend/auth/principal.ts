// Who is calling: resolved from the bearer credential of every /api/v1 call.
import type { Role } from '../../contracts/roles';
import type { TeamRef } from '../../contracts/scopes';

export interface Principal {
  /** Grafana login, or "token:<name>" for API tokens. */
  actor: string;
  kind: 'token' | 'grafana';
  /** The global role; null for a Grafana user whose access comes only from team grants. */
  role: Role | null;
  /** The Grafana teams the plugin read for the user (team grants apply through them). */
  teams?: TeamRef[];
  name?: string;
  email?: string;
  /** An API token's minter: the person behind it (a requester may not approve their own change through a token either). */
  owner?: string;
}

/** A caller acting on something: the role it acts with there is known (mount resolves it per commons). */
export type ActingPrincipal = Principal & { role: Role };
