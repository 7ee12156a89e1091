// Rows as SQLite returns them, checked against the schema's enumerated
// columns: a state or kind the code does not know (a row an older or newer
// version wrote, or an edit by hand) is a clear error naming the row and
// column, not a string passed on as if it were one of the union.
import type { Selectable } from 'kysely';
import { CommandKind } from '../../contracts/commands';
import { ROLES } from '../../contracts/roles';
import { COMMAND, CONFIG_REVISION, DEPLOYMENT_PHASE, GITOPS } from '../../contracts/states';
import { ACTOR_KINDS, APPLIERS, AUDIT_OUTCOMES, type AuditTable, BASE_SOURCES, type CommandEventsTable, type CommandsTable, type ConfigRevisionsTable, type DeploymentsTable, PRINCIPAL_KINDS, REVISION_KINDS, type RevisionsTable } from './schema';

export class StoreRowError extends Error {
  constructor(
    readonly table: string,
    readonly row: string,
    readonly column: string,
    readonly value: unknown,
    allowed: readonly string[],
  ) {
    super(`${table} row ${row} has ${column} ${JSON.stringify(value)}, which is none of ${allowed.join(', ')}; the store was written by another version of DCOC or by hand`);
    this.name = 'StoreRowError';
  }
}

type Allowed<T> = { [K in keyof T]?: readonly string[] };

function checker<T>(table: string, key: (row: T) => string, allowed: Allowed<T>) {
  const columns = Object.entries(allowed) as [keyof T & string, readonly string[]][];
  return <R extends T | undefined>(row: R): R => {
    if (row === undefined) return row;
    for (const [column, values] of columns) {
      const value: unknown = (row as T)[column];
      if (typeof value !== 'string' || !values.includes(value)) throw new StoreRowError(table, key(row as T), column, value, values);
    }
    return row;
  };
}

export const checkCommand = checker<Selectable<CommandsTable>>('commands', (r) => r.id, { kind: CommandKind.options, state: COMMAND.states });
export const checkCommandEvent = checker<Selectable<CommandEventsTable>>('command_events', (r) => `${r.id} of command ${r.command_id}`, { state: COMMAND.states });
export const checkConfigRevision = checker<Selectable<ConfigRevisionsTable>>('config_revisions', (r) => `${r.commons_id}/${r.revision}`, { state: CONFIG_REVISION.states });
export const checkDeployment = checker<Selectable<DeploymentsTable>>('deployments', (r) => r.id, {
  kind: REVISION_KINDS,
  phase: DEPLOYMENT_PHASE.states,
  gitops_state: GITOPS.states,
  applied_by: APPLIERS,
  actor_kind: PRINCIPAL_KINDS,
  role: ROLES,
});
// role is null for unauthenticated and system actors, so it is not among the checked columns.
export const checkAudit = checker<Selectable<AuditTable>>('audit', (r) => String(r.id), { actor_kind: ACTOR_KINDS, outcome: AUDIT_OUTCOMES });
export const checkRevision = checker<Selectable<RevisionsTable>>('revisions', (r) => `${r.commons_id}/${r.revision}`, { kind: REVISION_KINDS, base_source: BASE_SOURCES });

/** Each row of a list, checked. */
export const each =
  <T>(check: (row: T) => T) =>
  (rows: T[]): T[] =>
    rows.map(check);
