// The deploy command: bring the commons to revision R, a Gen3 release given
// as an image per service (and replica counts where no HPA manages them) and
// the revision's gen3-helm values. Target state: an image driver changes only
// services whose image or replicas differ; a chart driver (helm) applies the
// whole revision, which changes what the values change. Every rollout is
// followed and reported per service; a repeat changes nothing more.
// Platforms supply a driver.
import type { ServiceProgress } from '../../backend/contracts/api';
import { type CommandSpec, type ExecContext, ExecError, type ExecResult, type Executor } from './executor';

export interface DeployTarget {
  revision: number;
  release: string;
  images: Record<string, string>;
  replicas: Record<string, number>;
  /** The revision's values for the gen3-helm umbrella chart (chart drivers need them). */
  values?: Record<string, unknown>;
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
  /** After every service is rolled out. */
  finished?(target: DeployTarget): void;
}

export function parseDeployTarget(t: Record<string, unknown>): DeployTarget {
  const { revision, release, images, replicas = {}, values } = t as Partial<DeployTarget>;
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) throw new ExecError('deploy needs target.revision (a whole number ≥ 1)');
  if (typeof release !== 'string' || !release) throw new ExecError('deploy needs target.release');
  if (!isRecord(images) || !Object.values(images).every((i) => typeof i === 'string' && i.includes(':'))) throw new ExecError('deploy needs target.images: service → image:tag');
  if (!isRecord(replicas) || !Object.values(replicas).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
    throw new ExecError('deploy target.replicas must map services to whole numbers');
  }
  if (values !== undefined && !isRecord(values)) throw new ExecError('deploy target.values must be a mapping of gen3-helm values');
  return { revision, release, images: images as Record<string, string>, replicas: replicas as Record<string, number>, ...(values ? { values } : {}) };
}

const pct = (p: ServiceProgress) => (p.state === 'done' ? 100 : p.desired === 0 ? 0 : Math.round((Math.min(p.updated, p.ready) / p.desired) * 100));

function summary(services: ServiceProgress[]): string {
  const done = services.filter((s) => s.state === 'done').length;
  const rolling = services.filter((s) => s.state === 'rolling').map((s) => `${s.name} ${s.updated}/${s.desired} updated, ${s.ready} ready`);
  return `${done} of ${services.length} services rolled out${rolling.length ? `; rolling: ${rolling.join('; ')}` : ''}`;
}

export function deployExecutor(driver: DeployDriver, method: string, pollMs = 200): Executor {
  return {
    kind: 'deploy',
    method,
    async execute(cmd: CommandSpec, ctx: ExecContext): Promise<ExecResult> {
      const target = parseDeployTarget(cmd.target);
      const names = Object.keys(target.images).sort();
      const wholeRevision = driver.applyRevision !== undefined;
      if (wholeRevision && !target.values) {
        throw new ExecError(`deploy of revision ${target.revision} carries no values, which this agent's helm mode needs; nothing was changed. Upgrade the control service, or run the agent without --helm-chart`);
      }
      const missing = names.filter((s) => !driver.current(s));
      if (missing.length && !wholeRevision) {
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

      if (wholeRevision) {
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
      for (;;) {
        for (const p of tracked) {
          if (p.state === 'done' || p.state === 'failed') continue;
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
      driver.finished?.(target);
      return {
        message: `revision ${target.revision} (release ${target.release}) in place: ${changes.length} service(s) changed, ${unchanged.length} already there`,
        result: { revision: target.revision, release: target.release, services: tracked, unchanged },
      };
    },
  };
}
