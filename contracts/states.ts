// The state machines of commands, deployments, their GitOps commits and
// config revisions, each as one transition table (a state → the states it may
// move to). Everything else follows from the tables: the state lists, the
// final states (no way out), the open ones, the union types, and the check
// every move goes through. A move the table does not allow is a bug in the
// caller, so it throws rather than writing a state history cannot explain.

type Table<S extends string> = { readonly [K in S]: readonly S[] };

export class IllegalTransition extends Error {
  constructor(
    readonly machine: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal ${machine} transition ${from} → ${to}`);
    this.name = 'IllegalTransition';
  }
}

/** The states of a table with no way out. */
type FinalOf<T> = { [K in keyof T]: T[K] extends readonly [] ? K : never }[keyof T] & string;

export interface StateMachine<S extends string, F extends S = S> {
  readonly name: string;
  /** States a new row starts in. */
  readonly initial: readonly S[];
  readonly transitions: Table<S>;
  /** Every state, in the table's order. */
  readonly states: readonly [S, ...S[]];
  /** States with no way out. */
  readonly final: readonly F[];
  /** States that still move on. */
  readonly open: readonly S[];
  isState(value: unknown): value is S;
  isFinal(state: S): state is F;
  can(from: S, to: S): boolean;
  /** The states `to` may be reached from. */
  sourcesOf(to: S): S[];
  /** `to`, when the table allows it from `from`; IllegalTransition otherwise. */
  move(from: S, to: S): S;
}

export function stateMachine<const T extends { readonly [K in keyof T]: readonly (keyof T & string)[] }>(
  name: string,
  initial: readonly (keyof T & string)[],
  transitions: T,
): StateMachine<keyof T & string, FinalOf<T>> {
  type S = keyof T & string;
  type F = FinalOf<T>;
  const table = transitions as unknown as Table<S>;
  const states = Object.keys(table) as S[];
  const final = states.filter((s): s is F => table[s].length === 0);
  const set = new Set<string>(states);
  const can = (from: S, to: S) => table[from]?.includes(to) ?? false;
  return {
    name,
    initial,
    transitions: table,
    states: states as [S, ...S[]],
    final,
    open: states.filter((s) => table[s].length > 0),
    isState: (v: unknown): v is S => typeof v === 'string' && set.has(v),
    isFinal: (s): s is F => (final as readonly S[]).includes(s),
    can,
    sourcesOf: (to) => states.filter((from) => can(from, to)),
    move: (from, to) => {
      if (!can(from, to)) throw new IllegalTransition(name, from, to);
      return to;
    },
  };
}

export type StateOf<M> = M extends StateMachine<infer S, infer _F> ? S : never;
export type FinalStateOf<M> = M extends StateMachine<infer _S, infer F> ? F : never;

/**
 * A command: written queued, sent to the commons' agent (dispatched), then
 * what the agent reports. An agent may report on a command the store still
 * has queued (its report crossed the dispatch write, or it kept the command
 * over a control-service restart) and reports `running` again with each
 * progress step. The control service ends it when it is cancelled or its
 * deadline passes.
 */
export const COMMAND = stateMachine('command', ['queued'], {
  queued: ['dispatched', 'running', 'succeeded', 'failed', 'expired', 'cancelled'],
  dispatched: ['running', 'succeeded', 'failed', 'expired', 'cancelled'],
  running: ['running', 'succeeded', 'failed', 'expired', 'cancelled'],
  succeeded: [],
  failed: [],
  expired: [],
  cancelled: [],
});
export type CommandState = StateOf<typeof COMMAND>;
export type FinalCommandState = FinalStateOf<typeof COMMAND>;

/** A command no agent has started yet: a deployment shows it as queued, or waiting for an agent while none is connected. */
const NOT_STARTED = ['queued', 'dispatched'] as const satisfies readonly CommandState[];
export const isNotStarted = (s: CommandState): s is (typeof NOT_STARTED)[number] => (NOT_STARTED as readonly CommandState[]).includes(s);

/** Final states in which a command did not do what was asked (cancelled is the operator's choice, not a failure). */
export const FAILED_COMMAND_STATES = ['failed', 'expired'] as const satisfies readonly FinalCommandState[];

/** What an agent may report about a command (the rest are the control service's to set). */
export const AGENT_REPORTED_STATES: readonly CommandState[] = ['running', 'succeeded', 'failed'];

/**
 * A deployment's own phase: committing (the GitOps commit, then creating the
 * deploy command) until its command exists (commanded; from then on the
 * command's state is the deployment's), or failed before any rollout.
 */
export const DEPLOYMENT_PHASE = stateMachine('deployment phase', ['committing'], {
  committing: ['commanded', 'failed'],
  commanded: [],
  failed: [],
});
export type DeploymentPhase = StateOf<typeof DEPLOYMENT_PHASE>;

/** A deployment's GitOps commit: disabled (no repository configured), or pending until pushed or refused. */
export const GITOPS = stateMachine('gitops', ['pending', 'disabled'], {
  pending: ['pushed', 'failed'],
  pushed: [],
  failed: [],
  disabled: [],
});
export type GitOpsState = StateOf<typeof GITOPS>;

/**
 * A config revision: pending with its config command until the command ends
 * (applied, or failed), or observed (the first revision an agent reports
 * starts a commons' history).
 */
export const CONFIG_REVISION = stateMachine('config revision', ['pending', 'observed'], {
  pending: ['applied', 'failed'],
  applied: [],
  failed: [],
  observed: [],
});
export type ConfigRevisionState = StateOf<typeof CONFIG_REVISION>;

/**
 * A deployment as the API shows it: its phase until its command exists, then
 * the command's state (queued and dispatched read as queued, or as
 * waiting-for-agent while no agent of the commons is connected). A deployment
 * whose phase failed shows as failed, a final command state, so the final
 * deployment states are exactly the final command states.
 */
export const DEPLOYMENT_STATES = ['committing', 'waiting-for-agent', 'queued', 'running', ...COMMAND.final] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
export const FINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = COMMAND.final;
export const isFinalDeployment = (s: DeploymentState): boolean => FINAL_DEPLOYMENT_STATES.includes(s);
