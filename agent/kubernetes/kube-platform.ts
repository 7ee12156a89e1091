// `dcoc-agent --kubernetes`: the agent on a real Gen3 commons namespace.
import type { Logger } from '../../lib/logger';
import type { Collector } from '../collectors/collector';
import { requestMetricsCollectors } from '../gen3/request-metrics-collector';
import { Gen3HealthCollector, type HealthTarget, clusterHealthTargets } from '../collectors/gen3-health';
import type { CommonsIdentity, Inspector } from '../core/types';
import { ExecError, type Executor } from '../executors/executor';
import type { Platform } from '../executors/platform';
import { type HelmMode, chartDeployExecutor } from './chart-deploy';
import type { Helm } from './helm';
import { KubeCollector } from './kube-collector';
import { type KubeClients, describeKubeError, statusOf } from './kube-client';
import { kubeDeployExecutor } from './kube-deploy';
import { kubeEvents } from './kube-events';
import { KubeLogSource } from './kube-logs';
import { kubeResources } from './kube-resources';
import { kubeExecutors } from './kube-executors';
import type { BackupDestination } from '../backups/backup-job';
import { kubeBackupExecutor, kubeRestoreExecutor } from '../backups/kube-backup';
import { MANIFEST_GLOBAL, identityFrom } from './manifest-global';

export interface KubePlatformOptions {
  clients: KubeClients;
  namespace: string;
  log: Logger;
  /** Health targets; cluster Service DNS names by default, none to rely on workloads only. */
  healthTargets?: ((services: string[]) => HealthTarget[]) | null;
  healthIntervalMs?: number;
  pollMs?: number;
  /** Deploy revisions with this chart through helm; without it deploys change images only. */
  chart?: { helm: Helm; mode: HelmMode };
  /** Where backup Jobs write their dumps; without it a backup command fails saying how to configure one. */
  backups?: BackupDestination | null;
}

export class KubePlatform implements Platform {
  readonly name = 'kubernetes';
  readonly kube: KubeCollector;
  readonly collectors: Collector[];
  readonly executors: Executor[];
  readonly healthExpected: boolean;
  /** pods/log, the namespace's events and metrics.k8s.io: see the Role's rules for each in agent/deploy/rbac.yaml. */
  readonly inspector: Inspector;

  constructor(private readonly o: KubePlatformOptions) {
    this.kube = new KubeCollector(o.clients, o.namespace, o.log);
    const targets = o.healthTargets === undefined ? clusterHealthTargets(o.namespace) : o.healthTargets;
    this.healthExpected = targets !== null;
    this.collectors = targets ? [this.kube, new Gen3HealthCollector(targets, o.healthIntervalMs ?? 5000)] : [this.kube];
    const deps = { k: o.clients, namespace: o.namespace, collector: this.kube, pollMs: o.pollMs };
    const inspect = { kc: o.clients.kc, namespace: o.namespace, collector: this.kube };
    this.inspector = {
      logs: new KubeLogSource({ ...inspect, log: o.log }),
      events: async (service) => kubeEvents(this.kube, service),
      resources: () => kubeResources(inspect),
    };
    // Request metrics from revproxy's access log (pods/log, follow): the same LogSource.
    this.collectors.push(...requestMetricsCollectors(this.inspector, o.log));
    this.executors = [...kubeExecutors(deps), o.chart ? chartDeployExecutor({ ...deps, ...o.chart }) : kubeDeployExecutor(deps), kubeBackupExecutor({ ...deps, dest: o.backups ?? null }), kubeRestoreExecutor({ ...deps, dest: o.backups ?? null })].map(withKubeErrorsDescribed);
  }

  async identity(): Promise<CommonsIdentity> {
    try {
      const cm = await this.o.clients.core.readNamespacedConfigMap({ name: MANIFEST_GLOBAL, namespace: this.o.namespace });
      return identityFrom(cm, this.o.namespace);
    } catch (e) {
      throw new Error(`reading ConfigMap ${MANIFEST_GLOBAL} in ${this.o.namespace}: ${describeKubeError(e)}`, { cause: e });
    }
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}

/** A command the apiserver refuses fails with what was refused and what to do, not client-node's raw dump. */
function withKubeErrorsDescribed(ex: Executor): Executor {
  return {
    kind: ex.kind,
    method: ex.method,
    async execute(cmd, ctx) {
      try {
        return await ex.execute(cmd, ctx);
      } catch (e) {
        if (!(e instanceof ExecError) && statusOf(e)) throw new ExecError(`${cmd.kind} ${cmd.service}: ${describeKubeError(e)}`, { cause: e });
        throw e;
      }
    },
  };
}
