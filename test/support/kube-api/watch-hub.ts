// Watch streams: `?watch=true` answers 200 and then one JSON line per event
// ({type, object}) for as long as the connection lives, as the apiserver does.
// Resuming from a resourceVersion replays the store history; one older than
// the retained history gets an ERROR event carrying a 410 Expired Status and
// the stream ends, which is what makes client-node's ListWatch relist.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type KubeError } from './errors';
import type { Registry } from './registry';
import { type ResourceType } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import type { Store, StoreEvent } from './store';
import type { KubeObject } from './types';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WatchHubOptions {
  /** How often open watches with allowWatchBookmarks get a BOOKMARK (the apiserver: about a minute). */
  bookmarkIntervalMs?: number;
}

interface OpenWatch {
  req: WatchRequest;
  res: ServerResponse;
  close(abrupt: boolean): void;
  bookmark(): void;
}

export class WatchHub {
  private readonly open = new Set<OpenWatch>();

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly opts: WatchHubOptions = {},
  ) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Validates (throwing a KubeError before any byte is written), then streams. */
  serve(httpReq: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
    const labels = parseLabelSelector(w.labelSelector);
    const fields = parseFieldSelector(w.fieldSelector, w.type.fields);
    const t = w.type;
    const matches = (o: KubeObject | undefined): boolean => {
      if (!o) return false;
      if (t.namespaced && w.namespace && o.metadata.namespace !== w.namespace) return false;
      return labels(o.metadata.labels) && fields(o);
    };

    const rvParam = w.resourceVersion ?? '';
    let backlog: StoreEvent[] = [];
    let expired: KubeError | undefined;
    const fromNow = rvParam === '' || rvParam === '0';
    if (!fromNow) {
      const rv = Number(rvParam);
      if (!Number.isInteger(rv) || rv < 0) throw errors.badRequest(`invalid resource version: ${rvParam}`);
      try {
        backlog = this.store.eventsSince(rv);
      } catch (e) {
        expired = e as KubeError;
      }
    }

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const send = (type: string, object: unknown) => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
    };

    if (expired) {
      send('ERROR', expired.status);
      res.end();
      return;
    }

    const emit = (e: StoreEvent) => {
      if (e.storage !== t.storage) return;
      const now = matches(e.object);
      const before = e.type === 'MODIFIED' ? matches(e.prev) : false;
      let type: string | undefined;
      if (e.type === 'ADDED') type = now ? 'ADDED' : undefined;
      else if (e.type === 'DELETED') type = matches(e.prev ?? e.object) ? 'DELETED' : undefined;
      else if (now && before) type = 'MODIFIED';
      else if (now) type = 'ADDED';
      else if (before) type = 'DELETED'; // left the selector: watchers see it go away
      if (type) send(type, this.registry.toView(t, structuredClone(e.object)));
    };

    const bookmarkObject = (annotations?: Record<string, string>) => {
      const metadata: Record<string, unknown> = { resourceVersion: String(this.store.resourceVersion) };
      if (annotations) metadata.annotations = annotations;
      return { kind: t.kind, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata };
    };

    if (fromNow) {
      // "Get state and start at most recent": synthetic ADDED for what exists now.
      for (const o of this.store.list(t.storage, t.namespaced ? w.namespace : undefined))
        if (matches(o)) send('ADDED', this.registry.toView(t, o));
      if (w.sendInitialEvents && w.allowWatchBookmarks) send('BOOKMARK', bookmarkObject({ 'k8s.io/initial-events-end': 'true' }));
    } else for (const e of backlog) emit(e);

    const unsubscribe = this.store.onEvent(emit);
    const timers: NodeJS.Timeout[] = [];
    const entry: OpenWatch = {
      req: w,
      res,
      close: (abrupt) => {
        if (abrupt) res.socket?.destroy();
        else res.end();
      },
      bookmark: () => {
        if (w.allowWatchBookmarks) send('BOOKMARK', bookmarkObject());
      },
    };
    this.open.add(entry);
    if (w.allowWatchBookmarks) timers.push(setInterval(entry.bookmark, this.opts.bookmarkIntervalMs ?? 60_000));
    if (w.timeoutSeconds && w.timeoutSeconds > 0) timers.push(setTimeout(() => res.end(), w.timeoutSeconds * 1000));
    const cleanup = () => {
      unsubscribe();
      for (const tm of timers) clearTimeout(tm);
      this.open.delete(entry);
    };
    res.on('close', cleanup);
    httpReq.on('close', () => {
      if (!res.writableEnded) res.end();
    });
  }

  /** Ends every open watch: cleanly (stream end, as on apiserver timeout) or abruptly (socket destroyed). */
  dropAll(opts: { abrupt?: boolean } = {}): number {
    const n = this.open.size;
    for (const w of [...this.open]) w.close(!!opts.abrupt);
    return n;
  }

  sendBookmarks(): void {
    for (const w of this.open) w.bookmark();
  }
}
