// One list+watch per resource kind, kept running: a watch that ends is
// resumed by client-node; an ERROR event from the apiserver makes it relist;
// one that fails is restarted here after a jittered backoff.
import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../lib/logger';
import { Backoff } from '../protocol/backoff';
import { describeKubeError } from './kube-client';

/**
 * client-node's ListWatch relists after a 410 ERROR event only; after any
 * other (say 500 "etcd event received with PrevKv=nil", which a real
 * apiserver sends when a watch resumes just before a compaction) it re-watches
 * from the same resourceVersion, gets the same error, and loops for ever.
 * client-go's reflector relists after any watch error; so does this, by
 * handing ListWatch every ERROR event as the 410 it does handle.
 */
class RelistOnErrorWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly onErrorEvent: (status: { code?: number; message?: string }) => void,
  ) {
    super(kc);
  }

  override watch(...[path, queryParams, callback, done]: Parameters<Watch['watch']>): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj, raw) => {
        if (phase !== 'ERROR') return callback(phase, obj, raw);
        const status = (obj ?? {}) as { code?: number; message?: string };
        this.onErrorEvent(status);
        callback(phase, { ...status, code: 410 }, raw);
      },
      done,
    );
  }
}

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
    const watch = new RelistOnErrorWatch(this.kc, (status) => this.log.warn({ path: this.path, code: status.code, err: status.message }, 'watch answered an error; listing again'));
    const lw = new ListWatch<T>(this.path, watch, this.list, false, undefined, this.fieldSelector);
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
