// What a caller may do on which commons: their global role and the roles
// their Grafana teams hold on groups of commons (team grants), resolved once
// per request. The rule itself is contracts/scopes.ts effectiveRole.
import { can, type Permission, type Role } from '../../contracts/roles';
import { type EffectiveGrant, effectiveRole, highestRole, teamMatches } from '../../contracts/scopes';
import { Role as RoleSchema } from '../../contracts/roles';
import { NotFound } from '../domain/errors';
import type { GroupDirectory } from '../groups/directory';
import type { TeamGrantsStore } from '../store/team-grants-store';
import type { Principal } from './principal';

export class Access {
  constructor(
    readonly principal: Principal,
    readonly grants: readonly EffectiveGrant[],
  ) {}

  get global(): Role | null {
    return this.principal.role;
  }

  /** The role on one commons. */
  roleOn(commonsId: string): Role | null {
    return effectiveRole(this.global, this.grants, commonsId);
  }

  /** The highest role held anywhere. */
  highest(): Role | null {
    return highestRole(this.global, this.grants);
  }

  can(permission: Permission, commonsId: string): boolean {
    const r = this.roleOn(commonsId);
    return !!r && can(r, permission);
  }

  canGlobally(permission: Permission): boolean {
    return !!this.global && can(this.global, permission);
  }

  /** Held globally or through some grant. */
  canAnywhere(permission: Permission): boolean {
    const r = this.highest();
    return !!r && can(r, permission);
  }

  /**
   * The commons on which the caller holds the permission, for a list to ask
   * the store for only those (so a limit counts what the caller sees); null:
   * every commons (the global role holds it).
   */
  visibleCommons(permission: Permission): string[] | null {
    if (this.canGlobally(permission)) return null;
    return [...new Set(this.grants.filter((g) => can(g.role, permission)).flatMap((g) => g.commons))].sort();
  }

  /** Whether a list item about this commons (null: about none, fleet-wide) is shown to the caller. */
  sees(permission: Permission, commonsId: string | null | undefined): boolean {
    return commonsId ? this.can(permission, commonsId) : this.canGlobally(permission);
  }
}

export class AccessResolver {
  constructor(
    private readonly grants: Pick<TeamGrantsStore, 'forTeams'>,
    private readonly groups: Pick<GroupDirectory, 'commonsIn'>,
  ) {}

  async of(principal: Principal): Promise<Access> {
    const teams = principal.kind === 'grafana' ? (principal.teams ?? []) : [];
    if (teams.length === 0) return new Access(principal, []);
    const rows = await this.grants.forTeams([...new Set(teams.flatMap((t) => [t.name, String(t.id)]))]);
    const out: EffectiveGrant[] = [];
    for (const row of rows) {
      const role = RoleSchema.safeParse(row.role);
      // Only a grant naming one of the caller's teams counts (forTeams matched by key; this keeps the rule in one place).
      if (!role.success || !teams.some((t) => teamMatches(row.team, t))) continue;
      out.push({ team: row.team, group: row.group_name, role: role.data, commons: await this.commonsOf(row.group_name) });
    }
    return new Access(principal, out);
  }

  /** A grant on a deleted group covers nothing. */
  private async commonsOf(group: string): Promise<string[]> {
    try {
      return await this.groups.commonsIn(group);
    } catch (e) {
      if (e instanceof NotFound) return [];
      throw e;
    }
  }
}
