// The deploy command: bring the commons to revision R, a Gen3 release given
// as an image per service (and replica counts where no HPA manages them) and
// the revision's gen3-helm values. Target state: an image driver changes only
// services whose image or replicas differ; a chart driver (helm) applies the
// whole revision, which changes what the values change. Every rollout is
// followed and reported per service; a repeat changes nothing more.
// Platforms supply a driver.
import type { ServiceProgress } from '../../contracts/api';
import { type CommandSpec, type ExecContext, ExecError, type ExecResult, type Executor } from './executor';

export interface DeployTarget {
  revision: number;
  release: string;
  images: Record<string, string>;
  replicas: Record<string, number>;
  /** The revision's values for the gen3-helm umbrella chart (chart drivers need them). */
  values?: Record<string, unknown>;
  /**
   * HPA ranges the chart cannot express, service → range: presigned-url-fence's
   * (gen3-helm renders presigned-url-fence-hpa from fence's values). Chart
   * drivers set them on `<service>-hpa` as they apply the revision.
   */
  hpa?: Record<string, HpaRange>;
  /**
   * 'argocd': an ArgoCD Application owns the commons and applies the
   * revision from GitOps; the agent changes nothing and follows the rollout.
   */
  appliedBy?: 'argocd';
  /** Services to restart once rolled out: they read a config key this revision changes as env at start. */
  restartAfter?: string[];
}

export interface HpaRange {
  min: number;
  max: number;
}

export interface RolloutStatus {
  image: string;
  updated: number;
  ready: number;
  desired: number;
  done: boolean;
  /** Why the rollout cannot finish (ImagePullBackOff, ProgressDeadlineExceeded, ...). */
  failure?: string;
}

export interface DeployDriver {
  /** The service's current image and desired replicas; undefined when it is not deployed here. */
  current(service: string): { image: string; desired: number } | undefined;
  /** Image drivers: changes one service's image (and replicas); the platform starts rolling it. */
  apply?(service: string, change: { image: string; replicas?: number }): Promise<void>;
  /**
   * Chart drivers: applies the whole revision (creating services not deployed
   * yet) and says what was done. Every service of the target is then followed.
   */
  applyRevision?(target: DeployTarget & { values: Record<string, unknown> }, signal: AbortSignal): Promise<string>;
  rollout(service: string): RolloutStatus;
  /** A rolling restart (pod template restartedAt); nothing when the pods already carry it. */
  restart?(service: string, restartedAt: string): Promise<void>;
  /** After every service is rolled out. */
  finished?(target: DeployTarget): void;
}

export function parseDeployTarget(t: Record<string, unknown>): DeployTarget {
  const { revision, release, images, replicas = {}, values, appliedBy, hpa, restartAfter } = t as Partial<DeployTarget>;
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) throw new ExecError('deploy needs target.revision (a whole number ≥ 1)');
  if (typeof release !== 'string' || !release) throw new ExecError('deploy needs target.release');
  if (!isRecord(images) || !Object.values(images).every((i) => typeof i === 'string' && i.includes(':'))) throw new ExecError('deploy needs target.images: service → image:tag');
  if (!isRecord(replicas) || !Object.values(replicas).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
    throw new ExecError('deploy target.replicas must map services to whole numbers');
  }
  if (values !== undefined && !isRecord(values)) throw new ExecError('deploy target.values must be a mapping of gen3-helm values');
  if (appliedBy !== undefined && appliedBy !== 'argocd') throw new ExecError('deploy target.appliedBy must be "argocd" when set');
  if (restartAfter !== undefined && !(Array.isArray(restartAfter) && restartAfter.every((s) => typeof s === 'string' && /^[a-z0-9-]{1,63}$/.test(s)))) {
    throw new ExecError('deploy target.restartAfter must list service names');
  }
  const whole = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (hpa !== undefined && (!isRecord(hpa) || !Object.values(hpa).every((r) => isRecord(r) && whole(r.min) && whole(r.max) && (r.min as number) <= (r.max as number)))) {
    throw new ExecError('deploy target.hpa must map services to {min, max}, whole numbers with 1 ≤ min ≤ max');
  }
  return { revision, release, images: images as Record<string, string>, replicas: replicas as Record<string, number>, ...(values ? { values } : {}), ...(appliedBy ? { appliedBy } : {}), ...(hpa && Object.keys(hpa).length ? { hpa } : {}), ...(restartAfter?.length ? { restartAfter } : {}) };
}

const pct = (p: ServiceProgress) => (p.state === 'done' ? 100 : p.desired === 0 ? 0 : Math.round((Math.min(p.updated, p.ready) / p.desired) * 100));

function summary(services: ServiceProgress[]): string {
  const done = services.filter((s) => s.state === 'done').length;
  const rolling = services.filter((s) => s.state === 'rolling').map((s) => `${s.name} ${s.updated}/${s.desired} updated, ${s.ready} ready`);
  return `${done} of ${services.length} services rolled out${rolling.length ? `; rolling: ${rolling.join('; ')}` : ''}`;
}

function restartNote(target: DeployTarget, restarted: string[], byArgo: boolean): string {
  const asked = target.restartAfter ?? [];
  if (!asked.length) return '';
  if (byArgo) return `; ${asked.join(', ')} not restarted: ArgoCD owns them (restart them from ArgoCD once it has synced) so they read the new config`;
  const missing = asked.filter((s) => !restarted.includes(s));
  return `; restarted ${restarted.join(', ') || 'none'} to read the new config${missing.length ? ` (${missing.join(', ')} not running here)` : ''}`;
}

export function deployExecutor(driver: DeployDriver, method: string, pollMs = 200): Executor {
  return {
    kind: 'deploy',
    method,
    async execute(cmd: CommandSpec, ctx: ExecContext): Promise<ExecResult> {
      const target = parseDeployTarget(cmd.target);
      const names = Object.keys(target.images).sort();
      const byArgo = target.appliedBy === 'argocd';
      const wholeRevision = driver.applyRevision !== undefined && !byArgo;
      if (wholeRevision && !target.values) {
        throw new ExecError(`deploy of revision ${target.revision} carries no values, which this agent's helm mode needs; nothing was changed. Upgrade the control service, or run the agent without --helm-chart`);
      }
      const missing = names.filter((s) => !driver.current(s));
      if (missing.length && !wholeRevision && !byArgo) {
        throw new ExecError(
          `not deployed in this commons: ${missing.join(', ')}; nothing was changed. The agent updates the Deployments a commons runs; add services with helm or your GitOps sync first, or disable them in the values`,
        );
      }
      // Services off target now, plus any still rolling to it (a repeat after the agent restarted mid-rollout).
      const tracked: ServiceProgress[] = [];
      const unchanged: string[] = [];
      const changes: { name: string; image: string; replicas?: number }[] = [];
      for (const name of names) {
        const image = target.images[name];
        const replicas = target.replicas[name];
        const cur = driver.current(name);
        if (!cur) {
          changes.push({ name, image, ...(replicas !== undefined ? { replicas } : {}) });
          tracked.push({ name, from: null, to: image, state: 'pending', updated: 0, ready: 0, desired: replicas ?? 0, message: 'not deployed yet; the chart creates it' });
          continue;
        }
        const differs = cur.image !== image || (replicas !== undefined && replicas !== cur.desired);
        const r = driver.rollout(name);
        if (!differs && r.done) {
          unchanged.push(name);
          continue;
        }
        if (differs) changes.push({ name, image, ...(replicas !== undefined && replicas !== cur.desired ? { replicas } : {}) });
        tracked.push({ name, from: cur.image, to: image, state: 'pending', updated: 0, ready: r.ready, desired: replicas ?? cur.desired, message: differs ? 'waiting to be applied' : 'rolling' });
      }
      const report = (message: string) => {
        const percent = tracked.length ? Math.round(tracked.reduce((n, s) => n + pct(s), 0) / tracked.length) : 100;
        ctx.progress(message, percent, { revision: target.revision, release: target.release, services: tracked.map((s) => ({ ...s })), unchanged });
      };
      report(`revision ${target.revision} (release ${target.release}): ${changes.length} service(s) to change, ${unchanged.length} already there`);

      if (byArgo) {
        // ArgoCD syncs the GitOps commit; anything applied here would be reverted by its self-heal.
        for (const p of tracked) if (p.state === 'pending') p.message = `waiting for ArgoCD to apply ${p.to}`;
        report(`revision ${target.revision} is in GitOps: waiting for ArgoCD to sync it (the agent applies nothing itself) and following the rollouts`);
      } else if (wholeRevision) {
        // The values may change more than images (config, HPAs, new services): the chart is always applied.
        const done = await driver.applyRevision!({ ...target, values: target.values! }, ctx.signal);
        for (const p of tracked) Object.assign(p, { state: 'rolling', message: p.from === null ? 'created' : `image ${p.to} applied` });
        report(`${done}; following the rollouts`);
      } else {
        for (const c of changes) {
          await driver.apply!(c.name, { image: c.image, ...(c.replicas !== undefined ? { replicas: c.replicas } : {}) });
          const p = tracked.find((s) => s.name === c.name)!;
          p.state = 'rolling';
          p.message = c.replicas !== undefined ? `image ${c.image}, ${c.replicas} replicas applied` : `image ${c.image} applied`;
        }
        if (changes.length) report(`applied ${changes.map((c) => c.name).join(', ')}; following the rollouts`);
      }

      let last = '';
      const follow = async () => {
        for (;;) {
          for (const p of tracked) {
            if (p.state === 'done' || p.state === 'failed') continue;
            const now = byArgo ? driver.current(p.name) : undefined;
            if (byArgo && (now?.image !== p.to || (target.replicas[p.name] !== undefined && now.desired !== target.replicas[p.name]))) {
              Object.assign(p, { state: 'pending', message: `waiting for ArgoCD to apply ${p.to}` });
              continue;
            }
            const r = driver.rollout(p.name);
            Object.assign(p, { updated: r.updated, ready: r.ready, desired: r.desired });
            if (r.failure) Object.assign(p, { state: 'failed', message: r.failure });
            else if (r.done) Object.assign(p, { state: 'done', message: `${r.ready}/${r.desired} ready on ${p.to}` });
            else Object.assign(p, { state: 'rolling', message: `${r.updated}/${r.desired} updated, ${r.ready} ready` });
          }
          const key = JSON.stringify(tracked);
          if (key !== last) {
            last = key;
            report(summary(tracked));
          }
          const failed = tracked.filter((s) => s.state === 'failed');
          if (failed.length) {
            throw new ExecError(`rollout failed: ${failed.map((s) => `${s.name}: ${s.message}`).join('; ')}. Revision ${target.revision} is partly applied; roll back to the previous revision or fix and deploy again`);
          }
          if (tracked.every((s) => s.state === 'done')) break;
          if (ctx.signal.aborted) throw new ExecError(`cancelled: ${String(ctx.signal.reason ?? 'by the control service')} (${summary(tracked)}); what was applied stays, roll back to undo it`);
          if (Date.now() > cmd.deadlineMs) throw new ExecError(`deadline passed before the rollouts completed (${summary(tracked)})`);
          await new Promise((r) => setTimeout(r, pollMs));
        }
      };
      await follow();
      // Services that read a changed config key as env at start: a values change does not roll them, so restart them.
      const restarted: string[] = [];
      if (target.restartAfter?.length && !byArgo && driver.restart) {
        const restartedAt = new Date(cmd.createdAtMs).toISOString();
        for (const name of target.restartAfter) {
          const cur = driver.current(name);
          if (!cur) continue;
          await driver.restart(name, restartedAt);
          restarted.push(name);
          const p = tracked.find((x) => x.name === name);
          const entry = { name, from: cur.image, to: cur.image, state: 'rolling' as const, updated: 0, ready: 0, desired: cur.desired, message: 'restarted to read the new config' };
          if (p) Object.assign(p, entry);
          else tracked.push(entry);
        }
        if (restarted.length) {
          report(`restarted ${restarted.join(', ')} to read the new config; following the rollouts`);
          await follow();
        }
      }
      driver.finished?.(target);
      // HPA ranges the chart cannot express: a chart driver set them as it applied the revision; nothing else does.
      const ranges = Object.entries(target.hpa ?? {}).map(([svc, r]) => `${svc}-hpa ${r.min}–${r.max}`).join(', ');
      const hpaNote = !ranges
        ? ''
        : wholeRevision
          ? `; ${ranges} set`
          : `; ${ranges} not set: ${byArgo ? 'ArgoCD applies the chart, which gives them the chart\'s range' : 'this agent deploys without the gen3-helm chart (images and replicas only)'}`;
      return {
        message: `revision ${target.revision} (release ${target.release}) in place: ${changes.length} service(s) changed, ${unchanged.length} already there${hpaNote}${restartNote(target, restarted, byArgo)}`,
        result: { revision: target.revision, release: target.release, services: tracked, unchanged },
      };
    },
  };
}
