// The control service's HTTP API contract: request and response schemas in
// zod (unknown request fields refused), each type inferred from its schema.
// The control service, the app plugin, the frontend and the tests import
// these; nothing else defines them.
import { z } from 'zod';
import { CommandKind } from './commands';
import { PERMISSIONS, type Permission, Role } from './roles';
import { COMMAND, DEPLOYMENT_STATES, GITOPS } from './states';

export const ServiceStatus = z.enum(['healthy', 'degraded', 'down', 'unknown']);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

// Command kinds and the state machines are defined once, in commands.ts and states.ts.
export { CommandKind } from './commands';
export const COMMAND_KINDS = CommandKind.options;

export const COMMAND_STATES = COMMAND.states;
export const CommandState = z.enum(COMMAND_STATES);
export type CommandState = z.infer<typeof CommandState>;
export const FINAL_STATES = COMMAND.final;
export const isFinal = COMMAND.isFinal;

/** A commons id and a service name as they appear in URLs. */
export const CommonsId = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label');
export const ServiceName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label');

// ---------------------------------------------------------------- requests

// Replicas must be a JSON integer: "3" and 3.5 are refused, not coerced.
/** Why, and an approval granted for exactly this change: optional on every change request (a policy may require the reason). */
const Reason = z.string().trim().min(1, 'say why').max(2000);
/** An admin's override of a deny window (a change freeze), with why: audited (backend/windows/deny-check.ts). */
const Override = z.strictObject({ reason: z.string().trim().min(1, 'say why the freeze is overridden').max(2000) });
const ChangeFields = { reason: Reason.optional(), approvalId: z.uuid().optional(), override: Override.optional() };

export const ScaleRequest = z.strictObject({
  replicas: z.number().int().min(0).max(100),
  ...ChangeFields,
});

/** PUT /api/v1/commons/{id}/config: the whole new `manifest-global` data, the revision it was made against, and why. */
export const ConfigRequest = z.strictObject({
  data: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,253}$/, 'ConfigMap keys are [A-Za-z0-9_.-]'), z.string().max(256 * 1024)),
  baseRevision: z.number().int().min(0),
  reason: z.string().trim().min(1, 'say why').max(2000),
  approvalId: ChangeFields.approvalId,
  override: ChangeFields.override,
});

export const RestartRequest = z.strictObject({ ...ChangeFields }).optional();

/** Runs a Job from one of the commons' CronJob templates (usersync, a DB backup, ...). */
export const RunJobRequest = z.strictObject({ ...ChangeFields }).optional();
export const CronJobName = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,50}[a-z0-9])?$/, 'must be a CronJob name');

export const EnrollmentTokenRequest = z.strictObject({
  description: z.string().max(200).optional(),
  ttlSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(3600),
});

/** A token minted without a TTL lives 90 days: no automation credential lives forever. */
export const DEFAULT_API_TOKEN_TTL_S = 90 * 24 * 3600;

export const ApiTokenRequest = z.strictObject({
  name: z.string().min(1).max(100),
  role: Role,
  ttlSeconds: z.number().int().min(60).max(366 * 24 * 3600).default(DEFAULT_API_TOKEN_TTL_S),
});

export const ApiTokenId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an API token id');

// Path parameters and the events query, as every route parses them (and the OpenAPI document describes them).
export const UuidPath = z.object({ id: z.uuid() });
export const CommonsPath = z.object({ id: CommonsId });
export const ServicePath = z.object({ id: CommonsId, service: ServiceName });
export const JobPath = z.object({ id: CommonsId, cronjob: CronJobName });
export const TokenPath = z.object({ id: ApiTokenId });
export const EventsQuery = z.strictObject({ commons: CommonsId.optional() });

export const CommandListQuery = z.strictObject({
  commons: CommonsId.optional(),
  /** One state, or several comma-separated (failed,expired). */
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(CommandState).min(1))
    .optional(),
  /** Only commands updated at or after this time. */
  since: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AuditListQuery = z.strictObject({
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  commons: CommonsId.optional(),
  since: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

// ---------------------------------------------------------------- deployments (requests)

export const ReleaseVersion = z.string().regex(/^\d{4}\.(0[1-9]|1[0-2])$/, 'must be a Gen3 release YYYY.MM, e.g. 2026.07');
/** A lower-case DNS name: dot-separated labels of letters, digits and inner hyphens. */
export const ReleasePath = z.object({ version: ReleaseVersion });
export const RevisionPath = z.object({ id: CommonsId, n: z.coerce.number().int().min(1) });

export const DnsName = z
  .string()
  .max(253, 'must be a DNS name of at most 253 characters')
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a DNS name (lower case, e.g. data.example.org)');
export const EnvironmentName = z.string().regex(/^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/, 'must be a Gen3 environment name (lower case letters, digits, - and _)');
export const BlueprintName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a template or profile name');

export const NewCommonsSpec = z.strictObject({
  hostname: DnsName,
  environment: EnvironmentName,
  name: z.string().min(1).max(200).optional(),
  namespace: CommonsId.optional(),
});

/**
 * POST /api/v1/deployments. `plan` renders and diffs and changes nothing;
 * `apply` records a revision and rolls it out. For a commons with a revision,
 * template, profile and overrides default to that revision's.
 */
export const DeploymentRequest = z
  .strictObject({
    commons: CommonsId.optional(),
    newCommons: NewCommonsSpec.optional(),
    template: BlueprintName.optional(),
    profile: BlueprintName.optional(),
    release: ReleaseVersion,
    /** A gen3-helm values fragment merged over the rendered values (maps merge, null deletes). */
    overrides: z.record(z.string(), z.unknown()).optional(),
    reason: z.string().trim().min(1, 'say why').max(2000).optional(),
    mode: z.enum(['plan', 'apply']),
    approvalId: ChangeFields.approvalId,
    override: ChangeFields.override,
    /** The revision the plan was diffed against (null: none); apply refuses with 409 if the commons moved on. */
    baseRevision: z.number().int().min(1).nullable().optional(),
  })
  .superRefine((b, ctx) => {
    if (!!b.commons === !!b.newCommons) ctx.addIssue({ code: 'custom', path: ['commons'], message: 'give exactly one of commons (an existing commons id) or newCommons' });
    if (b.mode === 'apply' && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'apply needs a reason (it goes in the revision, the audit log and the GitOps commit)' });
  });
export type DeploymentRequest = z.infer<typeof DeploymentRequest>;

export const RollbackRequest = z.strictObject({
  toRevision: z.number().int().min(1),
  reason: z.string().trim().min(1, 'say why').max(2000),
  approvalId: ChangeFields.approvalId,
  override: ChangeFields.override,
  baseRevision: z.number().int().min(1).nullable().optional(),
});

export const ReleaseImportRequest = z.strictObject({
  version: ReleaseVersion,
  name: z.string().min(1).max(100).optional(),
  /** manifest: a cdis-manifest manifest.json; helm-values: a gen3-helm values.yaml. */
  format: z.enum(['manifest', 'helm-values']),
  content: z.string().min(1).max(512 * 1024),
});

export const DeploymentListQuery = z.strictObject({
  commons: CommonsId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

// ---------------------------------------------------------------- responses

/** Times are ISO 8601 strings as the control service writes them. */
const IsoTime = z.string();
const JsonObject = z.record(z.string(), z.unknown());

/** `{ items: [...] }`, the control service's list envelope. */
export function itemsOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

export const ApiTokenState = z.enum(['active', 'expired', 'revoked']);

/** An API token as listed: never its secret or hash. */
export const ApiTokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  createdBy: z.string(),
  createdAt: IsoTime,
  /** null only for the token seeded from DCOC_ADMIN_TOKEN, which lives as long as that setting. */
  expiresAt: IsoTime.nullable(),
  state: ApiTokenState,
});
export type ApiTokenInfo = z.infer<typeof ApiTokenInfo>;
export const ApiTokenList = itemsOf(ApiTokenInfo);

/** POST /tokens: the token itself, shown this once. */
export const ApiTokenMinted = z.object({ id: z.string(), name: z.string(), role: Role, expiresAt: IsoTime, token: z.string() });
export type ApiTokenMinted = z.infer<typeof ApiTokenMinted>;

export const HealthView = z.object({
  url: z.string(),
  httpStatus: z.number(),
  latencyMs: z.number(),
  checkedAt: IsoTime.nullable(),
  ok: z.boolean(),
  detail: z.string(),
});
export type HealthView = z.infer<typeof HealthView>;

export const ServiceView = z.object({
  name: z.string(),
  status: ServiceStatus,
  deployment: z.string(),
  desiredReplicas: z.number(),
  readyReplicas: z.number(),
  updatedReplicas: z.number(),
  image: z.string(),
  /** The image's tag as written (2026.07, master, 1.2.1, ...), or its digest when pinned by one; latest when it has neither. */
  version: z.string(),
  reason: z.string(),
  restartedAt: IsoTime.nullable(),
  restartCount: z.number(),
  rollout: z.string().nullable(),
  health: HealthView.nullable(),
  /** `argocd:<application>` when an ArgoCD Application tracks the service's Deployment: changes go through GitOps. */
  gitopsOwner: z.string().nullable(),
});
export type ServiceView = z.infer<typeof ServiceView>;

export const AgentRef = z.object({
  id: z.string().nullable(),
  connected: z.boolean(),
  lastSeen: IsoTime.nullable(),
  version: z.string().nullable(),
  /** How the agent applies deploys, from its capabilities: helm-upgrade, helm-template, images, simulated; null when not known. */
  deployMethod: z.string().nullable(),
});
export type AgentRef = z.infer<typeof AgentRef>;

const commonsBase = {
  id: z.string(),
  name: z.string(),
  hostname: z.string(),
  environment: z.string(),
  namespace: z.string(),
  status: ServiceStatus,
  /**
   * The release the commons runs, as its agent reads it from the Gen3
   * services' images (agent/core/release-of.ts): `2026.07` when they all run
   * it; `2026.07 (2 of 17 services on other versions)` when most do;
   * `mixed (2026.07 on 5 of 17 services)` or `mixed` when no release has most
   * of them; a tag such as `master` when they all run that; '' when unknown.
   */
  version: z.string(),
  agent: AgentRef,
};

export const CommonsSummary = z.object({
  ...commonsBase,
  services: z.object({ total: z.number(), healthy: z.number(), down: z.number() }),
  config: z.object({ revision: z.number() }),
  /** Its labels, the automatic ones included (GET /commons; events carry none). */
  labels: z.record(z.string(), z.string()).optional(),
});
export type CommonsSummary = z.infer<typeof CommonsSummary>;
export const CommonsList = itemsOf(CommonsSummary);

/**
 * GET /fleet/summary: what the fleet-wide queries need of every commons in
 * one answer (the data source's health and services queries; a fleet of
 * 10,000 is one request, not one per commons).
 */
export const FleetSummaryQuery = z
  .strictObject({
    /** Only this commons. */
    commons: CommonsId.optional(),
    /** Each commons' services as rows (`services[]` of GET /commons/{id}); `service` keeps only that one. */
    services: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    service: ServiceName.optional(),
    /** The range failed and expired commands are counted in (by when they last changed); default: the 24 hours up to now. */
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  });
export type FleetSummaryQuery = z.infer<typeof FleetSummaryQuery>;

export const FleetSummaryItem = z.object({
  id: z.string(),
  name: z.string(),
  environment: z.string(),
  status: ServiceStatus,
  agent: z.object({ connected: z.boolean(), lastSeen: IsoTime.nullable() }),
  services: z.object({
    total: z.number(),
    healthy: z.number(),
    down: z.number(),
    /** The names of the services whose status is down, sorted. */
    downNames: z.array(z.string()),
  }),
  /**
   * Commands for the commons that failed or expired in the range, counted by
   * the store; null where the caller may not read the commons' command
   * history (events:read).
   */
  commands: z.object({ failed: z.number(), expired: z.number() }).nullable(),
  /** With `services=true`: the services, sorted by name (only `service` when given). */
  serviceRows: z.array(ServiceView).optional(),
});
export type FleetSummaryItem = z.infer<typeof FleetSummaryItem>;
export const FleetSummary = z.object({
  /** When the control service answered. */
  at: IsoTime,
  /** The range the command counts cover. */
  from: IsoTime,
  to: IsoTime,
  items: z.array(FleetSummaryItem),
});
export type FleetSummary = z.infer<typeof FleetSummary>;

/** One commons; config data is {} for callers without details:read. */
export const CommonsDetail = z.object({
  ...commonsBase,
  services: z.array(ServiceView),
  config: z.object({ revision: z.number(), data: z.record(z.string(), z.string()) }),
});
export type CommonsDetail = z.infer<typeof CommonsDetail>;

export const ConfigRevisionView = z.object({
  revision: z.number(),
  author: z.string(),
  createdAt: IsoTime,
  state: z.string(),
  commandId: z.string().nullable(),
  data: z.record(z.string(), z.string()),
});
export type ConfigRevisionView = z.infer<typeof ConfigRevisionView>;
export const ConfigRevisionList = itemsOf(ConfigRevisionView);

export const JobResult = z.enum(['running', 'succeeded', 'failed']);
export type JobResult = z.infer<typeof JobResult>;

/** At most this many Jobs of a CronJob are reported and shown (CronJobState.recent_runs in contracts/agent.proto). */
export const JOB_RUNS_MAX = 5;

/** One Job a CronJob owns: started by its schedule, or by hand (`manual`). */
export const JobRunView = z.object({
  name: z.string(),
  result: JobResult,
  startedAt: IsoTime.nullable(),
  finishedAt: IsoTime.nullable(),
  /** Why it failed, or ''. */
  reason: z.string(),
  manual: z.boolean(),
  /** From start to finish (or to now while it runs), or null when the start is not known. */
  durationSeconds: z.number().min(0).nullable(),
});
export type JobRunView = z.infer<typeof JobRunView>;

export const CronJobView = z.object({
  name: z.string(),
  schedule: z.string(),
  suspended: z.boolean(),
  lastScheduleTime: IsoTime.nullable(),
  lastSuccessfulTime: IsoTime.nullable(),
  lastRun: JobRunView.nullable(),
  /** The Jobs it owns, newest first, at most 5 (lastRun first). */
  recentRuns: z.array(JobRunView).max(JOB_RUNS_MAX),
});
export type CronJobView = z.infer<typeof CronJobView>;

/** GET /api/v1/commons/{id}/jobs: the CronJobs the commons' agent last reported. */
export const CommonsJobs = z.object({
  items: z.array(CronJobView),
  /** False until the agent has reported CronJobs (an older agent, or one whose Role may not list them, never does). */
  reported: z.boolean(),
  /** When the agent last reported them. */
  reportedAt: IsoTime.nullable(),
});
export type CommonsJobs = z.infer<typeof CommonsJobs>;

// ---------------------------------------------------------------- inside a commons: logs, Kubernetes events, resources, external checks

/** A pod or Job name as Kubernetes allows it (DNS subdomain, at most 253; pods of Deployments are far shorter). */
export const PodName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be a pod name');
export const JobName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, 'must be a Job name');
export const JobLogsPath = z.object({ id: CommonsId, job: JobName });

/** At most this many lines in one answer (per request, all pods together). */
export const LOG_LINES_MAX = 5000;
/** At most this many bytes of log text in one answer. */
export const LOG_BYTES_MAX = 4 * 1024 * 1024;
/** A follow stream carries at most this many lines per second; more are dropped and the stream says so. */
export const LOG_FOLLOW_LINES_PER_S = 500;

const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** GET …/logs: the last `tail` lines of each pod (or those since `since`), optionally before `until`, containing `filter`. */
export const LogsQuery = z.strictObject({
  pod: PodName.optional(),
  /** The previous container's logs (a crash-looping pod). */
  previous: QueryBool.optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  tail: z.coerce.number().int().min(1).max(LOG_LINES_MAX).default(200),
  filter: z.string().max(200).optional(),
});
export type LogsQuery = z.infer<typeof LogsQuery>;

/** GET …/logs/stream: follow (Server-Sent Events), starting with the last `tail` lines of each pod. */
export const LogsFollowQuery = z.strictObject({
  pod: PodName.optional(),
  tail: z.coerce.number().int().min(0).max(1000).default(50),
  filter: z.string().max(200).optional(),
});
export type LogsFollowQuery = z.infer<typeof LogsFollowQuery>;

export const LogLineView = z.object({
  /** When the line was written, or null when the runtime gave no timestamp. */
  time: IsoTime.nullable(),
  pod: z.string(),
  container: z.string(),
  line: z.string(),
});
export type LogLineView = z.infer<typeof LogLineView>;

export const LogsView = z.object({
  items: z.array(LogLineView),
  /** The pods read. */
  pods: z.array(z.string()),
  /** Lines were left out: a bound (LOG_LINES_MAX, LOG_BYTES_MAX) was reached. */
  truncated: z.boolean(),
});
export type LogsView = z.infer<typeof LogsView>;

/** One server-sent event of a log follow stream (event `logs`). */
export const LogsStreamEvent = z.object({
  lines: z.array(LogLineView),
  pods: z.array(z.string()).optional(),
  /** Lines were dropped to keep the stream within LOG_FOLLOW_LINES_PER_S. */
  truncated: z.boolean().optional(),
});
export type LogsStreamEvent = z.infer<typeof LogsStreamEvent>;

export const KubeEventsQuery = z.strictObject({ service: ServiceName.optional() });

export const KubeEventView = z.object({
  type: z.enum(['Normal', 'Warning']),
  reason: z.string(),
  message: z.string(),
  objectKind: z.string(),
  objectName: z.string(),
  /** The Gen3 service the object belongs to, or null. */
  service: z.string().nullable(),
  count: z.number(),
  firstTime: IsoTime.nullable(),
  lastTime: IsoTime.nullable(),
  source: z.string(),
});
export type KubeEventView = z.infer<typeof KubeEventView>;

/** GET /api/v1/commons/{id}/kubernetes-events: warnings first, then newest first. */
export const KubeEventList = itemsOf(KubeEventView);
export type KubeEventList = z.infer<typeof KubeEventList>;

export const ServiceResourcesView = z.object({
  service: z.string(),
  pods: z.number(),
  cpuCores: z.number(),
  memoryBytes: z.number(),
  /** Summed over the pods' containers; null when a container has none set. */
  cpuRequestCores: z.number().nullable(),
  cpuLimitCores: z.number().nullable(),
  memoryRequestBytes: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
});
export type ServiceResourcesView = z.infer<typeof ServiceResourcesView>;

/** GET /api/v1/commons/{id}/resources: CPU and memory per service (metrics.k8s.io) against requests and limits. */
export const CommonsResources = z.object({
  /** False when the cluster has no metrics-server (or the agent's Role may not read metrics.k8s.io); detail says which. */
  available: z.boolean(),
  detail: z.string(),
  items: z.array(ServiceResourcesView),
});
export type CommonsResources = z.infer<typeof CommonsResources>;

export const ExternalCheckView = z.object({
  url: z.string(),
  ok: z.boolean(),
  httpStatus: z.number().nullable(),
  latencyMs: z.number().nullable(),
  checkedAt: IsoTime.nullable(),
  /** Why it failed (connection refused, certificate expired, HTTP 503, ...), or ''. */
  error: z.string(),
  /** The server certificate's notAfter, for https endpoints. */
  certificateNotAfter: IsoTime.nullable(),
  /** Whether the certificate chain verified against the trusted CAs. */
  certificateValid: z.boolean().nullable(),
});
export type ExternalCheckView = z.infer<typeof ExternalCheckView>;

/** GET /api/v1/commons/{id}/external-checks: the commons' public endpoints as the control service last probed them. */
export const ExternalCheckList = itemsOf(ExternalCheckView);
export type ExternalCheckList = z.infer<typeof ExternalCheckList>;

export const ProgressEntry = z.object({ at: IsoTime, state: CommandState, message: z.string(), percent: z.number() });
export type ProgressEntry = z.infer<typeof ProgressEntry>;

export const CommandView = z.object({
  id: z.string(),
  kind: CommandKind,
  commons: z.string(),
  service: z.string().nullable(),
  target: JsonObject,
  state: CommandState,
  message: z.string(),
  percent: z.number(),
  actor: z.string(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  deadline: IsoTime,
  attempts: z.number(),
  result: JsonObject.nullable(),
  progress: z.array(ProgressEntry),
});
export type CommandView = z.infer<typeof CommandView>;
export const CommandList = itemsOf(CommandView);

/** A command queued: follow it at /commands/{id}. */
export const CommandRef = z.object({ id: z.string(), state: CommandState, kind: CommandKind });
export const CommandAccepted = z.object({ command: CommandRef });
export type CommandAccepted = z.infer<typeof CommandAccepted>;

export const AgentView = z.object({
  id: z.string(),
  commons: z.string().nullable(),
  hostname: z.string().nullable(),
  connected: z.boolean(),
  lastSeen: IsoTime.nullable(),
  version: z.string().nullable(),
  certificateSerial: z.string(),
  certificateExpiresAt: IsoTime,
  revoked: z.boolean(),
  enrolledAt: IsoTime,
});
export type AgentView = z.infer<typeof AgentView>;
export const AgentList = itemsOf(AgentView);

/** POST /enrollment-tokens: the token itself, shown this once, and how to install an agent with it. */
export const EnrollmentTokenCreated = z.object({
  id: z.string(),
  token: z.string(),
  expiresAt: IsoTime,
  caCertificate: z.string(),
  /** A shell snippet that writes the CA and token to files and starts dcoc-agent with them (DCOC_AGENT_NAMESPACE, DCOC_AGENT_DATA_DIR). */
  installCommand: z.string(),
  /** The same for the agent Helm chart (deploy/helm/dcoc-agent). */
  helmCommand: z.string(),
});
export type EnrollmentTokenCreated = z.infer<typeof EnrollmentTokenCreated>;

export const ActorKind = z.enum(['token', 'grafana', 'anonymous', 'system']);
export type ActorKind = z.infer<typeof ActorKind>;
export const AUDIT_OUTCOMES = ['accepted', 'denied', 'succeeded', 'failed', 'rejected'] as const;
export const AuditOutcome = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const AuditEntry = z.object({
  id: z.number(),
  at: IsoTime,
  actor: z.string(),
  actorKind: ActorKind,
  role: Role.nullable(),
  action: z.string(),
  commons: z.string().nullable(),
  service: z.string().nullable(),
  detail: JsonObject,
  outcome: AuditOutcome,
  commandId: z.string().nullable(),
  /** How it ended: the command's state now for an accepted command (null once the command is gone), else the outcome. */
  result: z.enum([...new Set([...COMMAND_STATES, ...AUDIT_OUTCOMES])] as [CommandState | AuditOutcome, ...(CommandState | AuditOutcome)[]]).nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditList = itemsOf(AuditEntry);

/** GET /whoami on the control service: the caller as it authenticated them. */
export const PrincipalView = z.object({
  actor: z.string(),
  kind: z.enum(['token', 'grafana']),
  role: Role,
  name: z.string().optional(),
  email: z.string().optional(),
});
export type PrincipalView = z.infer<typeof PrincipalView>;

/** The OpenAPI document: described by itself, so any JSON object. */
export const OpenApiDocument = JsonObject;

// ---------------------------------------------------------------- deployments (responses)

export { DEPLOYMENT_STATES, isFinalDeployment } from './states';
export const DeploymentState = z.enum(DEPLOYMENT_STATES);
export type DeploymentState = z.infer<typeof DeploymentState>;

export const ServiceRolloutState = z.enum(['pending', 'rolling', 'done', 'failed']);
export type ServiceRolloutState = z.infer<typeof ServiceRolloutState>;
export const DeploymentKind = z.enum(['deploy', 'rollback']);

/** One service of a deploy, as the agent reports it while it rolls (and the control service plans it before). */
export const ServiceProgress = z.object({
  name: z.string(),
  /** Image before the deploy (null when not known yet). */
  from: z.string().nullable(),
  to: z.string(),
  state: ServiceRolloutState,
  updated: z.number(),
  ready: z.number(),
  desired: z.number(),
  message: z.string(),
});
export type ServiceProgress = z.infer<typeof ServiceProgress>;

export const ReleaseView = z.object({
  version: z.string(),
  name: z.string().nullable(),
  source: z.enum(['built-in', 'imported']),
  /** Chart → full image, for the charts DCOC deploys (a chart the release does not name is absent). */
  images: z.record(z.string(), z.string()),
  /**
   * The release's other entries, as written (fluentd, spark, tube, dashboard,
   * ...: cdis-manifest lists services DCOC does not model): imported and kept,
   * neither deployed nor probed.
   */
  unmanaged: z.record(z.string(), z.string()),
  importedBy: z.string().nullable(),
  importedAt: IsoTime.nullable(),
});
export type ReleaseView = z.infer<typeof ReleaseView>;
export const ReleaseList = itemsOf(ReleaseView);

/** POST /releases: the release as stored, and the entries of the file it did not understand. */
export const ReleaseImported = z.object({ release: ReleaseView, ignored: z.array(z.string()) });
export type ReleaseImported = z.infer<typeof ReleaseImported>;

export const TemplateView = z.object({
  name: z.string(),
  description: z.string(),
  services: z.array(z.string()),
  global: JsonObject,
});
export type TemplateView = z.infer<typeof TemplateView>;
export const TemplateList = itemsOf(TemplateView);

/** autoscaling as gen3-helm's HPAs take it: a range and the average CPU / memory per pod to keep (unset: the chart's default). */
export const Autoscaling = z.object({ min: z.number(), max: z.number(), averageCPUValue: z.string().optional(), averageMemoryValue: z.string().optional() });

export const ProfileView = z.object({
  name: z.string(),
  description: z.string(),
  global: JsonObject,
  replicas: z.object({ default: z.number(), max: z.number() }),
  services: z.record(z.string(), z.object({ replicas: z.number(), max: z.number(), autoscaling: Autoscaling.nullable() })),
});
export type ProfileView = z.infer<typeof ProfileView>;
export const ProfileList = itemsOf(ProfileView);

export const ValueChangeView = z.object({
  path: z.string(),
  op: z.enum(['add', 'remove', 'change']),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});
export type ValueChangeView = z.infer<typeof ValueChangeView>;

export const ValuesDiff = z.object({
  /** Unified diff (`diff -u`) of the values YAML; '' when nothing changes. */
  text: z.string(),
  changes: z.array(ValueChangeView),
});
export type ValuesDiff = z.infer<typeof ValuesDiff>;

export const DeploymentBase = z.object({
  /** revision: the commons' current revision; observed: what its agent reports (no revision yet); none: a new commons. */
  source: z.enum(['revision', 'observed', 'none']),
  revision: z.number().nullable(),
});
export type DeploymentBase = z.infer<typeof DeploymentBase>;

export const DeploymentPlan = z.object({
  mode: z.literal('plan'),
  commons: z.object({ id: z.string(), hostname: z.string(), environment: z.string(), exists: z.boolean(), agentConnected: z.boolean() }),
  template: z.string(),
  profile: z.string(),
  release: z.object({ version: z.string(), name: z.string().nullable() }),
  overrides: JsonObject,
  base: DeploymentBase,
  /** The number apply would give the revision (if nothing else is applied first). */
  nextRevision: z.number(),
  values: JsonObject,
  valuesYaml: z.string(),
  diff: ValuesDiff,
  /** Per service: image now → image after (state pending where it changes). */
  services: z.array(ServiceProgress.extend({ changes: z.boolean() })),
  warnings: z.array(z.string()),
  gitops: z.object({ enabled: z.boolean(), path: z.string().nullable() }),
});
export type DeploymentPlan = z.infer<typeof DeploymentPlan>;

export const DeploymentView = z.object({
  id: z.string(),
  commons: z.string(),
  revision: z.number(),
  kind: DeploymentKind,
  rollbackOf: z.number().nullable(),
  release: z.string(),
  state: DeploymentState,
  message: z.string(),
  percent: z.number(),
  actor: z.string(),
  reason: z.string(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  commandId: z.string(),
  gitops: z.object({ state: z.enum(GITOPS.states), path: z.string().nullable(), commit: z.string().nullable() }),
  services: z.array(ServiceProgress),
  /** GET /deployments/{id} only: the deploy command's progress messages. */
  progress: z.array(ProgressEntry).optional(),
});
export type DeploymentView = z.infer<typeof DeploymentView>;
export const DeploymentList = itemsOf(DeploymentView);
export const DeploymentAccepted = z.object({ deployment: DeploymentView });
export type DeploymentAccepted = z.infer<typeof DeploymentAccepted>;

/** POST /deployments: a plan (200) or the deployment it started (202). */
export const DeploymentAnswer = z.union([DeploymentPlan, DeploymentAccepted]);

/** A scale: a command, or where ArgoCD owns the commons a deployment (a revision committed to GitOps). */
export const ScaleAccepted = z.union([CommandAccepted, DeploymentAccepted]);
export type ScaleAccepted = z.infer<typeof ScaleAccepted>;

/** A config change: a command, or where helm renders the config a deployment of the values; with the revision it makes. */
export const ConfigAccepted = z.union([CommandAccepted.extend({ revision: z.number() }), DeploymentAccepted.extend({ revision: z.number() })]);
export type ConfigAccepted = z.infer<typeof ConfigAccepted>;

export const RevisionSummary = z.object({
  commons: z.string(),
  revision: z.number(),
  release: z.string(),
  template: z.string(),
  profile: z.string(),
  kind: DeploymentKind,
  rollbackOf: z.number().nullable(),
  base: DeploymentBase,
  author: z.string(),
  reason: z.string(),
  createdAt: IsoTime,
  changes: z.number(),
  deployment: z.object({ id: z.string(), state: DeploymentState, gitopsCommit: z.string().nullable() }),
});
export type RevisionSummary = z.infer<typeof RevisionSummary>;
export const RevisionList = itemsOf(RevisionSummary);

export const RevisionDetail = RevisionSummary.extend({
  overrides: JsonObject,
  values: JsonObject,
  valuesYaml: z.string(),
  diff: ValuesDiff,
});
export type RevisionDetail = z.infer<typeof RevisionDetail>;

/** RFC 9457 problem details, as every refusal is written. */
export const Problem = z.object({
  type: z.string().describe('urn:gen3-dcoc:problem:<kind>'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().describe('What went wrong and what to do next'),
  errors: z.array(z.object({ field: z.string().describe('body.x, query.y or path.z'), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;

// ---------------------------------------------------------------- the app plugin's own answers

const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** GET …/resources/whoami, answered by the app plugin: the Grafana user, their DCOC role and what it permits. */
export const AppWhoami = z.object({
  user: z.object({ login: z.string(), name: z.string().default(''), email: z.string().default(''), orgRole: z.string().default('') }),
  /** The global DCOC role; null when the user's access comes only from team grants (GET …/access lists them). */
  role: Role.nullable(),
  /** The user's Grafana teams, when the app could read them. */
  teams: z.array(z.string()).optional(),
  roleSource: z.enum(['rbac', 'org-role', 'service']).optional(),
  // Unknown permission names from a newer plugin are left out rather than failing the page.
  permissions: z.array(z.string()).transform((ps) => ps.filter((p): p is Permission => (PERMISSION_NAMES as string[]).includes(p))),
  /** The RBAC actions found, when roleSource is rbac. */
  actions: z.array(z.string()).optional(),
  /** Why Grafana's RBAC could not be read (the role then comes from the org role). */
  rbacUnavailable: z.string().optional(),
});
export type AppWhoami = z.infer<typeof AppWhoami>;
