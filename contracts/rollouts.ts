// Progressive rollouts: one change (a release, template, profile or values
// override) rolled to many commons in waves: a canary commons first, then
// batches with at most maxInFlight deploying at once, each commons gated on
// its deployment succeeding, then on being healthy for a soak time with no
// alert firing for it. Request, plan, view and action schemas.
import { z } from 'zod';
import { BlueprintName, CommonsId, DeploymentState, ReleaseVersion, ValuesDiff } from './api';
import { GroupName } from './groups';

const JsonObject = z.record(z.string(), z.unknown());

/** What a rollout is as a whole. Paused-on-failure names the failing commons; resume re-checks it. */
export const ROLLOUT_STATES = ['running', 'paused', 'paused-on-failure', 'aborted', 'completed', 'rolling-back', 'rolled-back'] as const;
export const RolloutState = z.enum(ROLLOUT_STATES);
export type RolloutState = z.infer<typeof RolloutState>;

/**
 * One commons of a rollout. pending → deploying → soaking → done; failed when
 * its deployment or a gate failed (resume re-checks); skipped when aborted
 * before it started; rolling-back → rolled-back | rollback-failed;
 * not-rolled-back when it had no earlier revision to return to.
 */
export const TARGET_STATES = ['pending', 'deploying', 'soaking', 'done', 'failed', 'skipped', 'rolling-back', 'rolled-back', 'rollback-failed', 'not-rolled-back'] as const;
export const TargetState = z.enum(TARGET_STATES);
export type TargetState = z.infer<typeof TargetState>;

export const RolloutTarget = z.union([z.strictObject({ group: GroupName }), z.strictObject({ commons: z.array(CommonsId).min(1).max(500) })]);
export type RolloutTarget = z.infer<typeof RolloutTarget>;

/** The change every commons gets, as POST /deployments takes it (the commons' own template and profile when absent). */
export const RolloutChange = z.strictObject({
  release: ReleaseVersion,
  template: BlueprintName.optional(),
  profile: BlueprintName.optional(),
  overrides: z.record(z.string(), z.unknown()).optional(),
});
export type RolloutChange = z.infer<typeof RolloutChange>;

export const WaveSpec = z
  .strictObject({
    /** The canary: wave 1, alone. Default: the first commons of the target. */
    canary: CommonsId.optional(),
    /** After the canary, the other commons in this many waves (default 2)… */
    waves: z.number().int().min(1).max(50).optional(),
    /** …or in waves of this many commons. */
    batchSize: z.number().int().min(1).max(500).optional(),
    /** At most this many commons deploying or soaking at once within a wave (default 5). */
    maxInFlight: z.number().int().min(1).max(100).default(5),
    /** How long a commons must stay healthy, with no alert firing for it, after its deployment succeeded. */
    soakSeconds: z.number().int().min(0).max(86_400).default(60),
  })
  .refine((w) => !(w.waves && w.batchSize), { message: 'give waves or batchSize, not both', path: ['batchSize'] });
export type WaveSpec = z.infer<typeof WaveSpec>;

export const RolloutRequest = z.strictObject({
  target: RolloutTarget,
  change: RolloutChange,
  waves: WaveSpec.default({ maxInFlight: 5, soakSeconds: 60 }),
  reason: z.string().trim().min(1, 'say why').max(2000).optional(),
  mode: z.enum(['plan', 'apply']),
}).superRefine((b, ctx) => {
  if (b.mode === 'apply' && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'apply needs a reason (it goes in every revision and the audit log)' });
});
export type RolloutRequest = z.infer<typeof RolloutRequest>;

/** One commons in a plan: its wave and what would change (nothing is written). */
export const PlannedCommons = z.object({
  commons: z.string(),
  wave: z.number(),
  baseRevision: z.number().nullable(),
  release: z.object({ from: z.string().nullable(), to: z.string() }),
  diff: ValuesDiff,
  /** Services whose image changes. */
  services: z.array(z.string()),
  warnings: z.array(z.string()),
});
export const RolloutPlan = z.object({
  mode: z.literal('plan'),
  change: JsonObject,
  waves: z.array(z.object({ wave: z.number(), commons: z.array(z.string()) })),
  maxInFlight: z.number(),
  soakSeconds: z.number(),
  commons: z.array(PlannedCommons),
  /** Alertmanager gate: whether firing alerts are checked (DCOC_ALERTMANAGER_URL). */
  alertGate: z.boolean(),
});
export type RolloutPlan = z.infer<typeof RolloutPlan>;

export const RolloutTargetView = z.object({
  commons: z.string(),
  wave: z.number(),
  state: TargetState,
  message: z.string(),
  deployment: z.string().nullable(),
  /** Its deployment's state, while there is one. */
  deploymentState: DeploymentState.nullable(),
  percent: z.number(),
  fromRevision: z.number().nullable(),
  toRevision: z.number().nullable(),
  rollbackDeployment: z.string().nullable(),
  soakSince: z.string().nullable(),
  attempts: z.number(),
  updatedAt: z.string(),
});
export type RolloutTargetView = z.infer<typeof RolloutTargetView>;

export const RolloutView = z.object({
  id: z.string(),
  state: RolloutState,
  message: z.string(),
  target: RolloutTarget,
  change: JsonObject,
  maxInFlight: z.number(),
  soakSeconds: z.number(),
  reason: z.string(),
  actor: z.string(),
  /** The commons the rollout stopped on, and why (paused-on-failure). */
  failure: z.object({ commons: z.string(), reason: z.string() }).nullable(),
  waves: z.array(z.object({ wave: z.number(), state: z.enum(['pending', 'running', 'done', 'failed']), done: z.number(), total: z.number() })),
  targets: z.array(RolloutTargetView),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RolloutView = z.infer<typeof RolloutView>;
export const RolloutList = z.object({ items: z.array(RolloutView) });
export const RolloutAccepted = z.object({ rollout: RolloutView });
export type RolloutAccepted = z.infer<typeof RolloutAccepted>;

export const RolloutAction = z.enum(['pause', 'resume', 'abort', 'rollback']);
export type RolloutAction = z.infer<typeof RolloutAction>;
export const RolloutActionPath = z.object({ id: z.uuid(), action: RolloutAction });
export const RolloutActionRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000).optional() });
export const RolloutPath = z.object({ id: z.uuid() });
export const RolloutListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });
