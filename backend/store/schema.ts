// Table shapes shared by the migrations and the queries. Timestamps are
// ISO-8601 UTC strings and JSON is text, so the same SQL runs on SQLite and
// PostgreSQL.
import type { Generated } from 'kysely';
import type { AuditEntry } from '../../contracts/api';
import type { CommandKind } from '../../contracts/commands';
import type { Role } from '../../contracts/roles';
import type { CommandState, ConfigRevisionState, DeploymentPhase, GitOpsState } from '../../contracts/states';

/** The other enumerated columns: their values, checked when a row is read (store/rows.ts). */
export const REVISION_KINDS = ['deploy', 'rollback'] as const;
export type RevisionKind = (typeof REVISION_KINDS)[number];
export const BASE_SOURCES = ['revision', 'observed', 'none'] as const;
export type BaseSource = (typeof BASE_SOURCES)[number];
export const APPLIERS = ['agent', 'argocd'] as const;
export type Applier = (typeof APPLIERS)[number];
// Keys of a record over the union, so a value added to the union and not here fails to compile.
export const AUDIT_OUTCOMES = Object.keys({ accepted: 1, denied: 1, succeeded: 1, failed: 1, rejected: 1 } satisfies Record<AuditEntry['outcome'], 1>);
export const ACTOR_KINDS = Object.keys({ token: 1, grafana: 1, anonymous: 1, system: 1 } satisfies Record<AuditEntry['actorKind'], 1>);
export const PRINCIPAL_KINDS = ['token', 'grafana'] as const satisfies readonly AuditEntry['actorKind'][];

export interface CommonsTable {
  id: string;
  name: string;
  hostname: string;
  environment: string;
  namespace: string;
  agent_id: string | null;
  release: string;
  config_revision: number;
  config_json: string;
  created_at: string;
  updated_at: string;
}

export interface AgentsTable {
  id: string;
  commons_id: string | null;
  hostname: string;
  version: string;
  cert_serial: string;
  /** The certificate renewed from, accepted until cert_serial is first presented (then null). */
  prev_cert_serial: string | null;
  cert_not_after: string;
  revoked: number;
  enrolled_at: string;
  last_seen: string | null;
  enrollment_token_id: string;
}

export interface EnrollmentTokensTable {
  id: string;
  token_hash: string;
  description: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  role: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked: number;
}

export interface CommandsTable {
  id: string;
  kind: CommandKind;
  commons_id: string;
  service: string | null;
  target_json: string;
  state: CommandState;
  message: string;
  percent: number;
  actor: string;
  created_at: string;
  updated_at: string;
  deadline: string;
  attempts: number;
  result_json: string | null;
}

export interface CommandEventsTable {
  id: Generated<number>;
  command_id: string;
  at: string;
  state: CommandState;
  message: string;
  percent: number;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  actor: string;
  actor_kind: AuditEntry['actorKind'];
  role: Role | null;
  action: string;
  commons_id: string | null;
  service: string | null;
  detail_json: string;
  outcome: AuditEntry['outcome'];
  command_id: string | null;
  /** Position in the hash chain (backend/audit/chain.ts); null only for a row written around the chain. */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface ConfigRevisionsTable {
  commons_id: string;
  revision: number;
  data_json: string;
  author: string;
  created_at: string;
  command_id: string | null;
  state: ConfigRevisionState;
}

/** Releases imported by operators (the built-in catalog is data files, not rows). */
export interface ReleasesTable {
  version: string;
  name: string | null;
  images_json: string;
  format: string;
  imported_by: string;
  imported_at: string;
}

/** Numbered revisions of a commons' gen3-helm values (deploys and rollbacks). */
export interface RevisionsTable {
  commons_id: string;
  revision: number;
  values_json: string;
  release: string;
  template: string;
  profile: string;
  overrides_json: string;
  kind: RevisionKind;
  rollback_of: number | null;
  base_revision: number | null;
  base_source: BaseSource;
  diff_json: string;
  diff_text: string;
  author: string;
  reason: string;
  created_at: string;
  deployment_id: string;
}

/** Applying one revision: GitOps commit, then the deploy command (its id is fixed up front). */
export interface DeploymentsTable {
  id: string;
  commons_id: string;
  revision: number;
  kind: RevisionKind;
  /** contracts/states.ts DEPLOYMENT_PHASE */
  phase: DeploymentPhase;
  message: string;
  command_id: string;
  gitops_state: GitOpsState;
  gitops_path: string | null;
  gitops_commit: string | null;
  /** agent | argocd: who changes the cluster (under ArgoCD the agent only follows the rollout). */
  applied_by: Applier;
  /** JSON list of services to restart after the rollout (a config change's readers). */
  restart_after_json: string;
  plan_services_json: string;
  actor: string;
  /** Who asked for the deployment: a principal (http/auth), never the system. */
  actor_kind: (typeof PRINCIPAL_KINDS)[number];
  role: Role;
  author_name: string;
  author_email: string;
  reason: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  commons: CommonsTable;
  agents: AgentsTable;
  enrollment_tokens: EnrollmentTokensTable;
  api_tokens: ApiTokensTable;
  commands: CommandsTable;
  command_events: CommandEventsTable;
  audit: AuditTable;
  config_revisions: ConfigRevisionsTable;
  releases: ReleasesTable;
  revisions: RevisionsTable;
  deployments: DeploymentsTable;
  commons_live: CommonsLiveTable;
  commons_labels: CommonsLabelsTable;
  groups: GroupsTable;
  policies: PoliciesTable;
  approvals: ApprovalsTable;
  windows: WindowsTable;
  window_runs: WindowRunsTable;
  rollouts: RolloutsTable;
  rollout_targets: RolloutTargetsTable;
  audit_chain: AuditChainTable;
  team_grants: TeamGrantsTable;
  backups: BackupsTable;
  backup_schedules: BackupSchedulesTable;
}

/** A commons' live state, written by the replica holding its agent. */
export interface CommonsLiveTable {
  commons_id: string;
  replica_id: string;
  connected: number;
  live_json: string;
  updated_at: string;
}

/** The labels an operator set on a commons (the automatic ones are not stored). */
export interface CommonsLabelsTable {
  commons_id: string;
  key: string;
  value: string;
}

/** A saved group: a label selector with a name. */
export interface GroupsTable {
  name: string;
  description: string;
  selector_json: string;
  updated_by: string;
  updated_at: string;
}
/** A policy: rules for the commons of one group (rules_json: contracts/policies.ts PolicyRules). */
export interface PoliciesTable {
  name: string;
  group_name: string;
  description: string;
  rules_json: string;
  updated_by: string;
  updated_at: string;
}

/** A change held for approval, its decision and what the approved change started. */
export interface ApprovalsTable {
  id: string;
  kind: string;
  commons_id: string;
  /** contracts/policies.ts ApprovalState. */
  state: string;
  requester: string;
  requester_kind: string;
  requester_role: string;
  /** Who minted the requester's API token: they may not approve it either. */
  requester_owner: string | null;
  reason: string;
  summary: string;
  release: string | null;
  request_json: string;
  policies_json: string;
  approver_role: string;
  created_at: string;
  expires_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  /** Set once when the approved change is executed: it runs at most once. */
  consumed_at: string | null;
  result_json: string | null;
  error: string | null;
}

/** A maintenance or deny window: its spec (contracts/windows.ts WindowSpec) and its author, whose role its scheduled changes act with. */
export interface WindowsTable {
  id: string;
  name: string;
  kind: string;
  spec_json: string;
  created_by: string;
  /** The author as a principal (actor, kind, role): scheduled changes are asked in their name. */
  author_json: string;
  updated_by: string;
  updated_at: string;
  /** Set when deleted: the row stays for its runs' history. */
  deleted_at: string | null;
}

/** One occurrence of a maintenance window as run: the (window_id, starts_at) key lets only one replica start it, once. */
export interface WindowRunsTable {
  window_id: string;
  starts_at: string;
  ends_at: string;
  state: string;
  started_at: string;
  ended_at: string | null;
  late: number;
  commons_json: string;
  silence_ids_json: string;
  /** The commons whose maintenance mode this run switched on (switched off again at its end). */
  maintenance_json: string;
  results_json: string;
}

/** A progressive rollout (backend/rollouts): its state, target, change and wave settings. */
export interface RolloutsTable {
  id: string;
  state: string;
  message: string;
  target_json: string;
  change_json: string;
  max_in_flight: number;
  soak_seconds: number;
  reason: string;
  actor: string;
  actor_kind: string;
  role: string | null;
  failure_json: string | null;
  created_at: string;
  updated_at: string;
}

/** One commons of a rollout: its wave, state and the deployments the rollout made of it. */
export interface RolloutTargetsTable {
  rollout_id: string;
  commons_id: string;
  wave: number;
  position: number;
  state: string;
  message: string;
  deployment_id: string | null;
  from_revision: number | null;
  to_revision: number | null;
  rollback_deployment_id: string | null;
  soak_since: string | null;
  attempts: Generated<number>;
  updated_at: string;
}

/** One row (id 1): where the kept audit chain starts, after the entries retention pruned. */
export interface AuditChainTable {
  id: number;
  /** The seq and hash of the last pruned entry (0 and the genesis hash when none was). */
  start_seq: number;
  start_hash: string;
  pruned: number;
  updated_at: string;
}

/** A DCOC role a Grafana team holds on the commons of a saved group. */
export interface TeamGrantsTable {
  team: string;
  group_name: string;
  role: string;
  updated_by: string;
  updated_at: string;
}

/** A Gen3 database backup of a commons: its command holds its state and result. */
export interface BackupsTable {
  id: string;
  commons_id: string;
  command_id: string;
  trigger: string;
  requested_by: string;
  databases_json: string;
  created_at: string;
  /** The schedule occurrence (ISO time) a scheduled backup is for; null on demand. Unique per commons. */
  occurrence: string | null;
  /** Why a scheduled backup was not started (refused by the change gate, held for approval); null otherwise. */
  note: string | null;
}

/** A commons' backup schedule: a cron expression in an IANA time zone. */
export interface BackupSchedulesTable {
  commons_id: string;
  cron: string;
  time_zone: string;
  databases_json: string | null;
  /** The principal scheduled backups are asked by. */
  author_json: string;
  updated_at: string;
}
