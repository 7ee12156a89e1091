// The control service's HTTP API contract: request schemas (validated with
// zod, unknown fields refused) and response shapes. The plugin and the tests
// import these; nothing else defines them.
import { z } from 'zod';
import { CommandKind } from './commands';
import { Role } from './roles';
import { COMMAND, type DeploymentState, type GitOpsState } from './states';

export const ServiceStatus = z.enum(['healthy', 'degraded', 'down', 'unknown']);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

// Command kinds and the state machines are defined once, in commands.ts and states.ts.
export { CommandKind } from './commands';
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
export const ScaleRequest = z.strictObject({
  replicas: z.number().int().min(0).max(100),
});

/** PUT /api/v1/commons/{id}/config: the whole new `manifest-global` data, the revision it was made against, and why. */
export const ConfigRequest = z.strictObject({
  data: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,253}$/, 'ConfigMap keys are [A-Za-z0-9_.-]'), z.string().max(256 * 1024)),
  baseRevision: z.number().int().min(0),
  reason: z.string().trim().min(1, 'say why').max(2000),
});

export const RestartRequest = z.strictObject({}).optional();

/** Runs a Job from one of the commons' CronJob templates (usersync, a DB backup, ...). */
export const RunJobRequest = z.strictObject({}).optional();
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

/** An API token as listed: never its secret or hash. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  role: string;
  createdBy: string;
  createdAt: string;
  /** null only for the token seeded from DCOC_ADMIN_TOKEN, which lives as long as that setting. */
  expiresAt: string | null;
  state: 'active' | 'expired' | 'revoked';
}

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

export interface HealthView {
  url: string;
  httpStatus: number;
  latencyMs: number;
  checkedAt: string | null;
  ok: boolean;
  detail: string;
}

export interface ServiceView {
  name: string;
  status: ServiceStatus;
  deployment: string;
  desiredReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  image: string;
  /** The image's tag as written (2026.07, master, 1.2.1, ...), or its digest when pinned by one; latest when it has neither. */
  version: string;
  reason: string;
  restartedAt: string | null;
  restartCount: number;
  rollout: string | null;
  health: HealthView | null;
  /** `argocd:<application>` when an ArgoCD Application tracks the service's Deployment: changes go through GitOps. */
  gitopsOwner: string | null;
}

export interface AgentRef {
  id: string | null;
  connected: boolean;
  lastSeen: string | null;
  version: string | null;
  /** How the agent applies deploys, from its capabilities: helm-upgrade, helm-template, images, simulated; null when not known. */
  deployMethod: string | null;
}

export interface CommonsSummary {
  id: string;
  name: string;
  hostname: string;
  environment: string;
  namespace: string;
  status: ServiceStatus;
  /**
   * The release the commons runs, as its agent reads it from the Gen3
   * services' images (agent/core/release-of.ts): `2026.07` when they all run
   * it; `2026.07 (2 of 17 services on other versions)` when most do;
   * `mixed (2026.07 on 5 of 17 services)` or `mixed` when no release has most
   * of them; a tag such as `master` when they all run that; '' when unknown.
   */
  version: string;
  agent: AgentRef;
  services: { total: number; healthy: number; down: number };
  config: { revision: number };
}

export interface CommonsDetail extends Omit<CommonsSummary, 'services'> {
  services: ServiceView[];
  config: { revision: number; data: Record<string, string> };
}

export type JobResult = 'running' | 'succeeded' | 'failed';

/** The most recent Job a CronJob owns: started by its schedule, or by hand (`manual`). */
export interface JobRunView {
  name: string;
  result: JobResult;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed, or ''. */
  reason: string;
  manual: boolean;
}

export interface CronJobView {
  name: string;
  schedule: string;
  suspended: boolean;
  lastScheduleTime: string | null;
  lastSuccessfulTime: string | null;
  lastRun: JobRunView | null;
}

/** GET /api/v1/commons/{id}/jobs: the CronJobs the commons' agent last reported. */
export interface CommonsJobs {
  items: CronJobView[];
  /** False until the agent has reported CronJobs (an older agent, or one whose Role may not list them, never does). */
  reported: boolean;
  /** When the agent last reported them. */
  reportedAt: string | null;
}

export interface CommandView {
  id: string;
  kind: CommandKind;
  commons: string;
  service: string | null;
  target: Record<string, unknown>;
  state: CommandState;
  message: string;
  percent: number;
  actor: string;
  createdAt: string;
  updatedAt: string;
  deadline: string;
  attempts: number;
  result: Record<string, unknown> | null;
  progress: { at: string; state: CommandState; message: string; percent: number }[];
}

export interface AgentView {
  id: string;
  commons: string | null;
  hostname: string | null;
  connected: boolean;
  lastSeen: string | null;
  version: string | null;
  certificateSerial: string;
  certificateExpiresAt: string;
  revoked: boolean;
  enrolledAt: string;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorKind: 'token' | 'grafana' | 'anonymous' | 'system';
  role: Role | null;
  action: string;
  commons: string | null;
  service: string | null;
  detail: Record<string, unknown>;
  outcome: 'accepted' | 'denied' | 'succeeded' | 'failed' | 'rejected';
  commandId: string | null;
}

// ---------------------------------------------------------------- deployments (responses)

export type { DeploymentState } from './states';
export type ServiceRolloutState = 'pending' | 'rolling' | 'done' | 'failed';

/** One service of a deploy, as the agent reports it while it rolls (and the control service plans it before). */
export interface ServiceProgress {
  name: string;
  /** Image before the deploy (null when not known yet). */
  from: string | null;
  to: string;
  state: ServiceRolloutState;
  updated: number;
  ready: number;
  desired: number;
  message: string;
}

export interface ReleaseView {
  version: string;
  name: string | null;
  source: 'built-in' | 'imported';
  /** Chart → full image, for the charts DCOC deploys (a chart the release does not name is absent). */
  images: Record<string, string>;
  /**
   * The release's other entries, as written (fluentd, spark, tube, dashboard,
   * ...: cdis-manifest lists services DCOC does not model): imported and kept,
   * neither deployed nor probed.
   */
  unmanaged: Record<string, string>;
  importedBy: string | null;
  importedAt: string | null;
}

export interface TemplateView {
  name: string;
  description: string;
  services: string[];
  global: Record<string, unknown>;
}

export interface ProfileView {
  name: string;
  description: string;
  global: Record<string, unknown>;
  replicas: { default: number; max: number };
  /** autoscaling as gen3-helm's HPAs take it: a range and the average CPU / memory per pod to keep (unset: the chart's default). */
  services: Record<string, { replicas: number; max: number; autoscaling: { min: number; max: number; averageCPUValue?: string; averageMemoryValue?: string } | null }>;
}

export interface ValueChangeView {
  path: string;
  op: 'add' | 'remove' | 'change';
  from?: unknown;
  to?: unknown;
}

export interface ValuesDiff {
  /** Unified diff (`diff -u`) of the values YAML; '' when nothing changes. */
  text: string;
  changes: ValueChangeView[];
}

export interface DeploymentBase {
  /** revision: the commons' current revision; observed: what its agent reports (no revision yet); none: a new commons. */
  source: 'revision' | 'observed' | 'none';
  revision: number | null;
}

export interface DeploymentPlan {
  mode: 'plan';
  commons: { id: string; hostname: string; environment: string; exists: boolean; agentConnected: boolean };
  template: string;
  profile: string;
  release: { version: string; name: string | null };
  overrides: Record<string, unknown>;
  base: DeploymentBase;
  /** The number apply would give the revision (if nothing else is applied first). */
  nextRevision: number;
  values: Record<string, unknown>;
  valuesYaml: string;
  diff: ValuesDiff;
  /** Per service: image now → image after (state pending where it changes). */
  services: (ServiceProgress & { changes: boolean })[];
  warnings: string[];
  gitops: { enabled: boolean; path: string | null };
}

export interface DeploymentView {
  id: string;
  commons: string;
  revision: number;
  kind: 'deploy' | 'rollback';
  rollbackOf: number | null;
  release: string;
  state: DeploymentState;
  message: string;
  percent: number;
  actor: string;
  reason: string;
  createdAt: string;
  updatedAt: string;
  commandId: string;
  gitops: { state: GitOpsState; path: string | null; commit: string | null };
  services: ServiceProgress[];
  /** GET /deployments/{id} only: the deploy command's progress messages. */
  progress?: { at: string; state: CommandState; message: string; percent: number }[];
}

export interface RevisionSummary {
  commons: string;
  revision: number;
  release: string;
  template: string;
  profile: string;
  kind: 'deploy' | 'rollback';
  rollbackOf: number | null;
  base: DeploymentBase;
  author: string;
  reason: string;
  createdAt: string;
  changes: number;
  deployment: { id: string; state: DeploymentState; gitopsCommit: string | null };
}

export interface RevisionDetail extends RevisionSummary {
  overrides: Record<string, unknown>;
  values: Record<string, unknown>;
  valuesYaml: string;
  diff: ValuesDiff;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}
