// The deploy executor's driver for the simulated commons: an image change
// rolls pods the way a restart does; the commons reports the release its
// images are on (SimCommons.release), as a real cluster's agent does.
import { type DeployDriver, deployExecutor } from '../executors/deploy';
import type { Executor } from '../executors/executor';
import type { SimCommons } from './model';
import { chartOfService } from '../../contracts/gen3/charts';
import { renderManifestGlobal } from '../../contracts/gen3/global-config';

export function simDeployDriver(sim: SimCommons): DeployDriver {
  return {
    current(service) {
      if (!sim.has(service)) return undefined;
      const w = sim.workload(service);
      return { image: w.image, desired: w.desired };
    },
    async restart(service, restartedAt) {
      sim.restart(service, restartedAt);
      sim.emit('tick');
    },
    async apply(service, change) {
      sim.setImage(service, change.image);
      if (change.replicas !== undefined) sim.scale(service, change.replicas);
      sim.emit('tick');
    },
    finished(target) {
      // HPAs as the chart renders them from <chart>.autoscaling (riders: their own range from target.hpa, else the chart's).
      for (const service of Object.keys(target.images)) {
        const chart = chartOfService(service) ?? service;
        const a = target.values?.[chart] as { autoscaling?: { enabled?: boolean; minReplicas?: number; maxReplicas?: number } } | undefined;
        const own = target.hpa?.[service];
        if (own) sim.autoscale(service, own);
        else if (a?.autoscaling?.enabled && typeof a.autoscaling.minReplicas === 'number' && typeof a.autoscaling.maxReplicas === 'number') sim.autoscale(service, { min: a.autoscaling.minReplicas, max: a.autoscaling.maxReplicas });
      }
      // The simulated commons is a gen3-helm one: its manifest-global is what the chart renders from global.*.
      const global = target.values?.global;
      if (global && typeof global === 'object' && !Array.isArray(global)) sim.renderConfig(renderManifestGlobal(global as Record<string, unknown>));
    },
    rollout(service) {
      const w = sim.workload(service);
      const { fault } = sim.serving(service);
      const done = w.updated === w.desired && w.ready === w.desired && !w.rollout;
      // A service whose new pods cannot become ready (crash loop, stopped) fails instead of waiting out the deadline.
      const failure = !done && (fault === 'crashloop' || fault === 'down') ? `${w.reason || fault}: new pods are not becoming ready` : undefined;
      return { image: w.image, updated: w.updated, ready: w.ready, desired: w.desired, done, ...(failure ? { failure } : {}) };
    },
  };
}

export function simDeployExecutor(sim: SimCommons): Executor {
  return deployExecutor(simDeployDriver(sim), 'simulated');
}
