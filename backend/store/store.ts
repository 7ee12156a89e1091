// The store interface every caller uses. One implementation (Kysely over
// SQLite, store/sql-store.ts) ships now; PostgreSQL is another Kysely dialect
// behind this same interface.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  AgentsTable,
  ApiTokensTable,
  AuditTable,
  CommandEventsTable,
  CommandsTable,
  CommonsTable,
  ConfigRevisionsTable,
  EnrollmentTokensTable,
} from './schema';

export type CommonsRow = Selectable<CommonsTable>;
export type AgentRow = Selectable<AgentsTable>;
export type EnrollmentTokenRow = Selectable<EnrollmentTokensTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type CommandRow = Selectable<CommandsTable>;
export type CommandEventRow = Selectable<CommandEventsTable>;
export type AuditRow = Selectable<AuditTable>;
export type ConfigRevisionRow = Selectable<ConfigRevisionsTable>;
export type NewAudit = Insertable<AuditTable>;

export type ConsumeTokenResult =
  | { ok: true; agent: AgentRow }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface CommandFilter {
  commons?: string;
  state?: string;
  limit: number;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  commons?: string;
  since?: string;
  limit: number;
}

export class ConflictError extends Error {}

export interface Store {
  // commons
  upsertCommons(row: Insertable<CommonsTable>): Promise<CommonsRow>;
  updateCommons(id: string, patch: Updateable<CommonsTable>): Promise<void>;
  getCommons(id: string): Promise<CommonsRow | undefined>;
  listCommons(): Promise<CommonsRow[]>;

  // agents and enrollment
  createEnrollmentToken(row: Insertable<EnrollmentTokensTable>): Promise<void>;
  /** Atomically checks a token (single use, not expired), marks it used and creates the agent. */
  consumeEnrollmentToken(tokenHash: string, now: string, agent: Insertable<AgentsTable>): Promise<ConsumeTokenResult>;
  getAgent(id: string): Promise<AgentRow | undefined>;
  listAgents(): Promise<AgentRow[]>;
  updateAgent(id: string, patch: Updateable<AgentsTable>): Promise<void>;

  // API tokens
  /** Creates a token, or replaces the one with the same id (the seeded admin token). */
  putApiToken(row: Insertable<ApiTokensTable>): Promise<void>;
  findApiToken(tokenHash: string): Promise<ApiTokenRow | undefined>;

  // commands; the audit entry is written in the same transaction, before the command can take effect
  createCommand(
    command: Insertable<CommandsTable>,
    audit: NewAudit,
    configRevision?: Insertable<ConfigRevisionsTable>,
  ): Promise<CommandRow>;
  getCommand(id: string): Promise<CommandRow | undefined>;
  listCommands(filter: CommandFilter): Promise<CommandRow[]>;
  listOpenCommands(commonsId?: string): Promise<CommandRow[]>;
  /** Moves a command that is not final yet; returns undefined when it already was final. */
  updateOpenCommand(
    id: string,
    patch: Updateable<CommandsTable>,
    event?: Omit<Insertable<CommandEventsTable>, 'command_id'>,
    onlyFrom?: string[],
  ): Promise<CommandRow | undefined>;
  listCommandEvents(id: string): Promise<CommandEventRow[]>;

  // config revisions
  setConfigRevisionState(commonsId: string, revision: number, state: string): Promise<void>;
  listConfigRevisions(commonsId: string): Promise<ConfigRevisionRow[]>;

  // audit
  appendAudit(entry: NewAudit): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditRow[]>;

  close(): Promise<void>;
}
