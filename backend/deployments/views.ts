// Store rows → API views of deployments and revisions. A deployment's state
// is read from its deploy command once there is one, so it never disagrees
// with the command history.
import type { DeploymentState, DeploymentView, RevisionDetail, RevisionSummary, ServiceProgress, ValueChangeView } from '../../contracts/api';
import { type CommandState, COMMAND, isNotStarted } from '../../contracts/states';
import type { LiveCommons } from '../fleet/fleet';
import type { CommandEventRow, CommandRow, DeploymentRow, RevisionRow } from '../store/store';
import { toYaml } from './values';
import { storedResult } from '../commands/view';

export function deploymentState(dep: DeploymentRow, cmd: CommandRow | undefined, commons: LiveCommons | undefined, online: boolean): { state: DeploymentState; message: string; percent: number } {
  if (dep.phase === 'failed') return { state: 'failed', message: dep.message, percent: 0 };
  // Without GitOps there is nothing to commit: the few milliseconds before the command exists are queueing.
  if (!cmd) return { state: dep.gitops_state === 'disabled' ? 'queued' : 'committing', message: dep.message, percent: 0 };
  const s = cmd.state;
  if (isNotStarted(s)) {
    if (!online) {
      const who = commons?.agent.id ? `its agent ${commons.agent.id} is not connected` : 'no agent has connected for it yet (enroll one with POST /api/v1/enrollment-tokens)';
      return { state: 'waiting-for-agent', message: `waiting for an agent of ${commons?.hostname ?? dep.commons_id}: ${who}; the rollout starts when it connects, until ${cmd.deadline}`, percent: 0 };
    }
    return { state: 'queued', message: cmd.message, percent: 0 };
  }
  if (s === 'running') return { state: 'running', message: cmd.message, percent: cmd.percent };
  return { state: s, message: cmd.message, percent: s === 'succeeded' ? 100 : cmd.percent };
}

function servicesOf(dep: DeploymentRow, cmd: CommandRow | undefined, commons: LiveCommons | undefined): ServiceProgress[] {
  const r = storedResult(cmd?.result_json ?? null) as { services?: ServiceProgress[] } | null;
  const services = Array.isArray(r?.services) ? r.services : (JSON.parse(dep.plan_services_json) as ServiceProgress[]);
  const s = cmd?.state;
  return s && s !== 'succeeded' && COMMAND.isFinal(s) && commons ? services.map((p) => afterStop(p, s, commons)) : services;
}

/**
 * A deploy that stopped (cancelled, failed, expired) stops reporting, but what
 * it applied keeps rolling in the cluster: a service it left "rolling 1/4" is
 * shown as the commons reports it now, not frozen at the last progress.
 */
function afterStop(p: ServiceProgress, s: CommandState, commons: LiveCommons): ServiceProgress {
  if (p.state === 'done' || p.state === 'failed') return p;
  const live = commons.services.get(p.name);
  if (!live) return { ...p, message: `${p.message} (deploy ${s}; ${commons.hostname} does not report ${p.name} now)` };
  const counts = { updated: live.updatedReplicas, ready: live.readyReplicas, desired: live.desiredReplicas };
  if (live.image !== p.to) {
    const why = live.image === p.from ? `not applied: the deploy was ${s} first; still on ${live.image}` : `now on ${live.image}, changed since the deploy was ${s}`;
    return { ...p, ...counts, state: p.state === 'pending' ? 'pending' : 'failed', message: why };
  }
  const rolled = live.updatedReplicas >= live.desiredReplicas && live.readyReplicas >= live.desiredReplicas && !live.rollout;
  return rolled
    ? { ...p, ...counts, state: 'done', message: `${live.readyReplicas}/${live.desiredReplicas} ready on ${p.to}; it finished rolling after the deploy was ${s}` }
    : { ...p, ...counts, state: 'rolling', message: `${live.updatedReplicas}/${live.desiredReplicas} updated, ${live.readyReplicas} ready: still rolling although the deploy was ${s}` };
}

export function deploymentView(
  dep: DeploymentRow,
  rev: RevisionRow | undefined,
  cmd: CommandRow | undefined,
  commons: LiveCommons | undefined,
  online: boolean,
  events?: CommandEventRow[],
): DeploymentView {
  const st = deploymentState(dep, cmd, commons, online);
  return {
    id: dep.id,
    commons: dep.commons_id,
    revision: dep.revision,
    kind: dep.kind,
    rollbackOf: rev?.rollback_of ?? null,
    release: rev?.release ?? '',
    ...st,
    actor: dep.actor,
    reason: dep.reason,
    createdAt: dep.created_at,
    updatedAt: cmd && cmd.updated_at > dep.updated_at ? cmd.updated_at : dep.updated_at,
    commandId: dep.command_id,
    gitops: { state: dep.gitops_state, path: dep.gitops_path, commit: dep.gitops_commit },
    services: servicesOf(dep, cmd, commons),
    ...(events ? { progress: events.map((e) => ({ at: e.at, state: e.state, message: e.message, percent: e.percent })) } : {}),
  };
}

export function revisionSummary(r: RevisionRow, dep: DeploymentView | undefined): RevisionSummary {
  return {
    commons: r.commons_id,
    revision: r.revision,
    release: r.release,
    template: r.template,
    profile: r.profile,
    kind: r.kind,
    rollbackOf: r.rollback_of,
    base: { source: r.base_source, revision: r.base_revision },
    author: r.author,
    reason: r.reason,
    createdAt: r.created_at,
    changes: (JSON.parse(r.diff_json) as unknown[]).length,
    deployment: { id: r.deployment_id, state: dep?.state ?? 'failed', gitopsCommit: dep?.gitops.commit ?? null },
  };
}

export function revisionDetail(r: RevisionRow, dep: DeploymentView | undefined): RevisionDetail {
  const values = JSON.parse(r.values_json) as Record<string, unknown>;
  return {
    ...revisionSummary(r, dep),
    overrides: JSON.parse(r.overrides_json) as Record<string, unknown>,
    values,
    valuesYaml: toYaml(values),
    diff: { text: r.diff_text, changes: JSON.parse(r.diff_json) as ValueChangeView[] },
  };
}
