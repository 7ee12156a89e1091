// An executor carries out one kind of command against the commons, as a
// target state: if the commons is already there, it succeeds with no effect.
// The agent advertises each as capability "executor:<kind>".
import { COMMAND_TARGETS, type CommandKind, type CommandTargetOf } from '../../contracts/commands';

export interface CommandSpec {
  id: string;
  kind: string;
  service: string;
  target: Record<string, unknown>;
  deadlineMs: number;
  createdAtMs: number;
}

export interface ExecContext {
  /** `result` carries structured progress (a deploy's per-service rollout), sent as the update's result_json. */
  progress(message: string, percent: number, result?: Record<string, unknown>): void;
  signal: AbortSignal;
}

export interface ExecResult {
  message: string;
  result?: Record<string, unknown>;
}

/** A failure the operator can act on; its message is shown as is. */
export class ExecError extends Error {}

/** The command's target as its kind's contract (contracts/commands.ts) reads it; an ExecError naming the field when it does not. */
export function readTarget<K extends CommandKind>(kind: K, target: Record<string, unknown>): CommandTargetOf<K> {
  const r = COMMAND_TARGETS[kind].safeParse(target);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ExecError(`${kind} target.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  // The table maps K to its schema, which TypeScript cannot follow through a generic index.
  return r.data as CommandTargetOf<K>;
}

export interface Executor {
  readonly kind: string;
  /** How it does its work where agents differ (deploy: helm-upgrade, helm-template, images, simulated); advertised as capability `<kind>:<method>`. */
  readonly method?: string;
  execute(cmd: CommandSpec, ctx: ExecContext): Promise<ExecResult>;
}

/** Polls until `check` says done, reporting progress as it changes; fails at the deadline or on cancel. */
export async function waitUntil(
  cmd: CommandSpec,
  ctx: ExecContext,
  check: () => Promise<{ done: boolean; message: string; percent: number }> | { done: boolean; message: string; percent: number },
  pollMs = 200,
): Promise<string> {
  let last = '';
  for (;;) {
    const s = await check();
    if (s.message !== last) {
      ctx.progress(s.message, s.percent);
      last = s.message;
    }
    if (s.done) return s.message;
    if (ctx.signal.aborted) throw new ExecError(`cancelled: ${String(ctx.signal.reason ?? 'by the control service')} (${s.message})`);
    if (Date.now() > cmd.deadlineMs) throw new ExecError(`deadline passed before the change completed (${s.message})`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
