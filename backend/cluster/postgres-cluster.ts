// Replicas on one PostgreSQL: messages go through NOTIFY on one channel, and
// each singleton role is a session advisory lock held on the connection that
// LISTENs. If that connection drops, PostgreSQL releases the locks (so another
// replica takes the roles over, also after kill -9) and this replica
// reconnects, takes what it can again and resyncs from the store, since
// notifications sent meanwhile are lost.
import pg from 'pg';
import type { Logger } from '../../lib/logger';
import { postgresPool } from '../store/open-postgres';
import { type Cluster, ClusterMessage, type SingletonRole } from './cluster';

const CHANNEL = 'dcoc_cluster';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const MAX_PAYLOAD = 7900;
const ROLES: Record<SingletonRole, number> = { sweeper: 0x0dc0c001 };
const ROLE_POLL_MS = 1000;
const RECONNECT_MS = [250, 500, 1000, 2000, 5000];

export class PostgresCluster implements Cluster {
  readonly shared = true;
  private listener: pg.Client | null = null;
  private readonly pool: pg.Pool;
  private readonly held = new Set<SingletonRole>();
  private readonly messageFns: ((m: ClusterMessage, from: string) => void)[] = [];
  private readonly resyncFns: (() => void)[] = [];
  private readonly roleFns: ((role: SingletonRole, held: boolean) => void)[] = [];
  private closed = false;
  private attempts = 0;
  private roleTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;

  private constructor(
    readonly replicaId: string,
    private readonly url: string,
    private readonly log: Logger,
  ) {
    // One connection: notifications leave in the order they were told (a command's states arrive in order).
    this.pool = postgresPool(url, { poolSize: 1, applicationName: `dcoc-control ${replicaId} notify`, log });
  }

  static async start(replicaId: string, url: string, log: Logger): Promise<PostgresCluster> {
    const c = new PostgresCluster(replicaId, url, log);
    await c.connect();
    c.roleTimer = setInterval(() => void c.claimRoles(), ROLE_POLL_MS);
    await c.claimRoles();
    return c;
  }

  async tell(msg: ClusterMessage): Promise<void> {
    const payload = JSON.stringify({ from: this.replicaId, msg });
    if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
      this.log.warn({ kind: msg.kind, bytes: Buffer.byteLength(payload) }, 'cluster message too large for NOTIFY; not sent (the other replicas catch up at their next resync)');
      return;
    }
    await this.pool.query('select pg_notify($1, $2)', [CHANNEL, payload]);
  }

  onMessage(fn: (msg: ClusterMessage, from: string) => void): void {
    this.messageFns.push(fn);
  }

  onResync(fn: () => void): void {
    this.resyncFns.push(fn);
  }

  holds(role: SingletonRole): boolean {
    return this.held.has(role);
  }

  onRole(fn: (role: SingletonRole, held: boolean) => void): void {
    this.roleFns.push(fn);
    for (const r of this.held) fn(r, true);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.roleTimer) clearInterval(this.roleTimer);
    this.dropRoles();
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, application_name: `dcoc-control ${this.replicaId} listen`, connectionTimeoutMillis: 10_000 });
      client.on('error', (e) => this.lost(client, e.message));
      client.on('end', () => this.lost(client, 'connection ended'));
      client.on('notification', (n) => this.heard(n.payload));
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
      this.attempts = 0;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private heard(payload: string | undefined): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? '');
    } catch {
      this.log.warn('cluster message is not JSON; dropped');
      return;
    }
    const from = (parsed as { from?: unknown })?.from;
    if (typeof from !== 'string' || from === this.replicaId) return;
    const msg = ClusterMessage.safeParse((parsed as { msg?: unknown }).msg);
    if (!msg.success) {
      this.log.warn({ from, issue: msg.error.issues[0]?.message }, 'cluster message from another replica does not parse; dropped');
      return;
    }
    for (const fn of this.messageFns) {
      try {
        fn(msg.data, from);
      } catch (e) {
        this.log.error({ err: e, kind: msg.data.kind }, 'handling a cluster message failed');
      }
    }
  }

  private lost(client: pg.Client, why: string): void {
    if (this.listener !== client || this.closed) return;
    this.listener = null;
    this.log.warn({ why }, 'lost the connection that hears the other replicas; reconnecting (the roles this replica held are released)');
    this.dropRoles();
    client.end().catch(() => undefined);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    while (!this.closed && !this.listener) {
      await new Promise((r) => setTimeout(r, RECONNECT_MS[Math.min(this.attempts++, RECONNECT_MS.length - 1)]));
      if (this.closed) return;
      try {
        await this.connect();
      } catch (e) {
        this.log.warn({ err: (e as Error).message, attempt: this.attempts }, 'reconnecting to PostgreSQL failed; trying again');
        continue;
      }
      this.log.info('hearing the other replicas again; resyncing from the store');
      await this.claimRoles();
      for (const fn of this.resyncFns) fn();
    }
  }

  private dropRoles(): void {
    for (const r of [...this.held]) {
      this.held.delete(r);
      for (const fn of this.roleFns) fn(r, false);
    }
  }

  /** Takes each role no replica holds; on the listening connection, so losing it releases them. */
  private async claimRoles(): Promise<void> {
    const client = this.listener;
    if (!client || this.closed) return;
    for (const [role, key] of Object.entries(ROLES) as [SingletonRole, number][]) {
      if (this.held.has(role)) continue;
      try {
        const r = await client.query<{ got: boolean }>('select pg_try_advisory_lock($1) as got', [key]);
        if (r.rows[0]?.got && this.listener === client) {
          this.held.add(role);
          this.log.info({ role }, 'this replica now plays a singleton role');
          for (const fn of this.roleFns) fn(role, true);
        }
      } catch (e) {
        this.log.warn({ err: (e as Error).message, role }, 'could not try the advisory lock of a role');
      }
    }
  }
}
