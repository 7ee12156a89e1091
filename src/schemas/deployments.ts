// Releases, templates, profiles, deployment plans, deployments and the
// revisions of a commons, as the control service returns them.
import { z } from 'zod';
import type {
  DeploymentPlan,
  DeploymentView,
  ProfileView,
  ReleaseView,
  RevisionDetail,
  RevisionSummary,
  ServiceProgress,
  TemplateView,
  ValuesDiff,
} from '../../contracts/api';
import { commandState, isoDate, itemsOf, record } from './common';

export const DEPLOYMENT_STATES = ['committing', 'waiting-for-agent', 'queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export const deploymentState = z.enum(DEPLOYMENT_STATES);
const FINAL_DEPLOYMENT_STATES: readonly string[] = ['succeeded', 'failed', 'cancelled', 'expired'];
export const isFinalDeployment = (state: string) => FINAL_DEPLOYMENT_STATES.includes(state);

export const serviceProgress = z.object({
  name: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  state: z.enum(['pending', 'rolling', 'done', 'failed']),
  updated: z.number(),
  ready: z.number(),
  desired: z.number(),
  message: z.string(),
}) satisfies z.ZodType<ServiceProgress>;

export const releaseView = z.object({
  version: z.string(),
  name: z.string().nullable(),
  source: z.enum(['built-in', 'imported']),
  images: z.record(z.string(), z.string()),
  // A control service from before releases kept their other entries sends none.
  unmanaged: z.record(z.string(), z.string()).default({}),
  importedBy: z.string().nullable().default(null),
  importedAt: isoDate.nullable().default(null),
}) satisfies z.ZodType<ReleaseView>;
export const releasesResponse = itemsOf(releaseView);

export const templateView = z.object({
  name: z.string(),
  description: z.string(),
  services: z.array(z.string()),
  global: record,
}) satisfies z.ZodType<TemplateView>;
export const templatesResponse = itemsOf(templateView);

export const profileView = z.object({
  name: z.string(),
  description: z.string(),
  global: record,
  replicas: z.object({ default: z.number(), max: z.number() }),
  services: z.record(
    z.string(),
    z.object({ replicas: z.number(), max: z.number(), autoscaling: z.object({ min: z.number(), max: z.number(), averageCPUValue: z.string().optional(), averageMemoryValue: z.string().optional() }).nullable() }),
  ),
}) satisfies z.ZodType<ProfileView>;
export const profilesResponse = itemsOf(profileView);

const valuesDiff = z.object({
  text: z.string(),
  changes: z.array(z.object({ path: z.string(), op: z.enum(['add', 'remove', 'change']), from: z.unknown().optional(), to: z.unknown().optional() })),
}) satisfies z.ZodType<ValuesDiff>;

const deploymentBase = z.object({ source: z.enum(['revision', 'observed', 'none']), revision: z.number().nullable() });

export const deploymentPlan = z.object({
  mode: z.literal('plan'),
  commons: z.object({ id: z.string(), hostname: z.string(), environment: z.string(), exists: z.boolean(), agentConnected: z.boolean() }),
  template: z.string(),
  profile: z.string(),
  release: z.object({ version: z.string(), name: z.string().nullable() }),
  overrides: record,
  base: deploymentBase,
  nextRevision: z.number(),
  values: record,
  valuesYaml: z.string(),
  diff: valuesDiff,
  services: z.array(serviceProgress.extend({ changes: z.boolean() })),
  warnings: z.array(z.string()),
  gitops: z.object({ enabled: z.boolean(), path: z.string().nullable() }),
}) satisfies z.ZodType<DeploymentPlan>;

export const deploymentView = z.object({
  id: z.string(),
  commons: z.string(),
  revision: z.number(),
  kind: z.enum(['deploy', 'rollback']),
  rollbackOf: z.number().nullable(),
  release: z.string(),
  state: deploymentState,
  message: z.string(),
  percent: z.number(),
  actor: z.string(),
  reason: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  commandId: z.string(),
  gitops: z.object({ state: z.enum(['disabled', 'pending', 'pushed', 'failed']), path: z.string().nullable(), commit: z.string().nullable() }),
  services: z.array(serviceProgress),
  progress: z.array(z.object({ at: isoDate, state: commandState, message: z.string(), percent: z.number() })).optional(),
}) satisfies z.ZodType<DeploymentView>;
export const deploymentsResponse = itemsOf(deploymentView);
export const deploymentAccepted = z.object({ deployment: deploymentView });

export const revisionSummary = z.object({
  commons: z.string(),
  revision: z.number(),
  release: z.string(),
  template: z.string(),
  profile: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  rollbackOf: z.number().nullable(),
  base: deploymentBase,
  author: z.string(),
  reason: z.string(),
  createdAt: isoDate,
  changes: z.number(),
  deployment: z.object({ id: z.string(), state: deploymentState, gitopsCommit: z.string().nullable() }),
}) satisfies z.ZodType<RevisionSummary>;
export const revisionsResponse = itemsOf(revisionSummary);

export const revisionDetail = revisionSummary.extend({
  overrides: record,
  values: record,
  valuesYaml: z.string(),
  diff: valuesDiff,
}) satisfies z.ZodType<RevisionDetail>;

export type DeploymentPlanView = z.infer<typeof deploymentPlan>;
