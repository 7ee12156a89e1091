// /api/v1/commons: the fleet, one commons, and the actions on its services.
import { Router } from 'express';
import { CommonsPath, ConfigRequest, JobPath, RestartRequest, RunJobRequest, ScaleRequest, ServicePath } from '../../../contracts/api';
import { can } from '../../../contracts/roles';
import { ConflictError } from '../../store/store';
import { argoApplications, argoOwnership } from '../../fleet/gitops-owned';
import { audit } from '../../audit/record';
import { configChangeErrors, configChanges } from '../../commands/config-change';
import { globalChange } from '../../../contracts/gen3/global-config';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { HttpProblem, notFound } from '../problem';
import { jsonBody, parse } from '../validate';


export function commonsRouter(ctx: ApiContext): Router {
  const r = Router();
  const { fleet, store, commands } = ctx;

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

  r.get('/commons', async (req, res) => {
    await requirePermission(req, store, 'fleet:read');
    res.json({ items: fleet.all().map((c) => fleet.summary(c)) });
  });

  r.get('/commons/:id', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    const p = await requirePermission(req, store, 'fleet:read');
    res.json(fleet.detail(liveCommons(id), can(p.role, 'details:read')));
  });

  r.delete('/commons/:id', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'agents:manage', { action: 'commons.remove', commons: id });
    const c = liveCommons(id);
    const agent = c.agent.id ? await store.getAgent(c.agent.id) : undefined;
    if (agent && !agent.revoked) {
      throw new HttpProblem(409, 'Commons still has an agent', `agent ${agent.id} still serves ${id}; revoke it first (DELETE /api/v1/agents/${agent.id}), then remove the commons`);
    }
    await audit(store, principal, { action: 'commons.remove', outcome: 'succeeded', commons: id, detail: { hostname: c.hostname } });
    await store.deleteCommons(id);
    fleet.remove(id);
    res.status(204).end();
  });

  r.get('/commons/:id/config/revisions', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    await requirePermission(req, store, 'details:read');
    liveCommons(id);
    const rows = await store.listConfigRevisions(id);
    res.json({
      items: rows.map((r) => ({ revision: r.revision, author: r.author, createdAt: r.created_at, state: r.state, commandId: r.command_id, data: JSON.parse(r.data_json) })),
    });
  });

  r.post('/commons/:id/services/:service/restart', async (req, res) => {
    const { id, service } = parse(ServicePath, req.params, 'path');
    const principal = await requirePermission(req, store, 'services:operate', { action: 'service.restart', commons: id, service });
    liveService(id, service);
    if (req.body !== undefined) parse(RestartRequest, jsonBody(req), 'body');
    const restartedAt = new Date().toISOString();
    const row = await commands.create({
      kind: 'restart',
      commonsId: id,
      service,
      target: { restartedAt },
      principal,
      action: 'service.restart',
      detail: { restartedAt },
    });
    res.status(202).location(`/api/v1/commands/${row.id}`).json({ command: { id: row.id, state: row.state, kind: row.kind } });
  });

  r.post('/commons/:id/services/:service/scale', async (req, res) => {
    const { id, service } = parse(ServicePath, req.params, 'path');
    const principal = await requirePermission(req, store, 'services:operate', { action: 'service.scale', commons: id, service });
    const c = liveService(id, service);
    const { replicas } = parse(ScaleRequest, jsonBody(req), 'body');
    const hpa = await ctx.deployments.hpaRangeOf(id, service);
    if (hpa) {
      const detail = `an HPA manages ${service}'s replicas (${service}-hpa, ${hpa.min}–${hpa.max}); it would override a scale at its next sync. Change the range with a deploy (overrides ${hpa.field}.minReplicas/maxReplicas)`;
      throw new HttpProblem(409, 'Replicas managed by an HPA', detail, [{ field: 'path.service', message: detail }]);
    }
    const argo = argoApplications(c);
    if (argo.length) {
      // A scale made in the cluster would be reverted by ArgoCD's self-heal: it goes through GitOps as a revision.
      if (!ctx.deployments.gitopsEnabled) {
        const detail = `${argoOwnership(argo, c)}. DCOC has no GitOps repository configured (DCOC_GITOPS_REPO, DCOC_GITOPS_CLUSTER); change ${service}'s replicaCount in the repository the Application syncs, or configure DCOC's GitOps and scale again`;
        throw new HttpProblem(409, 'Commons managed by ArgoCD', detail, [{ field: 'path.id', message: detail }]);
      }
      const deployment = await ctx.deployments.scaleThroughGitOps(id, service, replicas, principal);
      res.status(202).location(`/api/v1/deployments/${deployment.id}`).json({ deployment });
      return;
    }
    const row = await commands.create({ kind: 'scale', commonsId: id, service, target: { replicas }, principal, action: 'service.scale', detail: { replicas } });
    res.status(202).location(`/api/v1/commands/${row.id}`).json({ command: { id: row.id, state: row.state, kind: row.kind } });
  });

  // The CronJobs the commons' agent reported, each with its last run.
  r.get('/commons/:id/jobs', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    await requirePermission(req, store, 'fleet:read');
    res.json(fleet.jobs(liveCommons(id)));
  });

  r.post('/commons/:id/jobs/:cronjob/run', async (req, res) => {
    const { id, cronjob } = parse(JobPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'services:operate', { action: 'job.run', commons: id, service: cronjob });
    const c = liveCommons(id);
    if (req.body !== undefined) parse(RunJobRequest, jsonBody(req), 'body');
    // Only a CronJob the commons has; until its agent has reported them (an older agent), the agent judges.
    const has = c.cronjobs?.items.map((j) => j.name);
    if (has && !has.includes(cronjob)) {
      const known = has.join(', ') || 'none';
      throw new HttpProblem(404, 'No such CronJob', `commons ${id} has no CronJob ${cronjob}; it has: ${known} (GET /api/v1/commons/${id}/jobs)`, [
        { field: 'path.cronjob', message: `not a CronJob of commons ${id}; it has: ${known}` },
      ]);
    }
    const row = await commands.create({ kind: 'run-job', commonsId: id, service: cronjob, target: { cronjob }, principal, action: 'job.run', detail: { cronjob } });
    res.status(202).location(`/api/v1/commands/${row.id}`).json({ command: { id: row.id, state: row.state, kind: row.kind } });
  });

  r.put('/commons/:id/config', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'config:write', { action: 'config.update', commons: id });
    const c = liveCommons(id);
    const { data, baseRevision, reason } = parse(ConfigRequest, jsonBody(req), 'body');
    if (baseRevision !== c.config.revision) {
      throw new HttpProblem(409, 'Stale config revision', `the config is at revision ${c.config.revision}, not ${baseRevision}; reload it, re-apply your change and send baseRevision ${c.config.revision}`, [
        { field: 'body.baseRevision', message: `current revision is ${c.config.revision}` },
      ]);
    }
    const errors = configChangeErrors(c.config.data, data);
    if (errors.length > 0) throw new HttpProblem(422, 'Config change refused', `${errors.length} field(s) cannot be written: ${errors.map((e) => e.field).join(', ')}`, errors);
    const route = await ctx.deployments.configRoute(id);
    if (route.route === 'refuse') throw new HttpProblem(409, 'Config is rendered from the values', route.why, [{ field: 'path.id', message: route.why }]);
    if (route.route === 'values') {
      // helm (or ArgoCD) renders manifest-global from global.*: the change is a revision of the values, applied like a deploy.
      const change = globalChange(c.config.data, data);
      if (change.errors.length) throw new HttpProblem(422, 'Config change refused', `${change.errors.length} field(s) cannot be expressed in gen3-helm's global values: ${change.errors.map((e) => e.field).join(', ')}`, change.errors);
      // The revision and its deployment.apply audit entry are written together before anything rolls; this entry says what the config change was.
      const deployment = await ctx.deployments.configThroughValues(id, change, reason, principal);
      await audit(store, principal, {
        action: 'config.update',
        outcome: 'accepted',
        commons: id,
        detail: { baseRevision, reason, via: 'values', deployment: deployment.id, revision: deployment.revision, global: change.global, restart: change.restart, changes: configChanges(c.config.data, data) },
      });
      res.status(202).location(`/api/v1/deployments/${deployment.id}`).json({ deployment, revision: deployment.revision });
      return;
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
        detail: { revision, baseRevision, reason, changes: configChanges(c.config.data, data) },
        configRevision: { revision, data },
      });
      res.status(202).location(`/api/v1/commands/${row.id}`).json({ command: { id: row.id, state: row.state, kind: row.kind }, revision });
    } catch (e) {
      if (e instanceof ConflictError) {
        throw new HttpProblem(409, 'Config change in progress', `${e.message}; wait for it to finish, reload and retry`, [{ field: 'body.baseRevision', message: e.message }]);
      }
      throw e;
    }
  });

  return r;
}
