// The deploy command: bring the commons to revision R, a Gen3 release given
// as an image per service (and replica counts where no HPA manages them).
// Target state: only services whose image or replicas differ are changed;
// every rollout is followed and reported per service; a repeat finds the
// services already there and changes nothing. Platforms supply a driver.
import type { ServiceProgress } from '../../backend/contracts/api';
import { type CommandSpec, type ExecContext, ExecError, type ExecResult, type Executor } from './executor';

export interface DeployTarget {
  revision: number;
  release: string;
  images: Record<string, string>;
  replicas: Record<string, number>;
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
  /** Changes one service's image (and replicas); the platform starts rolling it. */
  apply(service: string, change: { image: string; replicas?: number }): Promise<void>;
  rollout(service: string): RolloutStatus;
  /** After every service is rolled out. */
  finished?(target: DeployTarget): void;
}

export function parseDeployTarget(t: Record<string, unknown>): DeployTarget {
  const { revision, release, images, replicas = {} } = t as Partial<DeployTarget>;
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) throw new ExecError('deploy needs target.revision (a whole number ≥ 1)');
  if (typeof release !== 'string' || !release) throw new ExecError('deploy needs target.release');
  if (!isRecord(images) || !Object.values(images).every((i) => typeof i === 'string' && i.includes(':'))) throw new ExecError('deploy needs target.images: service → image:tag');
  if (!isRecord(replicas) || !Object.values(replicas).every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
    throw new ExecError('deploy target.replicas must map services to whole numbers');
  }
  return { revision, release, images: images as Record<string, string>, replicas: replicas as Record<string, number> };
}

const pct = (p: ServiceProgress) => (p.state === 'done' ? 100 : p.desired === 0 ? 0 : Math.round((Math.min(p.updated, p.ready) / p.desired) * 100));

function summary(services: ServiceProgress[]): string {
  const done = services.filter((s) => s.state === 'done').length;
  const rolling = services.filter((s) => s.state === 'rolling').map((s) => `${s.name} ${s.updated}/${s.desired} updated, ${s.ready} ready`);
  return `${done} of ${services.length} services rolled out${rolling.length ? `; rolling: ${rolling.join('; ')}` : ''}`;
}

export function deployExecutor(driver: DeployDriver, pollMs = 200): Executor {
  return {
    kind: 'deploy',
    async execute(cmd: CommandSpec, ctx: ExecContext): Promise<ExecResult> {
      const target = parseDeployTarget(cmd.target);
      const names = Object.keys(target.images).sort();
      const missing = names.filter((s) => !driver.current(s));
      if (missing.length) {
        throw new ExecError(
          `not deployed in this commons: ${missing.join(', ')}; nothing was changed. The agent updates the Deployments a commons runs; add services with helm or your GitOps sync first, or disable them in the values`,
        );
      }
      // Services off target now, plus any still rolling to it (a repeat after the agent restarted mid-rollout).
      const tracked: ServiceProgress[] = [];
      const unchanged: string[] = [];
      const changes: { name: string; image: string; replicas?: number }[] = [];
      for (const name of names) {
        const cur = driver.current(name)!;
        const image = target.images[name];
        const replicas = target.replicas[name];
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

      for (const c of changes) {
        await driver.apply(c.name, { image: c.image, ...(c.replicas !== undefined ? { replicas: c.replicas } : {}) });
        const p = tracked.find((s) => s.name === c.name)!;
        p.state = 'rolling';
        p.message = c.replicas !== undefined ? `image ${c.image}, ${c.replicas} replicas applied` : `image ${c.image} applied`;
      }
      if (changes.length) report(`applied ${changes.map((c) => c.name).join(', ')}; following the rollouts`);

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
