// Requests to a commons' agent that it answers on its stream (logs,
// Kubernetes events, resources), whichever replica holds the stream. The
// replica that asks keeps the reader and its deadlines; the replica that
// holds the agent sends the request, checks what the agent answers
// (agent-answers.ts) and hands it back: directly when it is the same
// replica, else through the cluster in pieces (parts.ts). Nothing the agent
// sends is stored or logged; an answer for a request the agent was not asked
// is dropped and counted.
import { randomUUID } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { InspectResultMsg, LogChunkMsg } from '../../contracts/agent-messages';
import type { Logger } from '../../lib/logger';
import type { AgentAsk, Cluster, ClusterMessage } from '../cluster/cluster';
import type { Fleet } from '../fleet/fleet';
import type { AgentSession, AgentSessions } from '../gateway/sessions';
import { checkChunk, checkInspectResult } from './agent-answers';
import { PartsAssembler, splitParts } from './parts';

/** How long the first answer may take (the agent reads the API server, then answers). */
export const FIRST_ANSWER_MS = 15_000;
/** A request that is not followed fails after this long without a chunk. */
export const IDLE_MS = 15_000;
/** Requests this replica has open at once (readers are HTTP requests; each holds little). */
const OPEN_MAX = 1000;
/** Answers on their way to another replica that a request may have queued before its lines are dropped. */
const IN_FLIGHT_MAX = 32;

/** Why a request gets no (more) answer; the route turns it into a problem. */
export class AgentRequestFailure extends Error {
  constructor(
    readonly status: 404 | 503,
    readonly title: string,
    detail: string,
    /** The agent's own words (LogSourceError): the route decides what they mean. */
    readonly fromAgent = false,
  ) {
    super(detail);
  }
}

export interface AgentReader {
  chunk?(c: LogChunkMsg): void;
  result?(r: InspectResultMsg): void;
  /** The request is over: done (null), or failed. Called once; nothing is delivered after it. */
  end(failure: AgentRequestFailure | null): void;
}

type Envelope = { t: 'chunk'; chunk: LogChunkMsg } | { t: 'result'; result: InspectResultMsg } | { t: 'fail'; status: 404 | 503; title: string; detail: string };

/** An envelope from another replica is input: its shape checked here, its content by agent-answers.ts. */
const EnvelopeSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('chunk'),
    chunk: z.object({ id: z.string(), lines: z.array(z.any()).max(10_000), pods: z.array(z.any()).max(10_000), done: z.boolean(), error: z.string(), truncated: z.boolean() }),
  }),
  z.object({ t: z.literal('result'), result: z.object({ id: z.string(), error: z.string(), events: z.any().optional(), resources: z.any().optional() }) }),
  z.object({ t: z.literal('fail'), status: z.union([z.literal(404), z.literal(503)]), title: z.string().max(200), detail: z.string().max(4000) }),
]);

export interface AgentRequestsDeps {
  sessions: AgentSessions;
  cluster: Cluster;
  fleet: Pick<Fleet, 'get'>;
  registry: Registry;
  log: Logger;
  firstAnswerMs?: number;
}

interface Asked {
  commonsId: string;
  reader: AgentReader;
  follow: boolean;
  timer: NodeJS.Timeout | null;
  /** The replica serving it, once it answered (another one's agent session ends it). */
  holder: string | null;
}

interface Served {
  session: AgentSession;
  logs: boolean;
  out: (e: Envelope) => void;
}

const capabilityOf = (ask: AgentAsk) => (ask.type === 'logs' ? 'inspect:logs' : `inspect:${ask.kind}`);

export class AgentRequests {
  private readonly asked = new Map<string, Asked>();
  private readonly served = new Map<string, Served>();
  private readonly inFlight = new Map<string, number>();
  private readonly parts = new PartsAssembler();
  private readonly dropped: Counter<'why'>;
  private readonly firstAnswerMs: number;

  constructor(private readonly d: AgentRequestsDeps) {
    this.firstAnswerMs = d.firstAnswerMs ?? FIRST_ANSWER_MS;
    this.dropped =
      (d.registry.getSingleMetric('dcoc_agent_answers_dropped_total') as Counter<'why'> | undefined) ??
      new Counter({
        name: 'dcoc_agent_answers_dropped_total',
        help: 'Log lines, events and answers from agents dropped at the gateway (for a request not asked, invalid, or beyond bounds).',
        labelNames: ['why'],
        registers: [d.registry],
      });
    d.cluster.onMessage((m, from) => this.fromCluster(m, from));
  }

  // ---------------------------------------------------------------- the asking side

  /** Asks the agent of `commonsId`; answers go to `reader` until it ends or stop() is called. */
  ask(commonsId: string, ask: AgentAsk, reader: AgentReader): { id: string; stop(): void } {
    const id = randomUUID();
    const follow = ask.type === 'logs' && ask.follow;
    const stop = () => this.stop(id);
    if (this.asked.size >= OPEN_MAX) {
      reader.end(new AgentRequestFailure(503, 'Too many requests to agents', `this control service replica has ${OPEN_MAX} requests to agents open; retry in a moment`));
      return { id, stop };
    }
    const entry: Asked = { commonsId, reader, follow, timer: null, holder: null };
    this.asked.set(id, entry);
    this.arm(id, entry, this.firstAnswerMs, 'did not answer in time');
    const session = this.d.sessions.forCommons(commonsId);
    if (session) {
      entry.holder = this.d.cluster.replicaId;
      this.serve(id, session, ask, (e) => this.deliver(id, e));
    } else if (this.d.cluster.shared && this.d.fleet.get(commonsId)?.agent.connected) {
      this.d.cluster.tell({ kind: 'inspect-open', commons: commonsId, id, ask }).catch((e: Error) => {
        this.d.log.warn({ err: e.message, commons: commonsId }, 'could not ask the other replicas for an agent');
        this.finish(id, new AgentRequestFailure(503, 'Agent not reachable', `the replica holding the agent of commons ${commonsId} could not be told; retry`));
      });
    } else {
      this.finish(id, notConnected(commonsId));
    }
    return { id, stop };
  }

  private arm(id: string, entry: Asked, ms: number, what: string): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      this.finish(id, new AgentRequestFailure(503, 'Agent did not answer', `the agent of commons ${entry.commonsId} ${what} (${Math.round(ms / 1000)} s); check its log and its connection (GET /api/v1/agents), then retry`));
      this.stopAt(id, entry);
    }, ms);
    entry.timer.unref?.();
  }

  private stop(id: string): void {
    const entry = this.asked.get(id);
    if (!entry) return;
    this.asked.delete(id);
    this.parts.forget(id);
    if (entry.timer) clearTimeout(entry.timer);
    this.stopAt(id, entry);
  }

  /** Tells whoever serves the request to stop it. */
  private stopAt(id: string, entry: Asked): void {
    if (this.served.has(id)) this.stopServed(id);
    else if (this.d.cluster.shared) this.d.cluster.tell({ kind: 'inspect-stop', commons: entry.commonsId, id }).catch(() => undefined);
  }

  private finish(id: string, failure: AgentRequestFailure | null): void {
    const entry = this.asked.get(id);
    if (!entry) return;
    this.asked.delete(id);
    this.parts.forget(id);
    if (entry.timer) clearTimeout(entry.timer);
    entry.reader.end(failure);
  }

  private deliver(id: string, e: Envelope, holder?: string): void {
    const entry = this.asked.get(id);
    if (!entry) return;
    if (holder) entry.holder = holder;
    if (e.t === 'fail') return this.finish(id, new AgentRequestFailure(e.status, e.title, e.detail));
    if (entry.follow) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    } else this.arm(id, entry, IDLE_MS, 'stopped answering');
    if (e.t === 'chunk') {
      const c = e.chunk;
      if (c.lines.length || c.pods.length || c.truncated) entry.reader.chunk?.(c);
      if (c.error) this.finish(id, new AgentRequestFailure(503, 'The agent could not read the logs', c.error, true));
      else if (c.done) this.finish(id, null);
    } else {
      entry.reader.result?.(e.result);
      this.finish(id, e.result.error ? new AgentRequestFailure(503, 'The agent could not answer', e.result.error, true) : null);
    }
  }

  // ---------------------------------------------------------------- the side holding the agent

  private serve(id: string, session: AgentSession, ask: AgentAsk, out: (e: Envelope) => void): void {
    const cap = capabilityOf(ask);
    if (!session.capabilities?.includes(cap)) {
      return out({
        t: 'fail',
        status: 503,
        title: 'Agent cannot do this',
        detail: `the agent of commons ${session.commonsId} (version ${session.version ?? 'unknown'}) does not advertise ${cap}; upgrade the agent to a version that does`,
      });
    }
    this.served.set(id, { session, logs: ask.type === 'logs', out });
    const sent =
      ask.type === 'logs'
        ? session.send({ logs: { id, service: ask.service, job: ask.job, pod: ask.pod, previous: ask.previous, follow: ask.follow, since_ms: ask.since_ms, until_ms: ask.until_ms, tail_lines: ask.tail_lines, filter: ask.filter, max_lines: ask.max_lines, max_bytes: ask.max_bytes } })
        : session.send({ inspect: { id, kind: ask.kind, service: ask.service } });
    if (!sent) {
      this.served.delete(id);
      const f = notConnected(session.commonsId, true);
      out({ t: 'fail', status: f.status, title: f.title, detail: f.message });
    }
  }

  private stopServed(id: string): void {
    const s = this.served.get(id);
    if (!s) return;
    this.served.delete(id);
    this.inFlight.delete(id);
    if (s.logs) s.session.send({ stop_logs: { id } });
  }

  /** A log chunk from an agent's stream (the gateway calls this). */
  logChunk(session: AgentSession, raw: LogChunkMsg): void {
    const s = this.served.get(raw.id);
    if (!s || s.session !== session || !s.logs) {
      this.dropped.inc({ why: 'not-asked' });
      return;
    }
    const { chunk, dropped } = checkChunk(raw);
    if (dropped) this.dropped.inc({ why: 'invalid-or-over-bound' }, dropped);
    if (chunk.done || chunk.error) this.served.delete(raw.id);
    s.out({ t: 'chunk', chunk });
  }

  /** An inspect result from an agent's stream (the gateway calls this). */
  inspectResult(session: AgentSession, raw: InspectResultMsg): void {
    const s = this.served.get(raw.id);
    if (!s || s.session !== session || s.logs) {
      this.dropped.inc({ why: 'not-asked' });
      return;
    }
    this.served.delete(raw.id);
    const { result, dropped } = checkInspectResult(raw);
    if (dropped) this.dropped.inc({ why: 'invalid-or-over-bound' }, dropped);
    s.out({ t: 'result', result });
  }

  /** The agent's stream closed: every request it served fails (the agent stops them itself). */
  sessionClosed(session: AgentSession): void {
    for (const [id, s] of this.served) {
      if (s.session !== session) continue;
      this.served.delete(id);
      s.out({ t: 'fail', status: 503, title: 'Agent disconnected', detail: `the agent of commons ${session.commonsId} disconnected; retry once it is back (GET /api/v1/commons/${session.commonsId})` });
    }
  }

  // ---------------------------------------------------------------- between replicas

  private fromCluster(m: ClusterMessage, from: string): void {
    if (m.kind === 'inspect-open') {
      const session = this.d.sessions.forCommons(m.commons);
      if (session) this.serve(m.id, session, m.ask, (e) => this.toReplica(from, m.id, e));
    } else if (m.kind === 'inspect-stop') {
      if (this.served.get(m.id)?.session.commonsId === m.commons) this.stopServed(m.id);
    } else if (m.kind === 'inspect-part') {
      if (m.to !== this.d.cluster.replicaId || !this.asked.has(m.id)) return;
      const value = this.parts.add(m.id, m.seq, m.last, m.data);
      if (value === undefined) return;
      const env = value instanceof Error ? null : EnvelopeSchema.safeParse(value);
      if (!env?.success) {
        this.d.log.warn({ from, err: value instanceof Error ? value.message : 'does not parse' }, 'an answer from another replica was dropped');
        this.finish(m.id, new AgentRequestFailure(503, 'Answer lost', 'the answer from the replica holding the agent was damaged on the way; retry'));
        return;
      }
      const e = env.data;
      // Another replica's word is input: bounded again as an agent's would be.
      if (e.t === 'chunk') this.deliver(m.id, { t: 'chunk', chunk: checkChunk(e.chunk as LogChunkMsg).chunk }, from);
      else if (e.t === 'result') this.deliver(m.id, { t: 'result', result: checkInspectResult(e.result as InspectResultMsg).result }, from);
      else this.deliver(m.id, e, from);
    } else if (m.kind === 'session') {
      // The agent is on another replica now: what the old one served is gone.
      for (const [id, entry] of this.asked) {
        if (entry.commonsId === m.commons && entry.holder && entry.holder !== from) this.finish(id, reconnected(m.commons));
      }
    }
  }

  /** An agent of this replica connected: requests another replica held for it are gone. */
  agentConnected(commonsId: string): void {
    for (const [id, entry] of this.asked) {
      if (entry.commonsId === commonsId && entry.holder && entry.holder !== this.d.cluster.replicaId) this.finish(id, reconnected(commonsId));
    }
  }

  private toReplica(to: string, id: string, e: Envelope): void {
    const queued = this.inFlight.get(id) ?? 0;
    // The NOTIFY connection is slower than the agent: drop lines rather than queue without bound.
    if (queued >= IN_FLIGHT_MAX && e.t === 'chunk') {
      if (!e.chunk.done && !e.chunk.error && !e.chunk.pods.length) {
        this.dropped.inc({ why: 'replica-backlog' }, e.chunk.lines.length);
        return;
      }
      e = { t: 'chunk', chunk: { ...e.chunk, lines: [], truncated: true } };
    }
    const pieces = splitParts(e);
    this.inFlight.set(id, queued + 1);
    const sent = pieces.map((data, seq) => this.d.cluster.tell({ kind: 'inspect-part', to, id, seq, last: seq === pieces.length - 1, data }));
    Promise.all(sent)
      .catch((err: Error) => this.d.log.warn({ err: err.message, to }, 'could not hand an agent answer to the replica that asked'))
      .finally(() => {
        const n = this.inFlight.get(id);
        if (n === undefined) return;
        if (n <= 1) this.inFlight.delete(id);
        else this.inFlight.set(id, n - 1);
      });
  }
}

function notConnected(commonsId: string, justNow = false): AgentRequestFailure {
  return new AgentRequestFailure(
    503,
    'Agent not connected',
    `the agent of commons ${commonsId} is ${justNow ? 'disconnecting' : 'not connected'}; start it (or check its connection: GET /api/v1/agents), then retry`,
  );
}

function reconnected(commonsId: string): AgentRequestFailure {
  return new AgentRequestFailure(503, 'Agent reconnected', `the agent of commons ${commonsId} reconnected to another control service replica; open the request again`);
}
