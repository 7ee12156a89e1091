// /api/v1/commons: the fleet, one commons, and the actions on its services.
import { Router } from 'express';
import type { CommandKind, CommandState } from '../../../contracts/api';
import { can } from '../../../contracts/roles';
import { ROUTES } from '../../../contracts/routes';
import type { CommandService } from '../../commands/command-service';
import type { DeploymentService } from '../../deployments/service';
import type { Fleet } from '../../fleet/fleet';
import type { GroupDirectory } from '../../groups/directory';
import { ConflictError, type Store } from '../../store/store';
import { argoApplications, argoOwnership } from '../../fleet/gitops-owned';
import { audit } from '../../audit/record';
import { configChangeErrors, configChanges } from '../../commands/config-change';
import { globalChange } from '../../../contracts/gen3/global-config';
import { type ChangeRoutesDeps, decided, gated, startedBy } from '../gated';
import { mount } from '../mount';
import type { Principal } from '../../auth/principal';
import { HttpProblem, notFound } from '../problem';

export interface CommonsRoutesDeps {
  store: Store;
  fleet: Pick<Fleet, 'get' | 'all' | 'summary' | 'detail' | 'jobs' | 'remove'>;
  commands: Pick<CommandService, 'create'>;
  deployments: Pick<DeploymentService, 'hpaRangeOf' | 'gitopsEnabled' | 'scaleThroughGitOps' | 'configRoute' | 'configThroughValues'>;
  groups: Pick<GroupDirectory, 'allLabels' | 'commonsIn'>;
  /** The change gate every change here asks first. */
  changes: ChangeRoutesDeps;
}

/** What a queued command's 202 names: enough to follow it at /commands/{id}. */
const commandRef = (row: { id: string; state: string; kind: string }) => ({ id: row.id, state: row.state as CommandState, kind: row.kind as CommandKind });

export function commonsRouter({ fleet, store, commands, deployments, groups, changes }: CommonsRoutesDeps): Router {
  const r = Router();

  const liveCommons = (id: string) => {
    const c = fleet.get(id);
    if (!c) throw notFound(`commons ${id}`);
    return c;
  };
  const liveService = (id: string, service: string) => {
    const c = liveCommons(id);
    if (!c.services.has(service)) throw notFound(`service ${service} in commons ${id} (known: ${[...c.services.keys()].join(', ') || 'none yet'})`);
    return c;
  };

  mount(r, ROUTES.listCommons, store, async ({ query }) => {
    const [labels, only] = await Promise.all([groups.allLabels(), query.group ? groups.commonsIn(query.group).then((ids) => new Set(ids)) : null]);
    const items = fleet
      .all()
      .filter((c) => !only || only.has(c.id))
      .map((c) => ({ ...fleet.summary(c), labels: labels.get(c.id) }));
    return { status: 200, body: { items } };
  });

  mount(r, ROUTES.getCommons, store, ({ params: { id }, principal }) => ({ status: 200, body: fleet.detail(liveCommons(id), can(principal.role, 'details:read')) }));

  mount(
    r,
    ROUTES.removeCommons,
    store,
    async ({ params: { id }, principal }) => {
      const c = liveCommons(id);
      const agent = c.agent.id ? await store.getAgent(c.agent.id) : undefined;
      if (agent && !agent.revoked) {
        throw new HttpProblem(409, 'Commons still has an agent', `agent ${agent.id} still serves ${id}; revoke it first (DELETE /api/v1/agents/${agent.id}), then remove the commons`);
      }
      await audit(store, principal, { action: 'commons.remove', outcome: 'succeeded', commons: id, detail: { hostname: c.hostname } });
      await store.deleteCommons(id);
      fleet.remove(id);
      return { status: 204, body: undefined };
    },
    { denial: (_req, { id }) => ({ action: 'commons.remove', commons: id }) },
  );

  mount(r, ROUTES.listConfigRevisions, store, async ({ params: { id } }) => {
    liveCommons(id);
    const rows = await store.listConfigRevisions(id);
    return {
      status: 200,
      body: { items: rows.map((r) => ({ revision: r.revision, author: r.author, createdAt: r.created_at, state: r.state, commandId: r.command_id, data: JSON.parse(r.data_json) as Record<string, string> })) },
    };
  });

  // Each change: validated, then asked of the change gate, then done. A change held for approval is
  // replayed through the same function once approved (with the approval's id, so the gate lets it pass).
  const restart = async ({ id, service, reason, approvalId, override }: { id: string; service: string; reason?: string; approvalId?: string; override?: { reason: string } }, principal: Principal) => {
    liveService(id, service);
    const change = { kind: 'restart' as const, commons: id, principal, reason, approvalId, override, summary: `restart ${service} on ${id}`, request: { id, service, ...(reason ? { reason } : {}) } };
    return gated(changes, change, { action: 'service.restart', service }, async () => {
      const restartedAt = new Date().toISOString();
      const row = await commands.create({ kind: 'restart', commonsId: id, service, target: { restartedAt }, principal, action: 'service.restart', detail: { restartedAt, ...decided(reason, approvalId) } });
      return { status: 202 as const, location: `/api/v1/commands/${row.id}`, body: { command: commandRef(row) } };
    });
  };
  changes.approvals.onApproved('restart', async (req, principal, approvalId) => startedBy(await restart({ ...(req as { id: string; service: string; reason?: string }), approvalId }, principal)));

  mount(r, ROUTES.restartService, store, ({ params, body, principal }) => restart({ ...params, ...body }, principal), {
    denial: (_req, { id, service }) => ({ action: 'service.restart', commons: id, service }),
  });

  const scale = async ({ id, service, replicas, reason, approvalId, override }: { id: string; service: string; replicas: number; reason?: string; approvalId?: string; override?: { reason: string } }, principal: Principal) => {
    const c = liveService(id, service);
    const hpa = await deployments.hpaRangeOf(id, service);
    if (hpa) {
      const detail = `an HPA manages ${service}'s replicas (${service}-hpa, ${hpa.min}–${hpa.max}); it would override a scale at its next sync. Change the range with a deploy (overrides ${hpa.field}.minReplicas/maxReplicas)`;
      throw new HttpProblem(409, 'Replicas managed by an HPA', detail, [{ field: 'path.service', message: detail }]);
    }
    const argo = argoApplications(c);
    if (argo.length && !deployments.gitopsEnabled) {
      // A scale made in the cluster would be reverted by ArgoCD's self-heal: it goes through GitOps as a revision.
      const detail = `${argoOwnership(argo, c)}. DCOC has no GitOps repository configured (DCOC_GITOPS_REPO, DCOC_GITOPS_CLUSTER); change ${service}'s replicaCount in the repository the Application syncs, or configure DCOC's GitOps and scale again`;
      throw new HttpProblem(409, 'Commons managed by ArgoCD', detail, [{ field: 'path.id', message: detail }]);
    }
    const change = { kind: 'scale' as const, commons: id, principal, reason, approvalId, override, summary: `scale ${service} on ${id} to ${replicas} replicas`, request: { id, service, replicas, ...(reason ? { reason } : {}) } };
    return gated(changes, change, { action: 'service.scale', service }, async () => {
      if (argo.length) {
        const deployment = await deployments.scaleThroughGitOps(id, service, replicas, principal);
        return { status: 202 as const, location: `/api/v1/deployments/${deployment.id}`, body: { deployment } };
      }
      const row = await commands.create({ kind: 'scale', commonsId: id, service, target: { replicas }, principal, action: 'service.scale', detail: { replicas, ...decided(reason, approvalId) } });
      return { status: 202 as const, location: `/api/v1/commands/${row.id}`, body: { command: commandRef(row) } };
    });
  };
  changes.approvals.onApproved('scale', async (req, principal, approvalId) => startedBy(await scale({ ...(req as { id: string; service: string; replicas: number; reason?: string }), approvalId }, principal)));

  mount(r, ROUTES.scaleService, store, ({ params, body, principal }) => scale({ ...params, ...body }, principal), {
    denial: (_req, { id, service }) => ({ action: 'service.scale', commons: id, service }),
  });

  // The CronJobs the commons' agent reported, each with its last run.
  mount(r, ROUTES.listJobs, store, ({ params: { id } }) => ({ status: 200, body: fleet.jobs(liveCommons(id)) }));

  const runJob = async ({ id, cronjob, reason, approvalId, override }: { id: string; cronjob: string; reason?: string; approvalId?: string; override?: { reason: string } }, principal: Principal) => {
    const c = liveCommons(id);
    // Only a CronJob the commons has; until its agent has reported them (an older agent), the agent judges.
    const has = c.cronjobs?.items.map((j) => j.name);
    if (has && !has.includes(cronjob)) {
      const known = has.join(', ') || 'none';
      throw new HttpProblem(404, 'No such CronJob', `commons ${id} has no CronJob ${cronjob}; it has: ${known} (GET /api/v1/commons/${id}/jobs)`, [
        { field: 'path.cronjob', message: `not a CronJob of commons ${id}; it has: ${known}` },
      ]);
    }
    const change = { kind: 'job' as const, commons: id, principal, reason, approvalId, override, summary: `run a Job from CronJob ${cronjob} on ${id}`, request: { id, cronjob, ...(reason ? { reason } : {}) } };
    return gated(changes, change, { action: 'job.run', service: cronjob }, async () => {
      const row = await commands.create({ kind: 'run-job', commonsId: id, service: cronjob, target: { cronjob }, principal, action: 'job.run', detail: { cronjob, ...decided(reason, approvalId) } });
      return { status: 202 as const, location: `/api/v1/commands/${row.id}`, body: { command: commandRef(row) } };
    });
  };
  changes.approvals.onApproved('job', async (req, principal, approvalId) => startedBy(await runJob({ ...(req as { id: string; cronjob: string; reason?: string }), approvalId }, principal)));

  mount(r, ROUTES.runJob, store, ({ params, body, principal }) => runJob({ ...params, ...body }, principal), {
    denial: (_req, { id, cronjob }) => ({ action: 'job.run', commons: id, service: cronjob }),
  });

  const updateConfig = async ({ id, data, baseRevision, reason, approvalId, override }: { id: string; data: Record<string, string>; baseRevision: number; reason: string; approvalId?: string; override?: { reason: string } }, principal: Principal) => {
    const c = liveCommons(id);
    if (baseRevision !== c.config.revision) {
      throw new HttpProblem(409, 'Stale config revision', `the config is at revision ${c.config.revision}, not ${baseRevision}; reload it, re-apply your change and send baseRevision ${c.config.revision}`, [
        { field: 'body.baseRevision', message: `current revision is ${c.config.revision}` },
      ]);
    }
    const errors = configChangeErrors(c.config.data, data);
    if (errors.length > 0) throw new HttpProblem(422, 'Config change refused', `${errors.length} field(s) cannot be written: ${errors.map((e) => e.field).join(', ')}`, errors);
    const route = await deployments.configRoute(id);
    if (route.route === 'refuse') throw new HttpProblem(409, 'Config is rendered from the values', route.why, [{ field: 'path.id', message: route.why }]);
    const global = route.route === 'values' ? globalChange(c.config.data, data) : null;
    if (global?.errors.length) throw new HttpProblem(422, 'Config change refused', `${global.errors.length} field(s) cannot be expressed in gen3-helm's global values: ${global.errors.map((e) => e.field).join(', ')}`, global.errors);
    const changed = configChanges(c.config.data, data);
    const change = {
      kind: 'config' as const,
      commons: id,
      principal,
      reason,
      approvalId,
      override,
      summary: `config of ${id} from revision ${baseRevision}: ${changed.length} key(s) changed (${changed.map((x) => x.key).join(', ').slice(0, 300)})`,
      request: { id, data, baseRevision, reason },
    };
    return gated(changes, change, { action: 'config.update' }, async () => {
      if (global) {
        // helm (or ArgoCD) renders manifest-global from global.*: the change is a revision of the values, applied like a deploy.
        // The revision and its deployment.apply audit entry are written together before anything rolls; this entry says what the config change was.
        const deployment = await deployments.configThroughValues(id, global, reason, principal);
        await audit(store, principal, {
          action: 'config.update',
          outcome: 'accepted',
          commons: id,
          detail: { baseRevision, reason, via: 'values', deployment: deployment.id, revision: deployment.revision, global: global.global, restart: global.restart, changes: changed, ...decided(undefined, approvalId) },
        });
        return { status: 202 as const, location: `/api/v1/deployments/${deployment.id}`, body: { deployment, revision: deployment.revision } };
      }
      const revision = baseRevision + 1;
      try {
        const row = await commands.create({
          kind: 'config',
          commonsId: id,
          service: null,
          // The ConfigMap version this change was made against: an edit made since is refused, not overwritten.
          target: { revision, baseRevision, data, ...(c.config.resourceVersion ? { resourceVersion: c.config.resourceVersion } : {}) },
          principal,
          action: 'config.update',
          detail: { revision, baseRevision, reason, changes: changed, ...decided(undefined, approvalId) },
          configRevision: { revision, data },
        });
        return { status: 202 as const, location: `/api/v1/commands/${row.id}`, body: { command: commandRef(row), revision } };
      } catch (e) {
        if (e instanceof ConflictError) {
          throw new HttpProblem(409, 'Config change in progress', `${e.message}; wait for it to finish, reload and retry`, [{ field: 'body.baseRevision', message: e.message }]);
        }
        throw e;
      }
    });
  };
  changes.approvals.onApproved('config', async (req, principal, approvalId) => startedBy(await updateConfig({ ...(req as { id: string; data: Record<string, string>; baseRevision: number; reason: string }), approvalId }, principal)));

  mount(r, ROUTES.updateConfig, store, ({ params, body, principal }) => updateConfig({ ...params, ...body }, principal), {
    denial: (_req, { id }) => ({ action: 'config.update', commons: id }),
  });

  return r;
}
