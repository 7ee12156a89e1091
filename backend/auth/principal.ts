// Who is calling: resolved from the bearer credential of every /api/v1 call.
import type { Role } from '../../contracts/roles';

export interface Principal {
  /** Grafana login, or "token:<name>" for API tokens. */
  actor: string;
  kind: 'token' | 'grafana';
  role: Role;
  name?: string;
  email?: string;
  /** An API token's minter: the person behind it (a requester may not approve their own change through a token either). */
  owner?: string;
}
