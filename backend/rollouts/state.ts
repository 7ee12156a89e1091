// The rollout state machine, as pure functions over a rollout's targets: what
// an operator's action may move it from, which commons start next, which are
// rolled back next, and each wave's progress. The engine (engine.ts) does
// what these decide; nothing here reads the store or the clock.
import type { RolloutAction, RolloutState, RolloutView, TargetState } from '../../contracts/rollouts';

export interface TargetLike {
  commons_id: string;
  wave: number;
  position: number;
  state: string;
  deployment_id: string | null;
  from_revision: number | null;
}

/** The states an action moves a rollout from, and to. */
export const ACTIONS: Record<RolloutAction, { from: readonly RolloutState[]; to: RolloutState }> = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused', 'paused-on-failure'], to: 'running' },
  abort: { from: ['running', 'paused', 'paused-on-failure'], to: 'aborted' },
  rollback: { from: ['paused', 'paused-on-failure', 'aborted', 'completed'], to: 'rolling-back' },
};

/** A commons deploying or soaking: counts against maxInFlight. */
export const IN_FLIGHT: readonly TargetState[] = ['deploying', 'soaking'];

const byOrder = (a: TargetLike, b: TargetLike) => a.wave - b.wave || a.position - b.position;

/** The wave being worked on: the first with a commons not done (undefined: every commons is done). */
export function currentWave(targets: readonly TargetLike[]): number | undefined {
  return [...targets].sort(byOrder).find((t) => t.state !== 'done')?.wave;
}

/**
 * The commons to start now in a running rollout: none while any commons has
 * failed; otherwise pending commons of the current wave, in order, up to
 * maxInFlight deploying or soaking at once. A wave starts only when every
 * commons of the waves before it is done.
 */
export function nextToStart(targets: readonly TargetLike[], maxInFlight: number): string[] {
  if (targets.some((t) => t.state === 'failed')) return [];
  const wave = currentWave(targets);
  if (wave === undefined) return [];
  const inWave = [...targets].filter((t) => t.wave === wave).sort(byOrder);
  const busy = inWave.filter((t) => IN_FLIGHT.includes(t.state as TargetState)).length;
  return inWave
    .filter((t) => t.state === 'pending')
    .slice(0, Math.max(0, maxInFlight - busy))
    .map((t) => t.commons_id);
}

/** Every commons of the rollout is done. */
export function allDone(targets: readonly TargetLike[]): boolean {
  return targets.length > 0 && targets.every((t) => t.state === 'done');
}

/** A commons the rollout changed and whose deployment has finished: what a rollback returns to its revision before. */
export function finishedDeploy(t: TargetLike): boolean {
  return t.deployment_id !== null && (t.state === 'done' || t.state === 'soaking' || t.state === 'failed');
}

/**
 * In a rollback: the finished commons to roll back now (at most maxInFlight
 * rolling back at once), and those that cannot be (no revision before the
 * rollout's, or no deployment made).
 */
export function nextToRollBack(targets: readonly TargetLike[], maxInFlight: number): { start: string[]; cannot: { commons: string; why: string }[] } {
  const sorted = [...targets].sort(byOrder);
  const busy = sorted.filter((t) => t.state === 'rolling-back').length;
  const cannot = sorted
    .filter((t) => (finishedDeploy(t) && t.from_revision === null) || (t.state === 'failed' && t.deployment_id === null))
    .map((t) => ({ commons: t.commons_id, why: t.deployment_id === null ? 'the rollout made no deployment of it' : 'it had no revision before the rollout; nothing to return to' }));
  const start = sorted
    .filter((t) => finishedDeploy(t) && t.from_revision !== null)
    .slice(0, Math.max(0, maxInFlight - busy))
    .map((t) => t.commons_id);
  return { start, cannot };
}

/** A rollback is over when nothing is deploying, soaking, waiting to roll back or rolling back. */
export function rollbackOver(targets: readonly TargetLike[]): boolean {
  return targets.every((t) => !['deploying', 'soaking', 'rolling-back'].includes(t.state) && !(finishedDeploy(t) && t.from_revision !== null));
}

/** Per wave: done, total, and whether it is pending, running, done or failed. */
export function waveProgress(targets: readonly TargetLike[]): RolloutView['waves'] {
  const waves = [...new Set(targets.map((t) => t.wave))].sort((a, b) => a - b);
  return waves.map((wave) => {
    const ts = targets.filter((t) => t.wave === wave);
    const done = ts.filter((t) => t.state === 'done').length;
    const state = ts.some((t) => t.state === 'failed')
      ? 'failed'
      : done === ts.length
        ? 'done'
        : ts.every((t) => t.state === 'pending' || t.state === 'skipped')
          ? 'pending'
          : 'running';
    return { wave, state, done, total: ts.length };
  });
}
