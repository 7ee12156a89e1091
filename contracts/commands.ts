// What each kind of command asks the commons' agent to reach: one target
// shape per kind, as a union discriminated by `kind`, so a reader narrows on
// the kind and reads its fields without a cast. The control service writes
// these (the HTTP edge and deployments) and stores them as target_json; the
// agent receives that JSON.
import { z } from 'zod';
import { BackupTarget, RestoreTarget } from './backups';

const Whole = z.number().int();
const Json = z.record(z.string(), z.unknown());

export const RestartTarget = z.looseObject({
  /** Written into the pod template's restartedAt annotation: a repeat of the same command changes nothing more. */
  restartedAt: z.string().min(1),
});

export const ScaleTarget = z.looseObject({ replicas: Whole.min(0) });

export const RunJobTarget = z.looseObject({ cronjob: z.string().min(1) });

export const ConfigTarget = z.looseObject({
  revision: Whole.min(1),
  baseRevision: Whole.min(0),
  data: z.record(z.string(), z.string()),
  /** The ConfigMap version the change was made against: an edit made since is refused, not overwritten. */
  resourceVersion: z.string().optional(),
});

export const HpaRange = z.object({ min: Whole.min(1), max: Whole.min(1) });

export const DeployTarget = z.looseObject({
  revision: Whole.min(1),
  release: z.string().min(1),
  /** Service → image:tag. */
  images: z.record(z.string(), z.string()),
  /** Service → replicas, where no HPA manages them. */
  replicas: z.record(z.string(), Whole.min(0)),
  /** HPA ranges gen3-helm cannot express, which the agent sets after the chart is applied. */
  hpa: z.record(z.string(), HpaRange).optional(),
  /** The revision's whole gen3-helm values (an agent deploying with the chart applies them). */
  values: Json,
  /** ArgoCD applies the revision from GitOps; the agent only follows the rollout. */
  appliedBy: z.literal('argocd').optional(),
  /** Services to restart once rolled out (a config change's readers). */
  restartAfter: z.array(z.string()).optional(),
});

/** Each command kind's target. */
export const COMMAND_TARGETS = {
  restart: RestartTarget,
  scale: ScaleTarget,
  config: ConfigTarget,
  'run-job': RunJobTarget,
  deploy: DeployTarget,
  backup: BackupTarget,
  restore: RestoreTarget,
} as const;

export const CommandKind = z.enum(Object.keys(COMMAND_TARGETS) as [keyof typeof COMMAND_TARGETS, ...(keyof typeof COMMAND_TARGETS)[]]);
export type CommandKind = z.infer<typeof CommandKind>;

export type CommandTargetOf<K extends CommandKind> = z.infer<(typeof COMMAND_TARGETS)[K]>;

/** A command kind with its target: narrow on `kind` to read the target's fields. */
export type CommandSpec = { [K in CommandKind]: { kind: K; target: CommandTargetOf<K> } }[CommandKind];

export class CommandTargetError extends Error {
  constructor(
    readonly kind: string,
    readonly why: string,
  ) {
    super(`target of a ${kind} command: ${why}`);
    this.name = 'CommandTargetError';
  }
}

/** A stored kind and target_json as a CommandSpec; CommandTargetError when either does not read. */
export function commandSpec(kind: string, targetJson: string): CommandSpec {
  const k = CommandKind.safeParse(kind);
  if (!k.success) throw new CommandTargetError(kind, `unknown command kind (known: ${CommandKind.options.join(', ')})`);
  let value: unknown;
  try {
    value = JSON.parse(targetJson);
  } catch {
    throw new CommandTargetError(kind, 'target_json is not JSON');
  }
  const parsed = COMMAND_TARGETS[k.data].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CommandTargetError(kind, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { kind: k.data, target: parsed.data } as CommandSpec;
}
