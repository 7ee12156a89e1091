// A rollout's plan: the commons its target names, their waves, and each
// commons' own deployment plan (rendered values diffed against its current
// revision) from DeploymentService, the one path that computes values.
// Nothing is written; a commons that cannot take the change is refused here,
// naming the commons and the field.
import type { DeploymentPlan, DeploymentRequest } from '../../contracts/api';
import type { RolloutChange, RolloutPlan, RolloutRequest } from '../../contracts/rollouts';
import { DomainError, Invalid, type FieldIssue } from '../domain/errors';
import type { DeploymentService } from '../deployments/service';
import type { Fleet } from '../fleet/fleet';
import type { GroupDirectory } from '../groups/directory';
import { planWaves } from './waves';

export interface PlanDeps {
  deployments: Pick<DeploymentService, 'plan'>;
  groups: Pick<GroupDirectory, 'commonsIn'> | null;
  fleet: Pick<Fleet, 'get'>;
}

/** The deployment request a rollout makes of one commons. */
export function deploymentRequest(commons: string, change: RolloutChange, mode: 'plan' | 'apply', reason?: string): DeploymentRequest {
  return { commons, release: change.release, template: change.template, profile: change.profile, overrides: change.overrides, mode, ...(reason ? { reason } : {}) };
}

/** The commons ids the target names, in order, without repeats. */
export async function resolveTarget(d: PlanDeps, target: RolloutRequest['target']): Promise<string[]> {
  if ('commons' in target) return [...new Set(target.commons)];
  if (!d.groups) throw new Invalid('Groups unavailable', [{ field: 'body.target.group', message: 'this control service has no groups; name the commons instead ({"commons": [...]})' }]);
  let ids: string[];
  try {
    ids = await d.groups.commonsIn(target.group);
  } catch (e) {
    if (e instanceof DomainError && e.kind === 'not-found') throw new Invalid('Unknown group', [{ field: 'body.target.group', message: `${e.detail}; create it (PUT /api/v1/groups/${target.group}) or name the commons` }]);
    throw e;
  }
  if (!ids.length) throw new Invalid('Empty group', [{ field: 'body.target.group', message: `group ${target.group} selects no commons; check its selector and the commons' labels` }]);
  return ids;
}

export interface PlannedRollout {
  plan: RolloutPlan;
  waves: string[][];
  /** Each commons' deployment plan, by id. */
  perCommons: Map<string, DeploymentPlan>;
}

export async function planRollout(d: PlanDeps, req: RolloutRequest, alertGate: boolean): Promise<PlannedRollout> {
  const ids = await resolveTarget(d, req.target);
  if (req.waves.canary && !ids.includes(req.waves.canary)) {
    throw new Invalid('Canary not in the target', [{ field: 'body.waves.canary', message: `${req.waves.canary} is not one of the target's commons (${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''})` }]);
  }
  const waves = planWaves(ids, req.waves);
  const waveOf = new Map(waves.flatMap((cs, i) => cs.map((c) => [c, i + 1] as const)));
  const perCommons = new Map<string, DeploymentPlan>();
  const issues: FieldIssue[] = [];
  for (const id of ids) {
    try {
      perCommons.set(id, await d.deployments.plan(deploymentRequest(id, req.change, 'plan')));
    } catch (e) {
      if (!(e instanceof DomainError) || e.kind === 'conflict') throw e;
      // The deployment route's fields (body.release, body.template) are the rollout's body.change.*; body.commons is the target's.
      const fields = e.fields.length ? e.fields : [{ field: 'body.commons', message: e.detail }];
      for (const f of fields) issues.push({ field: f.field === 'body.commons' ? 'body.target' : f.field.replace(/^body\./, 'body.change.'), message: `${id}: ${f.message}` });
    }
  }
  if (issues.length) throw new Invalid('Rollout cannot be planned', issues, `${new Set(issues.map((i) => i.message.split(':')[0])).size} commons cannot take this change: ${issues[0].message}`);
  const plan: RolloutPlan = {
    mode: 'plan',
    change: req.change,
    waves: waves.map((commons, i) => ({ wave: i + 1, commons })),
    maxInFlight: req.waves.maxInFlight,
    soakSeconds: req.waves.soakSeconds,
    alertGate,
    commons: ids.map((id) => {
      const p = perCommons.get(id)!;
      return {
        commons: id,
        wave: waveOf.get(id)!,
        baseRevision: p.base.revision,
        release: { from: d.fleet.get(id)?.release || null, to: p.release.version },
        diff: p.diff,
        services: p.services.filter((s) => s.changes).map((s) => s.name),
        warnings: p.warnings,
      };
    }),
  };
  return { plan, waves, perCommons };
}
