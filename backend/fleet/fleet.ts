// The live state of every commons, as its agent last reported it. Durable
// facts (identity, agent binding, config revision) are in the store; service
// state is re-sent in full by the agent on every connect, so it lives here.
import type { AgentRef, CommonsDetail, CommonsJobs, CommonsSummary, CronJobView, ServiceStatus, ServiceView } from '../../contracts/api';
import type { EventBus, EventOrigin } from '../events/bus';
import type { CommonsRow } from '../store/store';
import { withDurations } from './job-runs';
import { commonsStatus } from './status';

export interface LiveCommons {
  id: string;
  name: string;
  hostname: string;
  environment: string;
  namespace: string;
  release: string;
  config: { revision: number; data: Record<string, string>; resourceVersion?: string };
  services: Map<string, ServiceView>;
  agent: { id: string | null; connected: boolean; lastSeenMs: number | null; version: string | null; deployMethod: string | null };
  status: ServiceStatus;
  /** The CronJobs the agent last reported, and when; null until it reports them. */
  cronjobs: { items: CronJobView[]; atMs: number } | null;
}

/** A commons' live state as one replica writes it for the others (backend/cluster/live-sync.ts). */
export interface LiveSnapshot {
  release: string;
  config: LiveCommons['config'];
  services: ServiceView[];
  agent: LiveCommons['agent'];
  cronjobs: LiveCommons['cronjobs'];
}

const LOCAL: EventOrigin = { remote: false };
const REMOTE: EventOrigin = { remote: true };

export class Fleet {
  private readonly commons = new Map<string, LiveCommons>();
  /** Whether each commons' agent counted as online when its status was last computed: the sweep recomputes only where that changed. */
  private readonly onlineAtStatus = new WeakMap<LiveCommons, boolean>();
  /** Told of every change this replica's agents make (live-sync shares them with the other replicas). */
  onLocalChange: ((id: string, what: 'state' | 'seen') => void) | null = null;

  constructor(
    private readonly events: EventBus,
    private readonly silenceMs: number,
  ) {}

  /** Commons known from the store start as unknown until their agent reports. */
  load(rows: CommonsRow[]): void {
    for (const r of rows) this.ensure(r);
  }

  ensure(r: CommonsRow, origin: EventOrigin = LOCAL): LiveCommons {
    let c = this.commons.get(r.id);
    if (!c) {
      c = {
        id: r.id,
        name: r.name,
        hostname: r.hostname,
        environment: r.environment,
        namespace: r.namespace,
        release: r.release,
        config: { revision: r.config_revision, data: JSON.parse(r.config_json) as Record<string, string> },
        services: new Map(),
        agent: { id: r.agent_id, connected: false, lastSeenMs: null, version: null, deployMethod: null },
        status: 'unknown',
        cronjobs: null,
      };
      this.commons.set(r.id, c);
      this.events.publish({ type: 'commons.added', commons: r.id }, origin);
    } else {
      Object.assign(c, { name: r.name, hostname: r.hostname, environment: r.environment, namespace: r.namespace });
      c.agent.id = r.agent_id;
    }
    return c;
  }

  get(id: string): LiveCommons | undefined {
    return this.commons.get(id);
  }

  all(): LiveCommons[] {
    return [...this.commons.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every commons in no particular order: no sort, for scrapes of thousands. */
  unsorted(): IterableIterator<LiveCommons> {
    return this.commons.values();
  }

  agentConnected(id: string, agentId: string, version: string, capabilities: string[] = []): void {
    const c = this.commons.get(id);
    if (!c) return;
    const deployMethod = capabilities.find((k) => k.startsWith('deploy:'))?.slice('deploy:'.length) ?? null;
    c.agent = { id: agentId, connected: true, lastSeenMs: Date.now(), version, deployMethod };
    this.events.publish({ type: 'agent.connected', commons: id, agent: agentId });
    this.onLocalChange?.(id, 'state');
  }

  agentDisconnected(id: string, agentId: string, reason: string): void {
    const c = this.commons.get(id);
    if (!c || c.agent.id !== agentId || !c.agent.connected) return;
    c.agent.connected = false;
    this.events.publish({ type: 'agent.disconnected', commons: id, agent: agentId, reason });
    this.recompute(c);
    this.onLocalChange?.(id, 'state');
  }

  seen(id: string): void {
    const c = this.commons.get(id);
    if (!c) return;
    c.agent.lastSeenMs = Date.now();
    this.onLocalChange?.(id, 'seen');
  }

  /** Replace every service (snapshot) or merge some (delta). */
  applyServices(id: string, services: ServiceView[], opts: { replace: boolean; removed?: string[]; release?: string }): void {
    const c = this.commons.get(id);
    if (!c) return;
    c.agent.lastSeenMs = Date.now();
    if (opts.release) c.release = opts.release;
    const next = opts.replace ? new Map<string, ServiceView>() : c.services;
    for (const s of services) {
      const before = c.services.get(s.name);
      if (before && before.status !== s.status) {
        this.events.publish({ type: 'service.status', commons: id, service: s.name, status: s.status, previous: before.status, reason: s.reason });
      }
      next.set(s.name, s);
    }
    for (const name of opts.removed ?? []) next.delete(name);
    c.services = next;
    this.recompute(c);
    this.onLocalChange?.(id, 'state');
  }

  /** Replaces the CronJobs (a snapshot, or a delta that carries them). */
  applyCronJobs(id: string, items: CronJobView[]): void {
    const c = this.commons.get(id);
    if (!c) return;
    c.cronjobs = { items, atMs: Date.now() };
    this.onLocalChange?.(id, 'state');
  }

  jobs(c: LiveCommons, nowMs = Date.now()): CommonsJobs {
    return { items: withDurations(c.cronjobs?.items ?? [], nowMs), reported: c.cronjobs !== null, reportedAt: c.cronjobs ? new Date(c.cronjobs.atMs).toISOString() : null };
  }

  applyConfig(id: string, config: { revision: number; data: Record<string, string>; resourceVersion?: string }): void {
    const c = this.commons.get(id);
    if (!c) return;
    c.config = config;
    this.onLocalChange?.(id, 'state');
  }

  remove(id: string, origin: EventOrigin = LOCAL): void {
    if (this.commons.delete(id)) this.events.publish({ type: 'commons.removed', commons: id }, origin);
  }

  /** What this replica knows of a commons, for the others. */
  snapshot(id: string): LiveSnapshot | undefined {
    const c = this.commons.get(id);
    if (!c) return undefined;
    return { release: c.release, config: c.config, services: [...c.services.values()], agent: { ...c.agent }, cronjobs: c.cronjobs };
  }

  /**
   * Takes a commons' live state from the replica that holds its agent, with
   * the events that replica's own changes would have made here.
   */
  applyRemote(target: CommonsRow | LiveCommons, live: LiveSnapshot): void {
    const c = 'config_json' in target ? this.ensure(target, REMOTE) : target;
    const was = c.agent;
    for (const s of live.services) {
      const before = c.services.get(s.name);
      if (before && before.status !== s.status) {
        this.events.publish({ type: 'service.status', commons: c.id, service: s.name, status: s.status, previous: before.status, reason: s.reason }, REMOTE);
      }
    }
    c.services = new Map(live.services.map((s) => [s.name, s]));
    c.release = live.release;
    c.config = live.config;
    c.cronjobs = live.cronjobs;
    c.agent = { ...live.agent };
    if (live.agent.id && live.agent.connected && (!was.connected || was.id !== live.agent.id)) {
      this.events.publish({ type: 'agent.connected', commons: c.id, agent: live.agent.id }, REMOTE);
    } else if (was.id && was.connected && !live.agent.connected) {
      this.events.publish({ type: 'agent.disconnected', commons: c.id, agent: was.id, reason: 'disconnected from another replica' }, REMOTE);
    }
    this.recompute(c, REMOTE);
  }

  online(c: LiveCommons, now = Date.now()): boolean {
    return c.agent.connected && c.agent.lastSeenMs !== null && now - c.agent.lastSeenMs <= this.silenceMs;
  }

  /**
   * Re-evaluates statuses (called every second, so a silent agent turns its
   * commons unknown, and a connected one counts again). Service changes
   * recompute as they come; the sweep recomputes only commons whose agent
   * went online or offline since, because recomputing all 10,000 every second
   * held the event loop for 60-190 ms at a time.
   */
  sweep(): void {
    const now = Date.now();
    for (const c of this.commons.values()) if (this.online(c, now) !== this.onlineAtStatus.get(c)) this.recompute(c);
  }

  private recompute(c: LiveCommons, origin: EventOrigin = LOCAL): void {
    const online = this.online(c);
    this.onlineAtStatus.set(c, online);
    const status = commonsStatus([...c.services.values()], online);
    if (status !== c.status) {
      const previous = c.status;
      c.status = status;
      this.events.publish({ type: 'commons.status', commons: c.id, status, previous }, origin);
    }
  }

  summary(c: LiveCommons): CommonsSummary {
    const services = [...c.services.values()];
    return {
      id: c.id,
      name: c.name,
      hostname: c.hostname,
      environment: c.environment,
      namespace: c.namespace,
      status: c.status,
      version: c.release,
      agent: this.agentRef(c),
      services: { total: services.length, healthy: services.filter((s) => s.status === 'healthy').length, down: services.filter((s) => s.status === 'down').length },
      config: { revision: c.config.revision },
    };
  }

  detail(c: LiveCommons, withConfigData: boolean): CommonsDetail {
    return {
      ...this.summary(c),
      services: [...c.services.values()].sort((a, b) => a.name.localeCompare(b.name)),
      config: { revision: c.config.revision, data: withConfigData ? c.config.data : {} },
    };
  }

  private agentRef(c: LiveCommons): AgentRef {
    return {
      id: c.agent.id,
      connected: this.online(c),
      lastSeen: c.agent.lastSeenMs ? new Date(c.agent.lastSeenMs).toISOString() : null,
      version: c.agent.version,
      deployMethod: c.agent.deployMethod,
    };
  }
}
