// restart, scale and config against the simulated commons, as target states.
import { simBackupExecutors } from '../backups/sim-backup';
import { type CommandSpec, type ExecContext, ExecError, type Executor, readTarget, waitUntil } from '../executors/executor';
import type { SimCommons } from './model';
import { simDeployExecutor } from './sim-deploy';

function serviceOf(sim: SimCommons, cmd: CommandSpec): string {
  if (!sim.has(cmd.service)) throw new ExecError(`service ${cmd.service} is not deployed in ${sim.identity.hostname}`);
  return cmd.service;
}

/** Waits for the service's rollout to settle, reporting it as kubectl rollout status would. */
async function followRollout(sim: SimCommons, name: string, cmd: CommandSpec, ctx: ExecContext) {
  const message = await waitUntil(cmd, ctx, () => {
    const w = sim.workload(name);
    const done = w.updated === w.desired && w.ready === w.desired && !w.rollout;
    const percent = w.desired === 0 ? 100 : Math.round((Math.min(w.updated, w.ready) / w.desired) * 100);
    return { done, message: done ? `deployment "${w.deployment}" successfully rolled out` : w.rollout || `Waiting for deployment "${w.deployment}" rollout to finish: ${w.ready} of ${w.desired} updated replicas are available...`, percent };
  });
  // Observers see the settled state now, not at the next tick.
  sim.emit('tick');
  return message;
}

export function simExecutors(sim: SimCommons): Executor[] {
  return [
    {
      kind: 'restart',
      async execute(cmd, ctx) {
        const name = serviceOf(sim, cmd);
        const restartedAt = String(cmd.target.restartedAt ?? '');
        if (!restartedAt) throw new ExecError('restart needs target.restartedAt');
        const changed = sim.restart(name, restartedAt);
        ctx.progress(changed ? `${name}: rolling restart started (restartedAt ${restartedAt})` : `${name}: already restarted at ${restartedAt}; following the rollout`, 0);
        const message = await followRollout(sim, name, cmd, ctx);
        return { message, result: { restartedAt, newRollout: changed } };
      },
    },
    {
      kind: 'scale',
      async execute(cmd, ctx) {
        const name = serviceOf(sim, cmd);
        const replicas = cmd.target.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new ExecError('scale needs a whole target.replicas');
        const changed = sim.scale(name, replicas);
        ctx.progress(changed ? `${name}: scaling to ${replicas}` : `${name}: already at ${replicas} desired`, 0);
        const message = await followRollout(sim, name, cmd, ctx);
        return { message, result: { replicas, changed } };
      },
    },
    {
      kind: 'run-job',
      async execute(cmd, ctx) {
        const jobName = `${cmd.service.slice(0, 40)}-dcoc-${cmd.id.replace(/-/g, '').slice(0, 10)}`;
        const job = sim.runJob(cmd.service, jobName);
        if (!job) throw new ExecError(`no CronJob ${cmd.service} in ${sim.identity.hostname} (it has: ${sim.cronjobNames().join(', ') || 'none'})`);
        ctx.progress(job.started ? `job ${jobName} created from cronjob/${cmd.service}` : `job ${jobName} already started; following it`, 0);
        const message = await waitUntil(cmd, ctx, () => {
          const done = Date.now() >= job.completesAt;
          return { done, message: `job ${jobName}: ${done ? '1/1 succeeded' : '0/1 succeeded, 1 running'}`, percent: done ? 100 : 0 };
        });
        return { message, result: { job: jobName, cronjob: cmd.service } };
      },
    },
    {
      kind: 'config',
      async execute(cmd, ctx) {
        const { revision, baseRevision, data } = readTarget('config', cmd.target);
        const r = sim.writeConfig(revision, baseRevision, data);
        if (typeof r === 'object') {
          throw new ExecError(`conflict: manifest-global is at revision ${r.conflict}, the command expected ${baseRevision}; reload the config and retry`);
        }
        ctx.progress(`manifest-global revision ${revision} ${r === 'applied' ? 'written' : 'already in place'}`, 100);
        return { message: `config revision ${revision} in place`, result: { revision, written: r === 'applied' } };
      },
    },
    simDeployExecutor(sim),
    ...simBackupExecutors({ namespace: sim.identity.environment }),
  ];
}
