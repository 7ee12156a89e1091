// The helm binary, run as a child process: `helm upgrade --install` of a
// revision's values, or `helm template` of them for the agent to apply itself.
// Values go through a 0600 file in the agent's data directory (never argv,
// which other processes can read); helm's cache and config live there too,
// so the agent needs no writable HOME. Cancelling a deploy kills helm.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClients } from './kube-client';

export interface HelmOptions {
  /** The helm binary (a path, or a name looked up on PATH). */
  bin: string;
  /** What helm installs: a chart directory, `repo/chart`, or an oci:// reference. */
  chart: string;
  chartVersion?: string;
  /** The helm release name (gen3-helm's docs use `gen3`). */
  release: string;
  namespace: string;
  kubeconfig?: string;
  /** Extra arguments for every helm call (e.g. `--repo URL`). */
  extraArgs?: string[];
  /** Where helm keeps its cache and config, and values files are written. */
  workDir: string;
  /** How long one helm call may take. */
  timeoutMs?: number;
}

export class HelmError extends Error {}

export class Helm {
  constructor(private readonly o: HelmOptions) {
    mkdirSync(join(o.workDir, 'tmp'), { recursive: true, mode: 0o700 });
  }

  get release(): string {
    return this.o.release;
  }

  /** `helm version`; throws with what to do when helm cannot run. */
  async version(): Promise<string> {
    try {
      return (await this.run(['version', '--short'])).trim();
    } catch (e) {
      throw new HelmError(`helm (${this.o.bin}) cannot run: ${(e as Error).message}. Install helm v3.18+ or v4 in the agent's image, or set --helm`);
    }
  }

  /** Renders the chart with these values: the manifests, as helm would apply them. */
  template(values: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    return this.withValues(values, (file) => this.run(['template', this.o.release, this.o.chart, ...this.common(file)], signal));
  }

  /** Installs or upgrades the release; returns helm's summary. The agent follows the rollouts itself, so helm does not wait. */
  upgrade(values: Record<string, unknown>, description: string, signal?: AbortSignal): Promise<string> {
    return this.withValues(values, (file) =>
      this.run(['upgrade', '--install', this.o.release, this.o.chart, ...this.common(file), '--description', description, '--history-max', '20'], signal),
    );
  }

  private common(valuesFile: string): string[] {
    const o = this.o;
    return [
      '--namespace', o.namespace,
      '--values', valuesFile,
      ...(o.chartVersion ? ['--version', o.chartVersion] : []),
      ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []),
      ...(o.extraArgs ?? []),
    ];
  }

  private async withValues<T>(values: Record<string, unknown>, fn: (file: string) => Promise<T>): Promise<T> {
    const dir = mkdtempSync(join(this.o.workDir, 'tmp', 'values-'));
    const file = join(dir, 'values.yaml');
    // JSON is YAML that reads the same in 1.1: Helm (go-yaml) would take an unquoted on/off/yes/no as a boolean.
    writeFileSync(file, JSON.stringify(values, null, 1), { mode: 0o600 });
    try {
      return await fn(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[], signal?: AbortSignal): Promise<string> {
    const home = this.o.workDir;
    const env = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      // In a pod, helm finds the service account the way the agent does; chart repositories may sit behind a proxy.
      ...pick(process.env, ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']),
    };
    return new Promise((resolve, reject) => {
      execFile(
        this.o.bin,
        args,
        { env, signal, timeout: this.o.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          if (err.name === 'AbortError') return reject(new HelmError(`helm ${args[0]} stopped: ${String(signal?.reason ?? 'cancelled')}`));
          const why = lastLines(stderr) || err.message;
          reject(new HelmError(`helm ${args[0]} failed: ${why}`));
        },
      );
    });
  }
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]));
}

/** helm's error is its last stderr lines; its debug chatter comes before. */
function lastLines(s: string): string {
  return s.trim().split('\n').slice(-3).join(' ').trim();
}

/** The release the commons was installed as: its Deployments' app.kubernetes.io/instance label, else gen3-helm's `gen3`. */
export async function helmReleaseOf(k: KubeClients, namespace: string): Promise<string> {
  const list = await k.apps.listNamespacedDeployment({ namespace, labelSelector: 'app.kubernetes.io/managed-by=Helm' });
  const names = new Set(list.items.map((d) => d.metadata?.labels?.['app.kubernetes.io/instance']).filter((n): n is string => !!n));
  if (names.size > 1) throw new HelmError(`Deployments in ${namespace} belong to several helm releases (${[...names].join(', ')}); choose one with --helm-release`);
  return [...names][0] ?? 'gen3';
}
