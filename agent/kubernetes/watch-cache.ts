// One list+watch per resource kind, kept running: a watch that ends is
// resumed by client-node (a 410 makes it relist); one that fails is
// restarted here after a jittered backoff.
import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../backend/config/logger';
import { Backoff } from '../protocol/backoff';
import { describeKubeError } from './kube-client';

export class WatchCache<T extends KubernetesObject> {
  private lw: ListWatch<T> | null = null;
  private readonly backoff = new Backoff(250, 10_000);
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly path: string,
    private readonly list: () => Promise<KubernetesListObject<T>>,
    private readonly onChange: () => void,
    private readonly log: Logger,
    private readonly fieldSelector?: string,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const lw = new ListWatch<T>(this.path, new Watch(this.kc), this.list, false, undefined, this.fieldSelector);
    lw.on('add', () => this.onChange());
    lw.on('update', () => this.onChange());
    lw.on('delete', () => this.onChange());
    lw.on('connect', () => this.backoff.reset());
    lw.on('error', (err: unknown) => {
      if (this.stopped) return;
      const ms = this.backoff.next();
      this.log.warn({ path: this.path, err: describeKubeError(err), retryInMs: ms }, 'watch failed; restarting');
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void lw.start().catch(() => undefined), ms);
    });
    this.lw = lw;
    try {
      await lw.start();
    } catch (e) {
      throw new Error(`listing ${this.path}: ${describeKubeError(e)}`, { cause: e });
    }
  }

  items(): readonly T[] {
    return this.lw?.list() ?? [];
  }

  get(name: string, namespace: string): T | undefined {
    return this.lw?.get(name, namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.lw?.stop();
  }
}
