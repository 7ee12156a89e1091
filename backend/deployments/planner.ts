// Planning a deployment: which commons (existing, or new and not yet
// known), the template, profile, release and overrides (an existing commons'
// current revision supplies what the request leaves out), the rendered and
// validated values, the diff against the current revision (or what the agent
// reports, or nothing), the per-service image changes, and warnings. Reads
// only: plan and apply compute exactly the same thing.
import type { DeploymentPlan, DeploymentRequest, ReleaseView, ServiceProgress } from '../../contracts/api';
import type { Fleet, LiveCommons } from '../fleet/fleet';
import { argoApplications, argoOwnership } from '../fleet/gitops-owned';
import { commonsIdFor } from '../gateway/slug';
import { Conflict, type FieldIssue, Invalid, NotFound } from '../domain/errors';
import type { RevisionRow, Store } from '../store/store';
import type { Blueprints } from './blueprints';
import { chartOfService } from '../../contracts/gen3/charts';
import { type ValueChange, structuredDiff, unifiedDiff } from './diff';
import type { GitOps } from './gitops';
import type { ReleaseCatalog } from './release-catalog';
import { databaseWarning, deployTarget, enabledCharts, hpaNotes, netPolicyWarning, observedValues, render, unversionedCharts } from './render';
import { type Values, deepMerge, getPath, isMap, toYaml } from './values';

export interface PlannerDeps {
  store: Store;
  fleet: Fleet;
  catalog: ReleaseCatalog;
  blueprints: Blueprints;
  gitops: GitOps | null;
  deployDeadlineMs: number;
}

export interface CommonsRef {
  id: string;
  hostname: string;
  environment: string;
  name: string;
  namespace: string;
  exists: boolean;
  live: LiveCommons | undefined;
}

/** Everything apply needs, computed identically by plan. */
export interface Prepared {
  commons: CommonsRef;
  template: string;
  profile: string;
  release: string;
  overrides: Values;
  base: { source: 'revision' | 'observed' | 'none'; row: RevisionRow | undefined; values: Values };
  values: Values;
  yaml: string;
  diff: { text: string; changes: ValueChange[] };
  services: (ServiceProgress & { changes: boolean })[];
  warnings: string[];
  /** Who changes the cluster: the agent, or ArgoCD syncing the GitOps commit (the agent then only follows). */
  appliedBy: 'agent' | 'argocd';
  /** Why apply must refuse these values (ArgoCD owns the commons and DCOC has no GitOps to route through), or null. */
  refusal: string | null;
}

export const invalid = (errors: FieldIssue[]) => new Invalid('Invalid deployment', errors);

/**
 * The overrides of the next revision: the request's, or the current ones.
 * `global` carries over either way (the request's merged over it; null stops
 * overriding a key): config changes live there (global-config.ts), and a
 * deploy that sends its own overrides must not undo them.
 */
export function carryGlobal(current: Values, requested: Values | undefined): Values {
  if (!requested) return current;
  if (!isMap(current.global)) return requested;
  const global = deepMerge(current.global, isMap(requested.global) ? requested.global : {});
  return { ...requested, ...(Object.keys(global).length ? { global } : {}) };
}

export class Planner {
  constructor(private readonly d: PlannerDeps) {}


  async commonsRef(id: string): Promise<CommonsRef> {
    const live = this.d.fleet.get(id);
    const row = live ? undefined : await this.d.store.getCommons(id);
    const c = live ?? row;
    if (!c) throw new NotFound(`commons ${id} (to deploy a new commons, send newCommons instead of commons)`);
    return { id, hostname: c.hostname, environment: c.environment, name: c.name, namespace: c.namespace, exists: true, live };
  }

  async prepare(req: DeploymentRequest): Promise<Prepared> {
    let commons: CommonsRef;
    if (req.newCommons) {
      const n = req.newCommons;
      const id = commonsIdFor(n.hostname);
      if (this.d.fleet.get(id) || (await this.d.store.getCommons(id))) {
        throw new Conflict('Commons exists', `commons ${id} (${n.hostname}) already exists; deploy to it with "commons": "${id}"`, [{ field: 'body.newCommons.hostname', message: `commons ${id} already exists` }]);
      }
      commons = { id, hostname: n.hostname, environment: n.environment, name: n.name ?? n.hostname, namespace: n.namespace ?? '', exists: false, live: undefined };
    } else {
      commons = await this.commonsRef(req.commons!);
    }
    const current = commons.exists ? await this.d.store.currentRevision(commons.id) : undefined;
    const errors: { field: string; message: string }[] = [];
    const pick = <T>(field: 'template' | 'profile', given: string | undefined, from: string | undefined, all: Map<string, T>): [string, T | undefined] => {
      const name = given ?? from;
      if (!name) errors.push({ field: `body.${field}`, message: `required: ${commons.id} has no revision to take the ${field} from (known: ${[...all.keys()].join(', ')})` });
      else if (!all.has(name)) errors.push({ field: `body.${field}`, message: `unknown ${field} ${name}; known: ${[...all.keys()].join(', ')}` });
      return [name ?? '', name ? all.get(name) : undefined];
    };
    const [templateName, template] = pick('template', req.template, current?.template, this.d.blueprints.templates);
    const [profileName, profile] = pick('profile', req.profile, current?.profile, this.d.blueprints.profiles);
    const release = await this.d.catalog.get(req.release);
    if (!release) {
      const known = (await this.d.catalog.list()).map((r) => r.version);
      errors.push({ field: 'body.release', message: `unknown release ${req.release}; known: ${known.join(', ')} (import others with POST /api/v1/releases)` });
    }
    if (errors.length || !template || !profile || !release) throw invalid(errors);

    const overrides = carryGlobal(current ? (JSON.parse(current.overrides_json) as Values) : {}, req.overrides);
    const r = render({ hostname: commons.hostname, environment: commons.environment, template, profile, release, overrides });
    if (r.errors.length) throw invalid(r.errors);
    return this.forValues(commons, current, { template: templateName, profile: profileName, release: release.version, overrides, values: r.values });
  }

  /** Base, diff and per-service plan for values about to become a revision of `commons`. */
  forValues(
    commons: CommonsRef,
    current: RevisionRow | undefined,
    p: { template: string; profile: string; release: string; overrides: Values; values: Values },
  ): Prepared {
    const live = commons.live;
    const liveServices = live ? [...live.services.values()] : [];
    const base: Prepared['base'] = current
      ? { source: 'revision', row: current, values: JSON.parse(current.values_json) as Values }
      : liveServices.length
        ? { source: 'observed', row: undefined, values: observedValues(commons.hostname, commons.environment, liveServices) }
        : { source: 'none', row: undefined, values: {} };
    const yaml = toYaml(p.values);
    const path = this.d.gitops?.pathFor(commons.hostname) ?? `${commons.hostname}/values/values.yaml`;
    const from = base.source === 'none' ? '/dev/null' : `a/${path} (${base.source === 'revision' ? `revision ${current!.revision}` : 'as observed'})`;
    const diff = {
      text: unifiedDiff(base.source === 'none' ? '' : toYaml(base.values), yaml, { from, to: `b/${path}` }),
      changes: structuredDiff(base.values, p.values),
    };

    const target = deployTarget(p.values);
    const baseTarget = base.source === 'none' ? { images: {}, replicas: {} } : deployTarget(base.values);
    const services = Object.keys(target.images)
      .sort()
      .map((name) => {
        const s = live?.services.get(name);
        const fromImage = s?.image ?? (baseTarget.images as Record<string, string>)[name] ?? null;
        const to = target.images[name];
        const chartReplicas = getPath(p.values, [chartOfService(name) ?? name, 'replicaCount']);
        const desired = target.replicas[name] ?? s?.desiredReplicas ?? (typeof chartReplicas === 'number' ? chartReplicas : 0);
        const changes = fromImage !== to || (target.replicas[name] !== undefined && s !== undefined && s.desiredReplicas !== target.replicas[name]);
        return { name, from: fromImage, to, state: changes ? ('pending' as const) : ('done' as const), updated: 0, ready: s?.readyReplicas ?? 0, desired, message: changes ? 'pending' : 'unchanged', changes };
      });

    const warnings: string[] = [];
    const argo = argoApplications(live);
    let refusal: string | null = null;
    if (argo.length && this.d.gitops) {
      warnings.push(`${argoOwnership(argo, commons)}. So this revision is committed to ${this.d.gitops.displayRepo} and ArgoCD applies it; the agent changes nothing itself and follows the rollout`);
    } else if (argo.length) {
      refusal = `${argoOwnership(argo, commons)}. DCOC has no GitOps repository configured (DCOC_GITOPS_REPO, DCOC_GITOPS_CLUSTER), so it cannot deploy here: configure the repository the Application syncs from, or change the values there yourself`;
      warnings.push(`${refusal}; apply will be refused`);
    }
    const deadline = `${Math.round(this.d.deployDeadlineMs / 60_000)} min`;
    if (!commons.exists) {
      warnings.push(
        `${commons.hostname} is a new commons with no agent: apply records the revision${this.d.gitops ? ' and commits it to GitOps' : ''}, and the rollout waits (up to ${deadline}) for an agent of ${commons.hostname} to enroll and connect`,
      );
    } else if (!live || !this.d.fleet.online(live)) {
      warnings.push(`no agent of ${commons.hostname} is connected: the rollout starts when one connects (up to ${deadline})`);
    }
    // What the agent does with the values decides what is worth saying (null: not known yet, so say it all).
    const method = live?.agent.deployMethod ?? null;
    const viaHelm = method === 'helm-upgrade' || method === 'helm-template';
    const db = databaseWarning(p.values);
    if (db && (viaHelm || method === null || this.d.gitops)) warnings.push(db);
    const unversioned = unversionedCharts(p.values);
    if (unversioned.length) {
      warnings.push(
        `release ${p.release} has no image for ${unversioned.join(', ')}: gen3-helm's own default image runs there (for metadata a feature-branch tag in gen3-helm 42cc46bc), and DCOC does not follow their rollout; pin one with overrides.<chart>.image.tag, or import a release that names them`,
      );
    }
    warnings.push(...hpaNotes(p.values, target, argo.length ? 'argocd' : method));
    const netPolicy = netPolicyWarning(p.values);
    if (netPolicy) warnings.push(netPolicy);
    if (liveServices.length) {
      const missing = Object.keys(target.images).filter((s) => !live!.services.has(s));
      if (missing.length && viaHelm) {
        warnings.push(`enabled but not running in ${commons.hostname} yet: ${missing.join(', ')}; the agent's ${method === 'helm-upgrade' ? 'helm upgrade' : 'helm template and apply'} creates them`);
      } else if (missing.length) {
        const creator = this.d.gitops ? 'your GitOps sync (ArgoCD)' : 'helm';
        warnings.push(
          method === null
            ? `enabled but not running in ${commons.hostname}: ${missing.join(', ')}. An agent deploying with the gen3-helm chart (--helm-chart) creates them; one without a chart updates running Deployments only, so there the rollout fails unless ${creator} creates them first`
            : `enabled but not running in ${commons.hostname}: ${missing.join(', ')}. Its agent updates running Deployments only (it runs without --helm-chart), so the rollout fails unless ${creator} creates them first`,
        );
      }
      const enabled = new Set(enabledCharts(p.values));
      const extra = liveServices.map((s) => s.name).filter((n) => !target.images[n] && !enabled.has(n));
      if (extra.length) {
        const FATE: Record<string, string> = { 'helm-upgrade': 'helm upgrade removes them', 'helm-template': 'the agent leaves them running (helm template does not delete)' };
        const fate = method === null ? 'helm upgrade removes them, other agents leave them running' : (FATE[method] ?? 'the agent leaves them running');
        warnings.push(`running in ${commons.hostname} but disabled in these values: ${extra.join(', ')}; ${fate}`);
      }
    }
    return { commons, ...p, base, yaml, diff, services, warnings, appliedBy: argo.length ? 'argocd' : 'agent', refusal };
  }

  async plan(req: DeploymentRequest): Promise<DeploymentPlan> {
    const p = await this.prepare(req);
    const top = p.commons.exists ? (await this.d.store.listRevisions(p.commons.id))[0]?.revision ?? 0 : 0;
    const release = (await this.d.catalog.get(p.release)) as ReleaseView;
    return {
      mode: 'plan',
      commons: { id: p.commons.id, hostname: p.commons.hostname, environment: p.commons.environment, exists: p.commons.exists, agentConnected: !!p.commons.live && this.d.fleet.online(p.commons.live) },
      template: p.template,
      profile: p.profile,
      release: { version: release.version, name: release.name },
      overrides: p.overrides,
      base: { source: p.base.source, revision: p.base.row?.revision ?? null },
      nextRevision: top + 1,
      values: p.values,
      valuesYaml: p.yaml,
      diff: p.diff,
      services: p.services,
      warnings: p.warnings,
      gitops: { enabled: !!this.d.gitops, path: this.d.gitops?.pathFor(p.commons.hostname) ?? null },
    };
  }
}
