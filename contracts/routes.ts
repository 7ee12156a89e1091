// The control service's HTTP API, one entry per route: method, path,
// permission, the schemas of what it takes and of what it answers, and
// whether the Grafana app plugin forwards it. The express routes are mounted
// from it (backend/http/mount.ts), the plugin's allow-list is derived from it
// (plugin/app/routes.ts), the frontend's client calls it (src/api/client.ts),
// and the OpenAPI document and README's API table are generated from it.
import { z } from 'zod';
import * as api from './api';
import * as compliance from './compliance';
import * as backups from './backups';
import * as groups from './groups';
import * as policies from './policies';
import * as windows from './windows';
import * as rollouts from './rollouts';
import * as scopes from './scopes';
import type { Permission } from './roles';
import { type RouteScope, SCOPE } from './scopes';

export const API_PREFIX = '/api/v1';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';
export type SuccessStatus = 200 | 201 | 202 | 204;
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 503;

export interface ApiRoute {
  method: HttpMethod;
  /** Express style, relative to API_PREFIX: '/commons/:id'. */
  path: string;
  operationId: string;
  summary: string;
  /** null: any authenticated caller. */
  permission: Permission | null;
  /** No credential needed. */
  public?: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The route accepts no body at all as well as its schema (restart, run-job, enrollment tokens). */
  bodyOptional?: boolean;
  /** The body of each success status; null: none (204). Several when the request decides (a plan is 200, an apply 202). */
  responses: Partial<Record<SuccessStatus, z.ZodType | null>>;
  /** The success body's media type when not JSON (several when the request picks one, as an export's format does). */
  mediaType?: string | readonly string[];
  /** Refusals beyond those implied by the entry's inputs. */
  problems?: readonly ProblemStatus[];
  /**
   * Whether the app plugin forwards it from its resources (…/resources/<path>)
   * to the control service. not-forwarded: automation only (API tokens,
   * release import, the document), or served another way (events go through
   * the data source's stream; the app answers whoami itself).
   */
  app: 'forward' | 'not-forwarded';
  /** How the route finds the commons it acts on (contracts/scopes.ts); none declared is checked as global-role only. */
  scope?: RouteScope;
}

// Keeps each entry's literal schema types, so handlers and the client are typed by them.
const route = <R extends ApiRoute>(r: R): R => r;

export const ROUTES = {
  // agents
  listAgents: route({ method: 'get', path: '/agents', operationId: 'listAgents', summary: 'List enrolled agents', permission: 'fleet:read', responses: { 200: api.AgentList }, scope: SCOPE.list('commons'), app: 'forward' }),
  createEnrollmentToken: route({ method: 'post', path: '/enrollment-tokens', operationId: 'createEnrollmentToken', summary: 'Mint a one-time agent enrollment token (shown once)', body: api.EnrollmentTokenRequest, bodyOptional: true, permission: 'agents:manage', responses: { 201: api.EnrollmentTokenCreated }, scope: SCOPE.global, app: 'forward' }),
  revokeAgent: route({ method: 'delete', path: '/agents/:id', operationId: 'revokeAgent', summary: "Revoke an agent's certificate and close its session", params: api.UuidPath, permission: 'agents:manage', responses: { 204: null }, scope: SCOPE.global, app: 'forward' }),
  // audit
  listAudit: route({ method: 'get', path: '/audit', operationId: 'listAudit', summary: "Audit log, newest first: who did what, when, and the result (an accepted command's state now)", query: api.AuditListQuery, permission: 'audit:read', responses: { 200: api.AuditList }, scope: SCOPE.list('commons'), app: 'forward' }),
  // commands
  listCommands: route({ method: 'get', path: '/commands', operationId: 'listCommands', summary: 'Command history', query: api.CommandListQuery, permission: 'events:read', responses: { 200: api.CommandList }, scope: SCOPE.list('commons'), app: 'forward' }),
  getCommand: route({ method: 'get', path: '/commands/:id', operationId: 'getCommand', summary: 'One command with its progress', params: api.UuidPath, permission: 'events:read', responses: { 200: api.CommandView }, scope: SCOPE.command, app: 'forward' }),
  cancelCommand: route({ method: 'post', path: '/commands/:id/cancel', operationId: 'cancelCommand', summary: 'Cancel a command that has not finished', params: api.UuidPath, permission: 'services:operate', responses: { 200: api.CommandView }, problems: [409], scope: SCOPE.command, app: 'forward' }),
  // commons
  listCommons: route({ method: 'get', path: '/commons', operationId: 'listCommons', summary: 'The fleet: every commons with its status (healthy, degraded, down, unknown), release, agent, labels and its services counted by health (`group`: only the commons a saved group picks)', query: groups.CommonsListQuery, permission: 'fleet:read', responses: { 200: api.CommonsList }, scope: SCOPE.list('id'), app: 'forward' }),
  getFleetSummary: route({ method: 'get', path: '/fleet/summary', operationId: 'getFleetSummary', summary: "Every commons in one answer, for fleet-wide queries and alert rules: status, agent last seen, services counted by status with the names of those down, failed and expired commands counted in a range (`from`, `to`; default the last 24 hours; null without events:read on the commons), and with `services=true` each service's row as GET /commons/{id} has it (`service`: only that one)", query: api.FleetSummaryQuery, permission: 'fleet:read', responses: { 200: api.FleetSummary }, scope: SCOPE.list('id'), app: 'forward' }),
  getCommons: route({ method: 'get', path: '/commons/:id', operationId: 'getCommons', summary: 'One commons with its services: status, replicas desired/ready/updated, image, version, health check, rollout, reason (config data needs details:read)', params: api.CommonsPath, permission: 'fleet:read', responses: { 200: api.CommonsDetail }, scope: SCOPE.path, app: 'forward' }),
  removeCommons: route({ method: 'delete', path: '/commons/:id', operationId: 'removeCommons', summary: 'Remove a commons whose agent is revoked', params: api.CommonsPath, permission: 'agents:manage', responses: { 204: null }, problems: [409], scope: SCOPE.global, app: 'forward' }),
  listConfigRevisions: route({ method: 'get', path: '/commons/:id/config/revisions', operationId: 'listConfigRevisions', summary: 'Revisions of the manifest-global config, from revision 1 (the config the agent found, observed)', params: api.CommonsPath, permission: 'details:read', responses: { 200: api.ConfigRevisionList }, scope: SCOPE.path, app: 'forward' }),
  restartService: route({ method: 'post', path: '/commons/:id/services/:service/restart', operationId: 'restartService', summary: 'Restart a service (rolling); queues a command', params: api.ServicePath, body: api.RestartRequest, bodyOptional: true, permission: 'services:operate', responses: { 202: z.union([api.CommandAccepted, policies.ApprovalHeld]) }, scope: SCOPE.path, app: 'forward' }),
  scaleService: route({ method: 'post', path: '/commons/:id/services/:service/scale', operationId: 'scaleService', summary: 'Scale a service; queues a command, or where ArgoCD owns the commons records a revision committed to GitOps (202 with the deployment); replicas a JSON integer 0–100', params: api.ServicePath, body: api.ScaleRequest, permission: 'services:operate', responses: { 202: z.union([api.ScaleAccepted, policies.ApprovalHeld]) }, scope: SCOPE.path, app: 'forward' }),
  listJobs: route({ method: 'get', path: '/commons/:id/jobs', operationId: 'listJobs', summary: "The commons' CronJobs as its agent reports them: schedule, suspended, last run and its result", params: api.CommonsPath, permission: 'fleet:read', responses: { 200: api.CommonsJobs }, scope: SCOPE.path, app: 'forward' }),
  runJob: route({ method: 'post', path: '/commons/:id/jobs/:cronjob/run', operationId: 'runJob', summary: "Run a Job from one of the commons' CronJobs (404 naming path.cronjob for one it does not have); queues a command", params: api.JobPath, body: api.RunJobRequest, bodyOptional: true, permission: 'services:operate', responses: { 202: z.union([api.CommandAccepted, policies.ApprovalHeld]) }, scope: SCOPE.path, app: 'forward' }),
  updateConfig: route({ method: 'put', path: '/commons/:id/config', operationId: 'updateConfig', summary: 'Replace the manifest-global config data; queues a command (409 when baseRevision is stale; 422 when data drops or changes hostname or environment or holds a credential); audited with the reason and each key changed', params: api.CommonsPath, body: api.ConfigRequest, permission: 'config:write', responses: { 202: z.union([api.ConfigAccepted, policies.ApprovalHeld]) }, problems: [409], scope: SCOPE.path, app: 'forward' }),
  // inside a commons: logs, Kubernetes events, resources, external checks
  getServiceLogs: route({ method: 'get', path: '/commons/:id/services/:service/logs', operationId: 'getServiceLogs', summary: "A service's pod logs, all replicas merged with pod names (the last `tail` lines of each pod, or those since `since`; `previous` for a crash-looping pod's previous container; `filter` keeps lines containing it), read by the agent from pods/log and never stored; 503 when the agent is not connected or cannot read logs", params: api.ServicePath, query: api.LogsQuery, permission: 'logs:read', responses: { 200: api.LogsView }, problems: [503], scope: SCOPE.path, app: 'forward' }),
  followServiceLogs: route({ method: 'get', path: '/commons/:id/services/:service/logs/stream', operationId: 'followServiceLogs', summary: "Follow a service's pod logs: Server-Sent Events (`logs`), the last `tail` lines of each pod first, then every new line, within the follow rate bound", params: api.ServicePath, query: api.LogsFollowQuery, permission: 'logs:read', responses: { 200: null }, mediaType: 'text/event-stream', problems: [503], scope: SCOPE.path, app: 'not-forwarded' }),
  getJobLogs: route({ method: 'get', path: '/commons/:id/job-runs/:job/logs', operationId: 'getJobLogs', summary: "The logs of one Job's pods (a CronJob run), as getServiceLogs", params: api.JobLogsPath, query: api.LogsQuery, permission: 'logs:read', responses: { 200: api.LogsView }, problems: [503], scope: SCOPE.path, app: 'forward' }),
  listKubernetesEvents: route({ method: 'get', path: '/commons/:id/kubernetes-events', operationId: 'listKubernetesEvents', summary: "The commons namespace's Kubernetes events, each with the service it concerns, warnings first then newest first (`service` for one service); 503 when the agent is not connected", params: api.CommonsPath, query: api.KubeEventsQuery, permission: 'events:read', responses: { 200: api.KubeEventList }, problems: [503], scope: SCOPE.path, app: 'forward' }),
  getResources: route({ method: 'get', path: '/commons/:id/resources', operationId: 'getResources', summary: 'CPU and memory per service from metrics.k8s.io, against the containers\' requests and limits (available: false without metrics-server); 503 when the agent is not connected', params: api.CommonsPath, permission: 'details:read', responses: { 200: api.CommonsResources }, problems: [503], scope: SCOPE.path, app: 'forward' }),
  listExternalChecks: route({ method: 'get', path: '/commons/:id/external-checks', operationId: 'listExternalChecks', summary: "The commons' public endpoints as the control service last probed them: status, latency, TLS certificate expiry", params: api.CommonsPath, permission: 'fleet:read', responses: { 200: api.ExternalCheckList }, scope: SCOPE.path, app: 'forward' }),
  // Gen3 database backups: Kubernetes Jobs the commons' agent runs (pg_dump per service database to a claim)
  listBackups: route({ method: 'get', path: '/commons/:id/backups', operationId: 'listBackups', summary: "The commons' database backups, newest first (status, trigger, size per database, where the dumps are), when the last good one finished, its schedule and how old the last good backup may get (maxAgeSeconds)", params: api.CommonsPath, permission: 'fleet:read', responses: { 200: backups.BackupList }, scope: SCOPE.path, app: 'forward' }),
  createBackup: route({ method: 'post', path: '/commons/:id/backups', operationId: 'createBackup', summary: "Back up the commons' Gen3 databases now (default: every service database it runs; 422 naming body.databases when it runs none): through the change gate, audited, queues a backup command", params: api.CommonsPath, body: backups.BackupRequest, bodyOptional: true, permission: 'backups:write', responses: { 202: z.union([backups.BackupAccepted, policies.ApprovalHeld]) }, problems: [409, 422], scope: SCOPE.path, app: 'forward' }),
  restoreBackup: route({ method: 'post', path: '/commons/:id/backups/:backupId/restore', operationId: 'restoreBackup', summary: "Restore one service's dump of a succeeded backup into an empty database (the service's own dbcreds Secret or body.secret; one transaction, nothing changes if it is not empty): admins only, with a reason, through the change gate, audited, queues a restore command (404 naming the backup or service, 409 for a backup that did not succeed)", params: backups.BackupPath, body: backups.RestoreRequest, permission: 'backups:restore', responses: { 202: z.union([api.CommandAccepted, policies.ApprovalHeld]) }, problems: [409], scope: SCOPE.path, app: 'forward' }),
  putBackupSchedule: route({ method: 'put', path: '/commons/:id/backup-schedule', operationId: 'putBackupSchedule', summary: "Set the commons' backup schedule: a five-field cron expression in an IANA time zone (422 naming body.cron or body.timeZone); each occurrence starts one backup, once across replicas, as the schedule's author through the change gate; audited", params: api.CommonsPath, body: backups.BackupScheduleSpec, permission: 'backups:write', responses: { 200: backups.BackupScheduleView }, scope: SCOPE.path, app: 'forward' }),
  deleteBackupSchedule: route({ method: 'delete', path: '/commons/:id/backup-schedule', operationId: 'deleteBackupSchedule', summary: "Remove the commons' backup schedule (its backups stay); audited", params: api.CommonsPath, permission: 'backups:write', responses: { 204: null }, scope: SCOPE.path, app: 'forward' }),
  // labels and groups (admins edit them: a group's members decide who may change what, through scoped roles and policies)
  listGroups: route({ method: 'get', path: '/groups', operationId: 'listGroups', summary: 'Saved groups of commons, each with its label selector and the commons it picks now', permission: 'fleet:read', responses: { 200: groups.GroupList }, scope: SCOPE.global, app: 'forward' }),
  getGroup: route({ method: 'get', path: '/groups/:name', operationId: 'getGroup', summary: 'One group with the commons it picks now', params: groups.GroupPath, permission: 'fleet:read', responses: { 200: groups.GroupView }, scope: SCOPE.global, app: 'forward' }),
  putGroup: route({ method: 'put', path: '/groups/:name', operationId: 'putGroup', summary: 'Create (201) or replace (200) a group: a Kubernetes-style label selector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist); audited', params: groups.GroupPath, body: groups.GroupSpec, permission: 'groups:manage', responses: { 200: groups.GroupView, 201: groups.GroupView }, scope: SCOPE.global, app: 'forward' }),
  deleteGroup: route({ method: 'delete', path: '/groups/:name', operationId: 'deleteGroup', summary: 'Delete a group (its commons are untouched); audited', params: groups.GroupPath, permission: 'groups:manage', responses: { 204: null }, scope: SCOPE.global, app: 'forward' }),
  getCommonsLabels: route({ method: 'get', path: '/commons/:id/labels', operationId: 'getCommonsLabels', summary: "A commons' labels: the automatic ones (commons, environment) and those set on it", params: api.CommonsPath, permission: 'fleet:read', responses: { 200: groups.LabelsView }, scope: SCOPE.path, app: 'forward' }),
  putCommonsLabels: route({ method: 'put', path: '/commons/:id/labels', operationId: 'putCommonsLabels', summary: "Replace a commons' labels (program, tier, region, anything; not the automatic ones); audited with each label changed", params: api.CommonsPath, body: groups.LabelsRequest, permission: 'groups:manage', responses: { 200: groups.LabelsView, 202: policies.ApprovalHeld }, scope: SCOPE.global, app: 'forward' }),
  // deployments
  listReleases: route({ method: 'get', path: '/releases', operationId: 'listReleases', summary: 'Gen3 releases (built-in and imported)', permission: 'details:read', responses: { 200: api.ReleaseList }, scope: SCOPE.anywhere, app: 'forward' }),
  getRelease: route({ method: 'get', path: '/releases/:version', operationId: 'getRelease', summary: 'One release with its images', params: api.ReleasePath, permission: 'details:read', responses: { 200: api.ReleaseView }, scope: SCOPE.anywhere, app: 'forward' }),
  importRelease: route({ method: 'post', path: '/releases', operationId: 'importRelease', summary: 'Import a release from a manifest.json or gen3-helm values', body: api.ReleaseImportRequest, permission: 'deployments:write', responses: { 201: api.ReleaseImported }, problems: [409], scope: SCOPE.global, app: 'not-forwarded' }),
  listTemplates: route({ method: 'get', path: '/templates', operationId: 'listTemplates', summary: 'Deployment templates', permission: 'details:read', responses: { 200: api.TemplateList }, scope: SCOPE.anywhere, app: 'forward' }),
  listProfiles: route({ method: 'get', path: '/profiles', operationId: 'listProfiles', summary: 'Sizing profiles', permission: 'details:read', responses: { 200: api.ProfileList }, scope: SCOPE.anywhere, app: 'forward' }),
  createDeployment: route({ method: 'post', path: '/deployments', operationId: 'createDeployment', summary: 'Plan (200: rendered values, diff and per-service changes; changes nothing) or apply (202) a deployment', body: api.DeploymentRequest, permission: 'deployments:write', responses: { 200: api.DeploymentPlan, 202: z.union([api.DeploymentAccepted, policies.ApprovalHeld]) }, problems: [404, 409], scope: SCOPE.body('commons'), app: 'forward' }),
  listDeployments: route({ method: 'get', path: '/deployments', operationId: 'listDeployments', summary: 'Deployments, newest first', query: api.DeploymentListQuery, permission: 'details:read', responses: { 200: api.DeploymentList }, scope: SCOPE.list('commons'), app: 'forward' }),
  getDeployment: route({ method: 'get', path: '/deployments/:id', operationId: 'getDeployment', summary: 'One deployment with its progress', params: api.UuidPath, permission: 'details:read', responses: { 200: api.DeploymentView }, scope: SCOPE.deployment, app: 'forward' }),
  cancelDeployment: route({ method: 'post', path: '/deployments/:id/cancel', operationId: 'cancelDeployment', summary: 'Cancel a deployment that has not finished', params: api.UuidPath, permission: 'deployments:write', responses: { 200: api.DeploymentAccepted }, problems: [409], scope: SCOPE.deployment, app: 'forward' }),
  listRevisions: route({ method: 'get', path: '/commons/:id/revisions', operationId: 'listRevisions', summary: "A commons' deployment revisions", params: api.CommonsPath, permission: 'details:read', responses: { 200: api.RevisionList }, scope: SCOPE.path, app: 'forward' }),
  getRevision: route({ method: 'get', path: '/commons/:id/revisions/:n', operationId: 'getRevision', summary: 'One revision with its values and diff', params: api.RevisionPath, permission: 'details:read', responses: { 200: api.RevisionDetail }, scope: SCOPE.path, app: 'forward' }),
  rollback: route({ method: 'post', path: '/commons/:id/rollback', operationId: 'rollback', summary: 'Roll a commons back to an earlier revision (a new revision equal to the old one)', params: api.CommonsPath, body: api.RollbackRequest, permission: 'deployments:write', responses: { 202: z.union([api.DeploymentAccepted, policies.ApprovalHeld]) }, problems: [409], scope: SCOPE.path, app: 'forward' }),
  // events
  streamEvents: route({ method: 'get', path: '/events', operationId: 'streamEvents', summary: 'Server-Sent Events: commons.status, service.status, agent.connected, agent.disconnected, command.updated, commons.added, commons.removed, deployment.updated, approval.updated, rollout.updated (honors Last-Event-ID)', query: api.EventsQuery, permission: 'events:read', responses: { 200: null }, mediaType: 'text/event-stream', scope: SCOPE.list('commons'), app: 'not-forwarded' }),
  // tokens
  createApiToken: route({ method: 'post', path: '/tokens', operationId: 'createApiToken', summary: 'Mint a role-bound API token (shown once; expires after ttlSeconds, 90 days by default)', body: api.ApiTokenRequest, permission: 'tokens:manage', responses: { 201: api.ApiTokenMinted }, scope: SCOPE.global, app: 'not-forwarded' }),
  listApiTokens: route({ method: 'get', path: '/tokens', operationId: 'listApiTokens', summary: 'API tokens (never their secrets)', permission: 'tokens:manage', responses: { 200: api.ApiTokenList }, scope: SCOPE.global, app: 'not-forwarded' }),
  revokeApiToken: route({ method: 'delete', path: '/tokens/:id', operationId: 'revokeApiToken', summary: 'Revoke an API token (audited first; idempotent)', params: api.TokenPath, permission: 'tokens:manage', responses: { 204: null }, scope: SCOPE.global, app: 'not-forwarded' }),
  openApiDocument: route({ method: 'get', path: '/openapi.json', operationId: 'openApiDocument', summary: "The API's OpenAPI 3.1 document, generated from the route table", permission: null, public: true, responses: { 200: api.OpenApiDocument }, scope: SCOPE.none, app: 'not-forwarded' }),
  whoami: route({ method: 'get', path: '/whoami', operationId: 'whoami', summary: 'The caller as the API sees it (actor, role)', permission: null, responses: { 200: scopes.WhoamiView }, scope: SCOPE.none, app: 'not-forwarded' }),
  // policies and approvals
  listPolicies: route({ method: 'get', path: '/policies', operationId: 'listPolicies', summary: 'Policies: per group, who may change what, whether a reason is required, the releases allowed, and which changes wait for a second person\'s approval', permission: 'details:read', responses: { 200: policies.PolicyList }, scope: SCOPE.anywhere, app: 'forward' }),
  getPolicy: route({ method: 'get', path: '/policies/:name', operationId: 'getPolicy', summary: 'One policy', params: policies.PolicyPath, permission: 'details:read', responses: { 200: policies.PolicyView }, scope: SCOPE.anywhere, app: 'forward' }),
  putPolicy: route({ method: 'put', path: '/policies/:name', operationId: 'putPolicy', summary: 'Create (201) or replace (200) a policy on a group (422 naming body.group for a group that does not exist); audited', params: policies.PolicyPath, body: policies.PolicySpec, permission: 'policies:manage', responses: { 200: policies.PolicyView, 201: policies.PolicyView }, scope: SCOPE.global, app: 'forward' }),
  deletePolicy: route({ method: 'delete', path: '/policies/:name', operationId: 'deletePolicy', summary: 'Delete a policy; audited', params: policies.PolicyPath, permission: 'policies:manage', responses: { 204: null }, scope: SCOPE.global, app: 'forward' }),
  listApprovals: route({ method: 'get', path: '/approvals', operationId: 'listApprovals', summary: 'Changes held for approval and their decisions, newest first (state, commons to filter)', query: policies.ApprovalListQuery, permission: 'details:read', responses: { 200: policies.ApprovalList }, scope: SCOPE.list('commons'), app: 'forward' }),
  getApproval: route({ method: 'get', path: '/approvals/:id', operationId: 'getApproval', summary: 'One approval: the held change, its decision and what it started', params: policies.ApprovalPath, permission: 'details:read', responses: { 200: policies.ApprovalView }, scope: SCOPE.approval, app: 'forward' }),
  approveApproval: route({ method: 'post', path: '/approvals/:id/approve', operationId: 'approveApproval', summary: 'Approve a held change and run it once (403 for its requester, or a token they minted; approving again changes nothing); audited with requester and approver', params: policies.ApprovalPath, permission: 'services:operate', responses: { 200: policies.ApprovalView }, problems: [409], scope: SCOPE.approval, app: 'forward' }),
  rejectApproval: route({ method: 'post', path: '/approvals/:id/reject', operationId: 'rejectApproval', summary: 'Reject a held change, with a reason (its requester may withdraw it); audited', params: policies.ApprovalPath, body: policies.RejectRequest, permission: 'services:operate', responses: { 200: policies.ApprovalView }, problems: [409], scope: SCOPE.approval, app: 'forward' }),
  // maintenance and deny windows
  previewSchedule: route({ method: 'get', path: '/windows/preview', operationId: 'previewSchedule', summary: 'The next starts and ends of a cron schedule in an IANA time zone, as instants and wall clock (422 naming query.cron for an expression that cannot be read or never fires)', query: windows.SchedulePreviewQuery, permission: 'fleet:read', responses: { 200: windows.SchedulePreview }, scope: SCOPE.anywhere, app: 'forward' }),
  listWindows: route({ method: 'get', path: '/windows', operationId: 'listWindows', summary: 'Maintenance and deny windows, each with its occurrence in progress, its next ones and its recent runs (kind, commons to filter)', query: windows.WindowListQuery, permission: 'fleet:read', responses: { 200: windows.WindowList }, scope: SCOPE.global, app: 'forward' }),
  getWindow: route({ method: 'get', path: '/windows/:id', operationId: 'getWindow', summary: 'One window with its occurrence in progress, its next ones and its recent runs (silences, maintenance mode, actions, each with what it did)', params: windows.WindowPath, permission: 'fleet:read', responses: { 200: windows.WindowView }, scope: SCOPE.global, app: 'forward' }),
  createWindow: route({ method: 'post', path: '/windows', operationId: 'createWindow', summary: 'Create a maintenance window (silence, maintenance mode and actions while it lasts) or a deny window (a change freeze: admins only, 403 naming body.kind); audited', body: windows.WindowSpec, permission: 'windows:write', responses: { 201: windows.WindowView }, problems: [403], scope: SCOPE.global, app: 'forward' }),
  replaceWindow: route({ method: 'put', path: '/windows/:id', operationId: 'replaceWindow', summary: 'Replace a window (a run in progress keeps its end); audited', params: windows.WindowPath, body: windows.WindowSpec, permission: 'windows:write', responses: { 200: windows.WindowView }, problems: [403], scope: SCOPE.global, app: 'forward' }),
  deleteWindow: route({ method: 'delete', path: '/windows/:id', operationId: 'deleteWindow', summary: 'Delete a window; a run in progress is cancelled (its silence expired, maintenance mode switched off); audited', params: windows.WindowPath, permission: 'windows:write', responses: { 204: null }, problems: [403], scope: SCOPE.global, app: 'forward' }),
  // rollouts
  listRollouts: route({ method: 'get', path: '/rollouts', operationId: 'listRollouts', summary: 'Progressive rollouts, newest first, with per-wave and per-commons progress', query: rollouts.RolloutListQuery, permission: 'details:read', responses: { 200: rollouts.RolloutList }, scope: SCOPE.global, app: 'forward' }),
  createRollout: route({ method: 'post', path: '/rollouts', operationId: 'createRollout', summary: "Plan (200: waves and every commons' diff; changes nothing) or start (202) a rollout of a release or values change to a group or list of commons, in waves gated on health, soak time and firing alerts", body: rollouts.RolloutRequest, permission: 'deployments:write', responses: { 200: rollouts.RolloutPlan, 202: z.union([rollouts.RolloutAccepted, policies.ApprovalHeld]) }, problems: [403, 409, 422], scope: SCOPE.global, app: 'forward' }),
  getRollout: route({ method: 'get', path: '/rollouts/:id', operationId: 'getRollout', summary: 'One rollout with each wave and commons, and their deployments', params: rollouts.RolloutPath, permission: 'details:read', responses: { 200: rollouts.RolloutView }, scope: SCOPE.global, app: 'forward' }),
  actOnRollout: route({ method: 'post', path: '/rollouts/:id/:action', operationId: 'actOnRollout', summary: 'pause, resume (re-checks the failed commons), abort (finished commons stay) or rollback (every finished commons to its revision before the rollout); audited', params: rollouts.RolloutActionPath, body: rollouts.RolloutActionRequest, bodyOptional: true, permission: 'deployments:write', responses: { 200: rollouts.RolloutAccepted }, problems: [409], scope: SCOPE.global, app: 'forward' }),
  // compliance
  exportAudit: route({ method: 'get', path: '/audit/export', operationId: 'exportAudit', summary: "The audit log as CSV (RFC 4180, formula-guarded) or JSON Lines, oldest first, streamed, for a time range (`since`, `until` exclusive) and scope (`commons`, `actor`, `action`); each entry with its seq and hash in the audit chain, the chain's head in the DCOC-Audit-Head header", query: compliance.AuditExportQuery, permission: 'audit:read', responses: { 200: null }, mediaType: ['text/csv', 'application/x-ndjson'], scope: SCOPE.global, app: 'forward' }),
  getChangeReport: route({ method: 'get', path: '/commons/:id/change-report', operationId: 'getChangeReport', summary: "A commons' change report for a month (`month` YYYY-MM, UTC): deploys (release, revision, who, result), config changes (keys, who, reason), restarts, scales and job runs, approvals, and counts per person", params: api.CommonsPath, query: compliance.ChangeReportQuery, permission: 'audit:read', responses: { 200: compliance.ChangeReport }, problems: [404], scope: SCOPE.path, app: 'forward' }),
  // scoped roles: team grants (a Grafana team holds a role on a group's commons)
  listTeamGrants: route({ method: 'get', path: '/team-grants', operationId: 'listTeamGrants', summary: 'Team grants: a DCOC role held by a Grafana team (name or id) on the commons of a group', permission: 'access:manage', responses: { 200: scopes.TeamGrantList }, scope: SCOPE.global, app: 'forward' }),
  putTeamGrant: route({ method: 'put', path: '/team-grants/:team/:group', operationId: 'putTeamGrant', summary: "Grant a Grafana team a role on a group's commons: create (201) or change (200); audited", params: scopes.TeamGrantPath, body: scopes.TeamGrantRequest, permission: 'access:manage', responses: { 200: scopes.TeamGrantView, 201: scopes.TeamGrantView }, scope: SCOPE.global, app: 'forward' }),
  deleteTeamGrant: route({ method: 'delete', path: '/team-grants/:team/:group', operationId: 'deleteTeamGrant', summary: "Take a team's grant on a group away; audited", params: scopes.TeamGrantPath, permission: 'access:manage', responses: { 204: null }, scope: SCOPE.global, app: 'forward' }),
  getAccess: route({ method: 'get', path: '/access', operationId: 'getAccess', summary: "The caller's access: global role, Grafana teams, and each team grant with the commons it covers now", permission: null, responses: { 200: scopes.AccessView }, scope: SCOPE.none, app: 'forward' }),
} as const;

export type RouteName = keyof typeof ROUTES;
export const API_ROUTES: readonly ApiRoute[] = Object.values(ROUTES);

/**
 * Routes the app plugin answers itself, at the same resource paths: whoami
 * tells the page the Grafana user's DCOC role (the control service's /whoami
 * would name the plugin's assertion instead).
 */
export const APP_ROUTES = {
  appWhoami: { method: 'get', path: '/whoami', operationId: 'appWhoami', summary: "The Grafana user's DCOC role and permissions", responses: { 200: api.AppWhoami } },
} as const;
export type AppRoute = (typeof APP_ROUTES)[keyof typeof APP_ROUTES];

/** '/commons/:id/services/:service' → '/commons/{id}/services/{service}'. */
export function templatePath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** The body schema of a success status (undefined: not a status the route answers with). */
export function responseSchema(r: Pick<ApiRoute, 'responses'>, status: number): z.ZodType | null | undefined {
  return (r.responses as Record<number, z.ZodType | null | undefined>)[status];
}

/** The success statuses of a route, lowest first. */
export function successStatuses(r: Pick<ApiRoute, 'responses'>): SuccessStatus[] {
  return Object.keys(r.responses)
    .map(Number)
    .sort((a, b) => a - b) as SuccessStatus[];
}
