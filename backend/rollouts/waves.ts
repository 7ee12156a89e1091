// Which commons go in which wave: the canary alone first, then the others in
// `waves` waves of near-equal size, or in waves of `batchSize`, in the order
// the target lists them (a group's commons sorted by id).
import type { WaveSpec } from '../../contracts/rollouts';

export const DEFAULT_WAVES_AFTER_CANARY = 2;

/** The waves, first (the canary) to last; each a non-empty list of commons ids. */
export function planWaves(commons: readonly string[], spec: Pick<WaveSpec, 'canary' | 'waves' | 'batchSize'>): string[][] {
  const all = [...new Set(commons)];
  if (all.length === 0) return [];
  const canary = spec.canary ?? all[0];
  if (!all.includes(canary)) throw new RangeError(`the canary ${canary} is not one of the rollout's commons`);
  const rest = all.filter((c) => c !== canary);
  const out: string[][] = [[canary]];
  if (rest.length === 0) return out;
  const size = spec.batchSize ?? Math.ceil(rest.length / Math.min(spec.waves ?? DEFAULT_WAVES_AFTER_CANARY, rest.length));
  for (let i = 0; i < rest.length; i += size) out.push(rest.slice(i, i + size));
  return out;
}
