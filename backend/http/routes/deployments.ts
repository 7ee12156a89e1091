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
import type { DeploymentRequest } from '../../../contracts/api';
import type { Principal } from '../../auth/principal';
import { commonsIdFor } from '../../gateway/slug';
import { type ChangeRoutesDeps, gated, startedBy } from '../gated';
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
  deployments: Pick<DeploymentService, 'templates' | 'profiles' | 'plan' | 'apply' | 'list' | 'view' | 'cancel' | 'revisions' | 'revision' | 'rollback' | 'rollbackTarget'>;
  releases: Pick<ReleaseCatalog, 'list' | 'get' | 'import'>;
  /** The change gate applies and rollbacks ask first. */
  changes: ChangeRoutesDeps;
}

export function deploymentsRouter({ store, deployments, releases, changes }: DeploymentRoutesDeps): Router {
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

  // An apply asks the change gate first; held for approval, it is replayed through `apply` once approved.
  const apply = async ({ approvalId, override, ...req }: DeploymentRequest, principal: Principal) => {
    const commons = req.commons ?? commonsIdFor(req.newCommons!.hostname);
    // Planned first: a request that cannot be applied is refused now, not after someone approved it; the plan says what an approver approves.
    const plan = await deployments.plan({ ...req, mode: 'plan' });
    const changing = plan.services.filter((x) => x.changes).length;
    const blueprint = [req.template && `template ${req.template}`, req.profile && `profile ${req.profile}`, req.overrides && `${Object.keys(req.overrides).length} override key(s)`].filter(Boolean).join(', ');
    const change = {
      kind: 'deploy' as const,
      commons,
      principal,
      reason: req.reason,
      release: req.release,
      approvalId,
      override,
      summary: `deploy release ${req.release} to ${req.newCommons ? `new commons ${commons}` : commons} as revision ${plan.nextRevision}${blueprint ? ` (${blueprint})` : ''}: ${changing} service(s) change`,
      request: req,
    };
    return gated(changes, change, { action: 'deployment.apply' }, async () => {
      const view = await deployments.apply(req, principal);
      return { status: 202 as const, location: `/api/v1/deployments/${view.id}`, body: { deployment: view } };
    });
  };
  changes.approvals.onApproved('deploy', async (req, principal, approvalId) => startedBy(await apply({ ...(req as DeploymentRequest), approvalId }, principal)));

  mount(
    r,
    ROUTES.createDeployment,
    store,
    async ({ body, principal }) => {
      if (body.mode === 'plan') return { status: 200, body: await deployments.plan(body) };
      return apply(body, principal);
    },
    {
      // Refused before its body is parsed: audited as what it claimed to be.
      denial: (req) => {
        const claimed = req.body as { mode?: unknown; commons?: unknown } | undefined;
        return { action: claimed?.mode === 'apply' ? 'deployment.apply' : 'deployment.plan', commons: typeof claimed?.commons === 'string' ? claimed.commons.slice(0, 63) : null };
      },
    },
  );

  mount(r, ROUTES.listDeployments, store, async ({ query }) => ({ status: 200, body: { items: await deployments.list(query) } }));

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

  const rollback = async ({ id, approvalId, override, ...req }: { id: string; toRevision: number; reason: string; baseRevision?: number | null; approvalId?: string; override?: { reason: string } }, principal: Principal) => {
    // The release it moves back to, for the policies' allowed releases (a revision that does not exist is refused here).
    const target = await deployments.rollbackTarget(id, req.toRevision);
    const change = { kind: 'rollback' as const, commons: id, principal, reason: req.reason, release: target.release, approvalId, override, summary: `roll ${id} back to revision ${req.toRevision} (release ${target.release})`, request: { id, ...req } };
    return gated(changes, change, { action: 'deployment.rollback' }, async () => {
      const view = await deployments.rollback(id, req, principal);
      return { status: 202 as const, location: `/api/v1/deployments/${view.id}`, body: { deployment: view } };
    });
  };
  changes.approvals.onApproved('rollback', async (req, principal, approvalId) => startedBy(await rollback({ ...(req as { id: string; toRevision: number; reason: string }), approvalId }, principal)));

  mount(r, ROUTES.rollback, store, ({ params: { id }, body, principal }) => rollback({ id, ...body }, principal), {
    denial: (_req, { id }) => ({ action: 'deployment.rollback', commons: id }),
  });

  return r;
}
