// pods/log of a Gen3 commons: a service's pods (its Deployment's, by the
// Deployment's selector) or a Job's (label job-name), read through the
// apiserver as `kubectl logs --timestamps` does, merged across pods by time.
// A follow request keeps one stream per pod, starts one for a pod that comes
// later (a new replica, a rollout) and ends the one of a pod that goes.
import type { KubeConfig, V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { LOG_BYTES_MAX, LOG_LINES_MAX } from '../../contracts/api';
import type { Logger } from '../../lib/logger';
import { Backoff } from '../protocol/backoff';
import type { LogLineFacts, LogQuery, LogSink, LogSource } from '../core/types';
import { LogSourceError } from '../core/types';
import type { KubeCollector } from './kube-collector';
import { KubeHttpError, kubeGet } from './kube-http';
import { LineSplitter, type TimedLine, parseStampedLine, sinceTimeParam } from './log-lines';
import { selects, serviceOfDeployment } from './workloads';

/** Lines handed to the sink at once when a whole answer is merged. */
const BATCH = 500;
/** Lines read to mark where a pod's log ends (a follow from now): enough to count lines that share the last timestamp. */
const MARK_LINES = 100;

interface Target {
  pod: string;
  container: string;
}

/** Where a pod's stream has got to: its last line's timestamp and how many lines carried it (to skip them when resuming). */
interface Mark {
  ts: string;
  atTs: number;
}

/** The label the Job controller puts on its pods (batch.kubernetes.io/job-name on newer clusters, job-name on all). */
const JOB_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];

export interface KubeLogSourceDeps {
  kc: KubeConfig;
  namespace: string;
  collector: KubeCollector;
  log: Logger;
}

export class KubeLogSource implements LogSource {
  constructor(readonly d: KubeLogSourceDeps) {}

  async streamLogs(q: LogQuery, sink: LogSink, signal: AbortSignal): Promise<void> {
    const targets = this.readable(this.targetsOf(q), q);
    const marks = new Map<string, Mark>();
    // Following from now on (tail 0): the newest lines are read only to mark where each pod's log
    // ends, so the follow resumes after them; without a mark it would read the pod from its start.
    const fromNow = q.follow && q.tailLines === 0;
    const ok = await this.readOnce(targets, fromNow ? { ...q, tailLines: MARK_LINES } : q, fromNow ? null : sink, marks, signal);
    if (fromNow) sink.pods(ok.map((t) => t.pod));
    // The previous container has ended: there is nothing to follow.
    if (!q.follow || q.previous || signal.aborted) return;
    await new LogFollow(this, q, sink, signal, ok, marks).run();
  }

  /** The pods (with the container to read) the request names now; LogSourceError when it names nothing there is. */
  targetsOf(q: LogQuery): Target[] {
    const ns = this.d.namespace;
    let pods: V1Pod[];
    let container: (p: V1Pod) => string;
    if (q.service) {
      const dep = this.d.collector.deployments.items().find((x) => serviceOfDeployment(x) === q.service);
      if (!dep) throw new LogSourceError(`namespace ${ns} has no Deployment of service ${q.service}`);
      pods = this.d.collector.podItems().filter((p) => selects(dep, p));
      container = (p) => mainContainer(p.spec?.containers ?? [], q.service!);
    } else if (q.job) {
      pods = this.d.collector.podItems().filter((p) => JOB_LABELS.some((l) => p.metadata?.labels?.[l] === q.job));
      if (!pods.length) throw new LogSourceError(`Job ${q.job} has no pods in namespace ${ns} (no such Job, or its pods were removed with it)`);
      container = (p) => p.spec?.containers?.[0]?.name ?? '';
    } else throw new LogSourceError('a log request names a service or a Job');
    if (q.pod) {
      pods = pods.filter((p) => p.metadata?.name === q.pod);
      if (!pods.length) throw new LogSourceError(`pod ${q.pod} is not one of ${q.service ? `service ${q.service}` : `Job ${q.job}`}'s pods`);
    }
    return pods
      .map((p) => ({ pod: p.metadata?.name ?? '', container: container(p) }))
      .filter((t) => t.pod && t.container)
      .sort((a, b) => a.pod.localeCompare(b.pod));
  }

  /**
   * The targets whose container has logs to read: started (or ended) for the
   * current container; restarted for the previous one, as the kubelet
   * answers "previous terminated container ... not found" otherwise.
   */
  readable(targets: Target[], q: LogQuery): Target[] {
    const byName = new Map(this.d.collector.podItems().map((p) => [p.metadata?.name ?? '', p]));
    const out = targets.filter((t) => {
      const st = statusOf(byName.get(t.pod), t.container);
      if (q.previous) return !!st?.lastState?.terminated || (st?.restartCount ?? 0) > 0;
      return !!st?.state?.running || !!st?.state?.terminated || !!st?.lastState?.terminated;
    });
    if (!out.length && targets.length) {
      const what = q.service ? `service ${q.service}` : `Job ${q.job}`;
      const pods = targets.map((t) => t.pod).join(', ');
      if (q.previous) throw new LogSourceError(`previous terminated container not found: no container of ${what} has restarted (pods ${pods})`);
      throw new LogSourceError(`no container of ${what} has started yet (pods ${pods}); try again when its pods are running`);
    }
    if (!targets.length && !q.follow) throw new LogSourceError(`${q.service ? `service ${q.service}` : `Job ${q.job}`} has no pods`);
    return out;
  }

  /** Every target's lines as the request bounds them, merged by time (to `sink`, when given); the targets read. */
  private async readOnce(targets: Target[], q: LogQuery, sink: LogSink | null, marks: Map<string, Mark>, signal: AbortSignal): Promise<Target[]> {
    const results = await Promise.all(
      targets.map(async (t) => {
        try {
          return { t, lines: await this.read(t, q, signal) };
        } catch (e) {
          return { t, error: e as Error };
        }
      }),
    );
    const forbidden = results.find((r) => r.error instanceof KubeHttpError && r.error.code === 403);
    if (forbidden) throw forbiddenError(forbidden.error as KubeHttpError);
    const read = results.filter((r) => r.lines);
    const failed = results.filter((r) => r.error);
    if (signal.aborted) return [];
    if (failed.length && !read.length) throw new LogSourceError(`pod ${failed[0].t.pod}: ${describe(failed[0].error!)}`);
    for (const f of failed) this.d.log.warn({ pod: f.t.pod, err: describe(f.error!) }, 'pod logs unreadable; left out');
    const ok = read.map((r) => r.t);
    for (const r of read) {
      const last = r.lines!.at(-1);
      if (last) marks.set(r.t.pod, { ts: last.ts, atTs: r.lines!.filter((l) => l.ts === last.ts).length });
    }
    if (!sink) return ok;
    sink.pods(ok.map((t) => t.pod));
    const merged: (TimedLine & Target)[] = [];
    for (const r of read) for (const l of r.lines!) merged.push({ ...l, ...r.t });
    // Stable: each pod's own order is kept where times tie.
    merged.sort((a, b) => a.timeMs - b.timeMs);
    for (let i = 0; i < merged.length; i += BATCH) sink.lines(merged.slice(i, i + BATCH).map(toFacts));
    return ok;
  }

  private async read(t: Target, q: LogQuery, signal: AbortSignal): Promise<TimedLine[]> {
    const lines: TimedLine[] = [];
    await this.stream(t, q, { follow: false }, signal, (batch) => lines.push(...batch));
    return lines;
  }

  /**
   * One pods/log request for `t`, its lines handed to `onLines` as they come.
   * `from`: resume after this mark (a follow that picks up where a read ended).
   */
  async stream(t: Target, q: LogQuery, o: { follow: boolean; from?: Mark; fromStart?: boolean }, signal: AbortSignal, onLines: (lines: TimedLine[]) => void): Promise<void> {
    const since = o.from ? Date.parse(o.from.ts) : q.sinceMs;
    const res = await kubeGet(
      this.d.kc,
      `/api/v1/namespaces/${encodeURIComponent(this.d.namespace)}/pods/${encodeURIComponent(t.pod)}/log`,
      {
        container: t.container,
        timestamps: 'true',
        follow: o.follow ? 'true' : undefined,
        previous: q.previous ? 'true' : undefined,
        sinceTime: since !== null && Number.isFinite(since) ? sinceTimeParam(since) : undefined,
        // All of a pod's log can be far more than anyone reads: the newest lines, within the agent's bounds
        // (a pod a follow picks up later: all its lines so far, as bounded; resuming: none before the mark).
        tailLines: o.from ? undefined : String(o.fromStart ? LOG_LINES_MAX : Math.min(q.tailLines ?? LOG_LINES_MAX, LOG_LINES_MAX)),
        limitBytes: o.follow ? undefined : String(LOG_BYTES_MAX),
      },
      signal,
    );
    let skip = o.from ? o.from.atTs : 0;
    const keep = (l: TimedLine) => {
      if (o.from && l.ts) {
        if (l.ts < o.from.ts) return false;
        if (l.ts === o.from.ts && skip > 0) {
          skip--;
          return false;
        }
      } else if (q.sinceMs !== null && l.ts && l.timeMs < q.sinceMs) return false;
      return true;
    };
    const split = new LineSplitter();
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        const lines = split.push(chunk).map(parseStampedLine).filter(keep);
        if (lines.length) onLines(lines);
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
    const last = split.end().map(parseStampedLine).filter(keep);
    if (last.length) onLines(last);
  }
}

/**
 * A follow request after its first read: one stream per pod, resumed after
 * the lines already sent; pods that come and go are picked up and dropped
 * as the collector's pod watch sees them.
 */
class LogFollow {
  private readonly streams = new Map<string, { target: Target; stop: AbortController }>();
  private shown: string[] = [];
  private failure: LogSourceError | null = null;
  private finish: () => void = () => undefined;

  constructor(
    private readonly src: KubeLogSource,
    private readonly q: LogQuery,
    private readonly sink: LogSink,
    private readonly signal: AbortSignal,
    private readonly first: Target[],
    private readonly marks: Map<string, Mark>,
  ) {
    this.shown = first.map((t) => t.pod);
  }

  async run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const stop = () => this.finish();
    this.signal.addEventListener('abort', stop, { once: true });
    const unwatch = this.src.d.collector.onChange(() => this.reconcile());
    for (const t of this.first) this.start(t);
    this.reconcile();
    try {
      await done;
    } finally {
      unwatch();
      this.signal.removeEventListener('abort', stop);
      for (const s of this.streams.values()) s.stop.abort();
      this.streams.clear();
    }
    if (this.failure) throw this.failure;
  }

  /** The pods the request reads now against the streams running: start new ones, end gone ones. */
  private reconcile(): void {
    if (this.signal.aborted) return;
    let now: Target[];
    try {
      now = this.src.readable(this.src.targetsOf(this.q), this.q);
    } catch {
      // No started pod this moment (a rollout): keep the streams of pods that still exist.
      now = [];
    }
    const names = new Set(now.map((t) => t.pod));
    for (const [pod, s] of this.streams) {
      if (names.has(pod)) continue;
      const gone = !this.src.d.collector.podItems().some((p) => p.metadata?.name === pod);
      if (gone) {
        s.stop.abort();
        this.streams.delete(pod);
      }
    }
    for (const t of now) if (!this.streams.has(t.pod)) this.start(t);
    const shown = [...this.streams.keys()].sort();
    if (shown.join('\n') !== this.shown.join('\n')) {
      this.shown = shown;
      this.sink.pods(shown);
    }
  }

  private start(t: Target): void {
    const stop = new AbortController();
    this.streams.set(t.pod, { target: t, stop });
    void this.keepFollowing(t, stop.signal);
  }

  /** Follows one pod until it goes or the request ends; a stream that ends (a container restart) or fails is resumed after a pause. */
  private async keepFollowing(t: Target, stop: AbortSignal): Promise<void> {
    const both = AbortSignal.any([stop, this.signal]);
    const backoff = new Backoff(500, 10_000);
    while (!both.aborted) {
      const from = this.marks.get(t.pod);
      try {
        await this.src.stream(t, this.q, { follow: true, from, fromStart: !from }, both, (lines) => {
          const last = lines.at(-1)!;
          const mark = this.marks.get(t.pod);
          const atTs = lines.filter((l) => l.ts === last.ts).length + (mark?.ts === last.ts ? mark.atTs : 0);
          this.marks.set(t.pod, { ts: last.ts, atTs });
          backoff.reset();
          this.sink.lines(lines.map((l) => toFacts({ ...l, ...t })));
        });
      } catch (e) {
        if (both.aborted) return;
        if (e instanceof KubeHttpError && e.code === 403) {
          this.failure = forbiddenError(e);
          this.finish();
          return;
        }
        this.src.d.log.debug({ pod: t.pod, err: describe(e as Error) }, 'following pod logs failed; retrying');
      }
      if (both.aborted) return;
      await sleep(backoff.next(), both);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The service's own container: named after the service (gen3-helm names it after the chart), else the first. */
export function mainContainer(containers: readonly V1Container[], service: string): string {
  return (containers.find((c) => c.name === service) ?? containers[0])?.name ?? '';
}

function statusOf(pod: V1Pod | undefined, container: string): V1ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === container);
}

const toFacts = (l: TimedLine & Target): LogLineFacts => ({ pod: l.pod, container: l.container, timeMs: l.timeMs, text: l.text });

function describe(e: Error): string {
  if (e instanceof KubeHttpError) return `Kubernetes API ${e.code}${e.reason ? ` ${e.reason}` : ''}: ${e.message}`;
  return e.message;
}

function forbiddenError(e: KubeHttpError): LogSourceError {
  return new LogSourceError(
    `forbidden: ${e.message}. The agent's Role does not grant get on pods/log: add it to the Role (agent/deploy/rbac.yaml, or the dcoc-agent Helm chart's), apply it to the commons namespace, and retry`,
  );
}
