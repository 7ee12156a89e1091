// /api/v1/deployments, releases, templates, profiles, and a commons'
// revisions and rollback. Plans are read-only; apply, rollback, cancel and
// release imports need deployments:write and are audited (refusals too).
import { Router } from 'express';
import type { ProfileView, TemplateView } from '../../../contracts/api';
import { CommonsPath, DeploymentListQuery, DeploymentRequest, ReleaseImportRequest, ReleasePath, RevisionPath, RollbackRequest, UuidPath } from '../../../contracts/api';
import { sizing } from '../../deployments/blueprints';
import type { Profile } from '../../deployments/blueprints';
import type { ReleaseCatalog } from '../../deployments/release-catalog';
import { ReleaseFormatError } from '../../deployments/release-parse';
import type { DeploymentService } from '../../deployments/service';
import { ConflictError } from '../../store/store';
import { requirePermission } from '../auth';
import type { ApiContext } from '../context';
import { HttpProblem, notFound } from '../problem';
import { jsonBody, parse } from '../validate';


function profileView(p: Profile): ProfileView {
  return {
    name: p.name,
    description: p.description,
    global: p.global,
    replicas: p.replicas,
    services: Object.fromEntries(Object.keys(p.services).map((c) => {
      const s = sizing(p, c);
      return [c, { replicas: s.replicas, max: s.max, autoscaling: s.autoscaling ?? null }];
    })),
  };
}

export function deploymentsRouter(ctx: ApiContext, deployments: DeploymentService, catalog: ReleaseCatalog): Router {
  const r = Router();
  const { store } = ctx;

  r.get('/releases', async (req, res) => {
    await requirePermission(req, store, 'details:read');
    res.json({ items: await catalog.list() });
  });

  r.get('/releases/:version', async (req, res) => {
    const { version } = parse(ReleasePath, req.params, 'path');
    await requirePermission(req, store, 'details:read');
    const rel = await catalog.get(version);
    if (!rel) throw notFound(`release ${version}`);
    res.json(rel);
  });

  r.post('/releases', async (req, res) => {
    const principal = await requirePermission(req, store, 'deployments:write', { action: 'release.import' });
    const body = parse(ReleaseImportRequest, jsonBody(req), 'body');
    try {
      const out = await catalog.import(body, principal);
      res.status(201).location(`/api/v1/releases/${out.release.version}`).json(out);
    } catch (e) {
      if (e instanceof ReleaseFormatError) throw new HttpProblem(422, 'Invalid release', e.message, [{ field: e.field, message: e.message }]);
      if (e instanceof ConflictError) throw new HttpProblem(409, 'Release exists', `${e.message}; releases are immutable, import it under another version`, [{ field: 'body.version', message: e.message }]);
      throw e;
    }
  });

  r.get('/templates', async (req, res) => {
    await requirePermission(req, store, 'details:read');
    res.json({ items: deployments.templates().map((t): TemplateView => ({ name: t.name, description: t.description, services: t.services, global: t.global })) });
  });

  r.get('/profiles', async (req, res) => {
    await requirePermission(req, store, 'details:read');
    res.json({ items: deployments.profiles().map(profileView) });
  });

  r.post('/deployments', async (req, res) => {
    const claimed = req.body as { mode?: unknown; commons?: unknown } | undefined;
    const action = claimed?.mode === 'apply' ? 'deployment.apply' : 'deployment.plan';
    const principal = await requirePermission(req, store, 'deployments:write', { action, commons: typeof claimed?.commons === 'string' ? claimed.commons.slice(0, 63) : null });
    const body = parse(DeploymentRequest, jsonBody(req), 'body');
    if (body.mode === 'plan') {
      res.json(await deployments.plan(body));
      return;
    }
    const view = await deployments.apply(body, principal);
    res.status(202).location(`/api/v1/deployments/${view.id}`).json({ deployment: view });
  });

  r.get('/deployments', async (req, res) => {
    await requirePermission(req, store, 'details:read');
    const q = parse(DeploymentListQuery, req.query, 'query');
    res.json({ items: await deployments.list(q) });
  });

  r.get('/deployments/:id', async (req, res) => {
    const { id } = parse(UuidPath, req.params, 'path');
    await requirePermission(req, store, 'details:read');
    res.json(await deployments.view(id, true));
  });

  r.post('/deployments/:id/cancel', async (req, res) => {
    const { id } = parse(UuidPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'deployments:write', { action: 'deployment.cancel' });
    res.json({ deployment: await deployments.cancel(id, principal) });
  });

  r.get('/commons/:id/revisions', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    await requirePermission(req, store, 'details:read');
    res.json({ items: await deployments.revisions(id) });
  });

  r.get('/commons/:id/revisions/:n', async (req, res) => {
    const { id, n } = parse(RevisionPath, req.params, 'path');
    await requirePermission(req, store, 'details:read');
    res.json(await deployments.revision(id, n));
  });

  r.post('/commons/:id/rollback', async (req, res) => {
    const { id } = parse(CommonsPath, req.params, 'path');
    const principal = await requirePermission(req, store, 'deployments:write', { action: 'deployment.rollback', commons: id });
    const body = parse(RollbackRequest, jsonBody(req), 'body');
    const view = await deployments.rollback(id, body, principal);
    res.status(202).location(`/api/v1/deployments/${view.id}`).json({ deployment: view });
  });

  return r;
}
