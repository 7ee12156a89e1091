// The store interface every caller uses. One implementation (Kysely over
// SQLite, store/sql-store.ts) ships now; PostgreSQL is another Kysely dialect
// behind this same interface.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { CommandState, ConfigRevisionState, DeploymentPhase, GitOpsState } from '../../contracts/states';
import type {
  AgentsTable,
  ApiTokensTable,
  AuditTable,
  CommandEventsTable,
  CommandsTable,
  CommonsLiveTable,
  CommonsTable,
  ConfigRevisionsTable,
  Database,
  DeploymentsTable,
  EnrollmentTokensTable,
  ReleasesTable,
  RevisionsTable,
} from './schema';

export type CommonsRow = Selectable<CommonsTable>;
export type AgentRow = Selectable<AgentsTable>;
export type EnrollmentTokenRow = Selectable<EnrollmentTokensTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type CommandRow = Selectable<CommandsTable>;
export type CommandEventRow = Selectable<CommandEventsTable>;
export type AuditRow = Selectable<AuditTable>;
export type ConfigRevisionRow = Selectable<ConfigRevisionsTable>;
/** An audit entry to write; its place in the hash chain is the store's to give. */
export type NewAudit = Omit<Insertable<AuditTable>, 'seq' | 'prev_hash' | 'hash'>;
export type ReleaseRow = Selectable<ReleasesTable>;
export type RevisionRow = Selectable<RevisionsTable>;
export type DeploymentRow = Selectable<DeploymentsTable>;
export type CommonsLiveRow = Selectable<CommonsLiveTable>;

export interface NewDeployment {
  /** A commons declared by this deploy (no agent yet); created unless it exists. */
  commons?: Insertable<CommonsTable>;
  /** The revision number is allocated in the transaction (one more than the commons' highest). */
  revision: Omit<Insertable<RevisionsTable>, 'revision'>;
  deployment: Omit<Insertable<DeploymentsTable>, 'revision'>;
  audit: NewAudit;
  /** The base the diff was computed against; a different current base is a conflict. */
  expectBase: number | null;
  /**
   * Written in the same transaction, after the deployment (a rollout records
   * which deployment it made of a commons); a throw undoes the deployment.
   */
  link?: DeploymentLink;
}

export type DeploymentLink = (db: Kysely<Database>, made: { deploymentId: string; revision: number; baseRevision: number | null }) => Promise<void>;

export interface DeploymentFilter {
  commons?: string;
  /** Only these commons (a caller scoped by team grants); none given: every commons. */
  commonsIn?: readonly string[];
  limit: number;
}

export type ConsumeTokenResult =
  | { ok: true; agent: AgentRow }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface CommandFilter {
  commons?: string;
  /** Only these commons (a caller scoped by team grants); none given: every commons. */
  commonsIn?: readonly string[];
  states?: CommandState[];
  since?: string;
  limit: number;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  commons?: string;
  /** Only these commons (a caller scoped by team grants); none given: every commons. */
  commonsIn?: readonly string[];
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
  /** Forgets a commons (its command and audit history stay). */
  deleteCommons(id: string): Promise<void>;

  // agents and enrollment
  /** With `audit`, the audit entry is written in the same transaction (audit before effect, nothing half-done). */
  createEnrollmentToken(row: Insertable<EnrollmentTokensTable>, audit?: NewAudit): Promise<void>;
  /** Atomically checks a token (single use, not expired), marks it used and creates the agent. */
  /** Whether a token could be spent now, without spending it: no work is done for a request that holds none. */
  checkEnrollmentToken(tokenHash: string, now: string): Promise<{ ok: true } | { ok: false; reason: 'unknown' | 'used' | 'expired' }>;
  consumeEnrollmentToken(tokenHash: string, now: string, agent: Insertable<AgentsTable>): Promise<ConsumeTokenResult>;
  getAgent(id: string): Promise<AgentRow | undefined>;
  listAgents(): Promise<AgentRow[]>;
  updateAgent(id: string, patch: Updateable<AgentsTable>): Promise<void>;
  /** An agent's hello: its commons written and the agent bound to it, in one transaction. */
  agentHello(commons: Insertable<CommonsTable>, agentId: string, patch: Updateable<AgentsTable>): Promise<CommonsRow>;
  /** Writes many agents' last_seen at once (agent id → ISO time), one statement per 200 agents; how many agents. */
  touchAgents(seen: ReadonlyMap<string, string>): Promise<number>;
  /** Enrollment tokens used, or expired unused, before `before` are deleted; how many. */
  pruneEnrollmentTokens(before: string): Promise<number>;

  // API tokens
  /** Creates a token, or replaces the one with the same id (the seeded admin token). */
  putApiToken(row: Insertable<ApiTokensTable>, audit?: NewAudit): Promise<void>;
  findApiToken(tokenHash: string): Promise<ApiTokenRow | undefined>;
  getApiToken(id: string): Promise<ApiTokenRow | undefined>;
  listApiTokens(): Promise<ApiTokenRow[]>;
  /** Marks a token revoked; false when there is no such token or it already was. */
  revokeApiToken(id: string, audit?: NewAudit): Promise<boolean>;

  // commands; the audit entry is written in the same transaction, before the command can take effect
  createCommand(
    command: Insertable<CommandsTable>,
    audit: NewAudit,
    configRevision?: Insertable<ConfigRevisionsTable>,
  ): Promise<CommandRow>;
  getCommand(id: string): Promise<CommandRow | undefined>;
  /** The commons a held change (an approval) is on: its scope (backend/http/scope-check.ts). */
  getApprovalCommons(id: string): Promise<string | undefined>;
  listCommands(filter: CommandFilter): Promise<CommandRow[]>;
  listOpenCommands(commonsId?: string): Promise<CommandRow[]>;
  /**
   * How many commands in each of `states` last changed in [from, to] (ISO times), per commons, through the
   * (state, updated_at) index; commons with none are absent. `commonsIn`: only these (an empty list: none).
   */
  countCommandsByState(filter: { states: readonly CommandState[]; from: string; to: string; commonsIn?: readonly string[] }): Promise<{ commons: string; state: CommandState; count: number }[]>;
  /** The open commands whose deadline is at or before `now` (ISO time), through the (state, deadline) index. */
  listDueCommands(now: string): Promise<CommandRow[]>;
  /**
   * Deletes up to `limit` finished commands last changed before `before`, with their events, in one transaction
   * (in no particular order: all of them go); a command a deployment, backup or config revision points at is kept.
   */
  pruneCommands(before: string, limit: number): Promise<{ commands: number; events: number }>;
  /**
   * Moves a command that is not final yet to `to` (only from one of `onlyFrom`, when given), with its event;
   * undefined when it already was final or in none of them. IllegalTransition (contracts/states.ts) for a move the table does not allow.
   */
  moveCommand(
    id: string,
    to: CommandState,
    patch: Omit<Updateable<CommandsTable>, 'state'>,
    event?: Omit<Insertable<CommandEventsTable>, 'command_id' | 'state'>,
    onlyFrom?: readonly CommandState[],
  ): Promise<CommandRow | undefined>;
  listCommandEvents(id: string): Promise<CommandEventRow[]>;

  // config revisions
  /** Moves a config revision on (IllegalTransition for a move the table does not allow); nothing when there is no such revision. */
  moveConfigRevision(commonsId: string, revision: number, to: ConfigRevisionState): Promise<void>;
  listConfigRevisions(commonsId: string): Promise<ConfigRevisionRow[]>;
  /** The first config revision an agent reports for a commons starts its history; once there is a history, this writes nothing (an agent cannot grow it). */
  recordObservedConfigRevision(row: Insertable<ConfigRevisionsTable>): Promise<void>;

  // deployments: releases imported, revisions of a commons' values, the deployments applying them
  /** Imports a release with its audit entry; ConflictError when the version exists. */
  importRelease(row: Insertable<ReleasesTable>, audit: NewAudit): Promise<ReleaseRow>;
  listReleases(): Promise<ReleaseRow[]>;
  /**
   * Writes a revision, its deployment and the audit entry in one transaction, before anything takes effect.
   * ConflictError when the commons has a deployment still open or its current base is not `expectBase`.
   */
  createDeployment(d: NewDeployment): Promise<{ revision: RevisionRow; deployment: DeploymentRow }>;
  getDeployment(id: string): Promise<DeploymentRow | undefined>;
  getDeploymentByCommand(commandId: string): Promise<DeploymentRow | undefined>;
  listDeployments(filter: DeploymentFilter): Promise<DeploymentRow[]>;
  listDeploymentsInPhase(phase: DeploymentPhase): Promise<DeploymentRow[]>;
  /**
   * Changes a deployment that is in `fromPhase`, moving its phase and GitOps state as `move` says;
   * undefined when it was not in that phase. IllegalTransition for a move the tables do not allow.
   */
  moveDeployment(
    id: string,
    fromPhase: DeploymentPhase,
    move: { phase?: DeploymentPhase; gitops?: GitOpsState },
    patch: Omit<Updateable<DeploymentsTable>, 'phase' | 'gitops_state'>,
  ): Promise<DeploymentRow | undefined>;
  listRevisions(commonsId: string): Promise<RevisionRow[]>;
  getRevision(commonsId: string, revision: number): Promise<RevisionRow | undefined>;
  /** The newest revision that was not refused before taking effect (its deployment did not fail at GitOps). */
  currentRevision(commonsId: string): Promise<RevisionRow | undefined>;

  // live state shared between replicas (backend/cluster/live-sync.ts)
  /**
   * Writes a commons' live state as `replica_id` sees it. A replica with the agent connected
   * takes the row over; one without it writes only over its own row (a late disconnect does not
   * hide the replica the agent moved to).
   */
  putCommonsLive(row: CommonsLiveRow): Promise<void>;
  /** The rows of these commons (all when `ids` is undefined). */
  listCommonsLive(ids?: string[]): Promise<CommonsLiveRow[]>;

  // audit
  appendAudit(entry: NewAudit): Promise<void>;

  /** Whether a write could be made now (not locked, read-only or out of disk), without making one. */
  writable(): Promise<{ ok: true } | { ok: false; reason: string }>;
  listAudit(filter: AuditFilter): Promise<AuditRow[]>;

  close(): Promise<void>;
}
