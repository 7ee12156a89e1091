// The deploy executor's driver for the simulated commons: an image change
// rolls pods the way a restart does; the commons reports the new release
// once every service has rolled.
import { type DeployDriver, deployExecutor } from '../executors/deploy';
import type { Executor } from '../executors/executor';
import type { SimCommons } from './model';

export function simDeployDriver(sim: SimCommons): DeployDriver {
  return {
    current(service) {
      if (!sim.has(service)) return undefined;
      const w = sim.workload(service);
      return { image: w.image, desired: w.desired };
    },
    async apply(service, change) {
      sim.setImage(service, change.image);
      if (change.replicas !== undefined) sim.scale(service, change.replicas);
      sim.emit('tick');
    },
    rollout(service) {
      const w = sim.workload(service);
      const { fault } = sim.serving(service);
      const done = w.updated === w.desired && w.ready === w.desired && !w.rollout;
      // A service whose new pods cannot become ready (crash loop, stopped) fails instead of waiting out the deadline.
      const failure = !done && (fault === 'crashloop' || fault === 'down') ? `${w.reason || fault}: new pods are not becoming ready` : undefined;
      return { image: w.image, updated: w.updated, ready: w.ready, desired: w.desired, done, ...(failure ? { failure } : {}) };
    },
    finished(target) {
      sim.setRelease(target.release);
    },
  };
}

export function simDeployExecutor(sim: SimCommons): Executor {
  return deployExecutor(simDeployDriver(sim), 'simulated');
}
