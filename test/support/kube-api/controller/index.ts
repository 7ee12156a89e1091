// The control loop: on every tick the kubelet/scheduler simulation, then the
// ReplicaSet, Deployment and Job controllers, then the garbage collector run
// once, synchronously, against the registry. Tests make it fast (tickMs) or
// drive it by hand (pause + tick) for step-by-step assertions.
import type { Registry } from '../registry';
import { DeploymentController } from './deployment';
import { EventRecorder } from './events';
import { FaultState } from './faults';
import { GarbageCollector } from './gc';
import { JobController } from './job';
import { KubeletSim, type KubeletTiming } from './kubelet';
import { ReplicaSetController } from './replicaset';

export interface ControllerOptions extends Partial<KubeletTiming> {
  /** Milliseconds between ticks (default 20). */
  tickMs?: number;
  /** Start ticking when the server starts (default true). */
  autoStart?: boolean;
  /** Emit core/v1 Events from the controllers and kubelet (default true). */
  events?: boolean;
}

export class Controllers {
  readonly faults = new FaultState();
  readonly recorder: EventRecorder;
  private readonly kubelet: KubeletSim;
  private readonly rs: ReplicaSetController;
  private readonly deployments: DeploymentController;
  private readonly jobs: JobController;
  private readonly gc: GarbageCollector;
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private ticks = 0;

  constructor(registry: Registry, opts: ControllerOptions = {}) {
    this.tickMs = opts.tickMs ?? 20;
    this.recorder = new EventRecorder(registry, opts.events ?? true);
    this.kubelet = new KubeletSim(registry, this.recorder, this.faults, {
      scheduleTicks: opts.scheduleTicks ?? 1,
      startTicks: opts.startTicks ?? 2,
      terminateTicks: opts.terminateTicks ?? 1,
      jobRunTicks: opts.jobRunTicks ?? 3,
      crashLoopTicks: opts.crashLoopTicks ?? 3,
    });
    this.rs = new ReplicaSetController(registry, this.recorder);
    this.deployments = new DeploymentController(registry, this.recorder);
    this.jobs = new JobController(registry, this.recorder);
    this.gc = new GarbageCollector(registry);
  }

  /** One pass of every controller. Safe to call while paused. */
  tick(): void {
    this.ticks++;
    this.kubelet.tick();
    this.rs.tick();
    this.deployments.tick();
    this.jobs.tick();
    this.gc.tick();
  }

  get tickCount(): number {
    return this.ticks;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        console.error('kube-api test server: controller tick failed', e);
      }
    }, this.tickMs);
    this.timer.unref();
  }

  /** Stops ticking (state stays as is until resume or a manual tick). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
