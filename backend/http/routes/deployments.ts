// /api/v1/deployments, releases, templates, profiles, and a commons'
// revisions and rollback. Plans are read-only; apply, rollback, cancel and
// release imports need deployments:write and are audited (refusals too).
import { Router } from 'express';
import type { ProfileView, TemplateView } from '../../../contracts/api';
import { ROUTES } from '../../../contracts/routes';
import { sizing } from '../../deployments/blueprints';
import type { Profile } from '../../deployments/blueprints';
import type { ReleaseCatalog } from '../../deployments/release-catalog';
import { ReleaseFormatError } from '../../deployments/release-parse';
import type { DeploymentService } from '../../deployments/service';
import { ConflictError, type Store } from '../../store/store';
import { mount } from '../mount';
import { HttpProblem, notFound } from '../problem';


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

export interface DeploymentRoutesDeps {
  store: Store;
  deployments: Pick<DeploymentService, 'templates' | 'profiles' | 'plan' | 'apply' | 'list' | 'view' | 'cancel' | 'revisions' | 'revision' | 'rollback'>;
  releases: Pick<ReleaseCatalog, 'list' | 'get' | 'import'>;
}

export function deploymentsRouter({ store, deployments, releases }: DeploymentRoutesDeps): Router {
  const r = Router();

  mount(r, ROUTES.listReleases, store, async () => ({ status: 200, body: { items: await releases.list() } }));

  mount(r, ROUTES.getRelease, store, async ({ params: { version } }) => {
    const rel = await releases.get(version);
    if (!rel) throw notFound(`release ${version}`);
    return { status: 200, body: rel };
  });

  mount(
    r,
    ROUTES.importRelease,
    store,
    async ({ body, principal }) => {
      try {
        const out = await releases.import(body, principal);
        return { status: 201, location: `/api/v1/releases/${out.release.version}`, body: out };
      } catch (e) {
        if (e instanceof ReleaseFormatError) throw new HttpProblem(422, 'Invalid release', e.message, [{ field: e.field, message: e.message }]);
        if (e instanceof ConflictError) throw new HttpProblem(409, 'Release exists', `${e.message}; releases are immutable, import it under another version`, [{ field: 'body.version', message: e.message }]);
        throw e;
      }
    },
    { denial: () => ({ action: 'release.import' }) },
  );

  mount(r, ROUTES.listTemplates, store, () => ({
    status: 200,
    body: { items: deployments.templates().map((t): TemplateView => ({ name: t.name, description: t.description, services: t.services, global: t.global })) },
  }));

  mount(r, ROUTES.listProfiles, store, () => ({ status: 200, body: { items: deployments.profiles().map(profileView) } }));

  mount(
    r,
    ROUTES.createDeployment,
    store,
    async ({ body, principal }) => {
      if (body.mode === 'plan') return { status: 200, body: await deployments.plan(body) };
      const view = await deployments.apply(body, principal);
      return { status: 202, location: `/api/v1/deployments/${view.id}`, body: { deployment: view } };
    },
    {
      // Refused before its body is parsed: audited as what it claimed to be.
      denial: (req) => {
        const claimed = req.body as { mode?: unknown; commons?: unknown } | undefined;
        return { action: claimed?.mode === 'apply' ? 'deployment.apply' : 'deployment.plan', commons: typeof claimed?.commons === 'string' ? claimed.commons.slice(0, 63) : null };
      },
    },
  );

  mount(r, ROUTES.listDeployments, store, async ({ query, access }) => ({
    status: 200,
    body: { items: await deployments.list({ ...query, commonsIn: access.visibleCommons(ROUTES.listDeployments.permission) ?? undefined }) },
  }));

  mount(r, ROUTES.getDeployment, store, async ({ params: { id } }) => ({ status: 200, body: await deployments.view(id, true) }));

  mount(
    r,
    ROUTES.cancelDeployment,
    store,
    async ({ params: { id }, principal }) => ({ status: 200, body: { deployment: await deployments.cancel(id, principal) } }),
    { denial: () => ({ action: 'deployment.cancel' }) },
  );

  mount(r, ROUTES.listRevisions, store, async ({ params: { id } }) => ({ status: 200, body: { items: await deployments.revisions(id) } }));

  mount(r, ROUTES.getRevision, store, async ({ params: { id, n } }) => ({ status: 200, body: await deployments.revision(id, n) }));

  mount(
    r,
    ROUTES.rollback,
    store,
    async ({ params: { id }, body, principal }) => {
      const view = await deployments.rollback(id, body, principal);
      return { status: 202, location: `/api/v1/deployments/${view.id}`, body: { deployment: view } };
    },
    { denial: (_req, { id }) => ({ action: 'deployment.rollback', commons: id }) },
  );

  return r;
}
