// Every replica shows every commons: the replica holding a commons' agent
// writes the commons' live state to commons_live (at most every FLUSH_MS, and
// a heartbeat alone at most every third of the silence limit) and tells the
// others, which read it into their fleet. A replica that was killed leaves its
// rows behind; their last-seen times age and the commons reads as silent until
// its agent reconnects elsewhere.
import { z } from 'zod';
import { CronJobView, ServiceView } from '../../contracts/api';
import type { Logger } from '../../lib/logger';
import type { Fleet, LiveSnapshot } from '../fleet/fleet';
import type { AgentSessions } from '../gateway/sessions';
import type { CommonsLiveRow, Store } from '../store/store';
import type { Cluster } from './cluster';

const FLUSH_MS = 250;
const BATCH = 100;

/** What another replica wrote is input: checked before it reaches the fleet. */
const Snapshot = z.object({
  release: z.string(),
  config: z.object({ revision: z.number().int().min(0), data: z.record(z.string(), z.string()), resourceVersion: z.string().optional() }),
  services: z.array(ServiceView).max(500),
  agent: z.object({ id: z.string().nullable(), connected: z.boolean(), lastSeenMs: z.number().nullable(), version: z.string().nullable(), deployMethod: z.string().nullable() }),
  cronjobs: z.object({ items: z.array(CronJobView), atMs: z.number() }).nullable(),
}) satisfies z.ZodType<LiveSnapshot>;

/**
 * A 0.2.0 replica (during a rolling upgrade) writes each CronJob's last run
 * only: its recent runs are that one, and durations are recomputed when served.
 */
export function withRecentRuns(json: unknown): unknown {
  const items = (json as { cronjobs?: { items?: unknown } } | null)?.cronjobs?.items;
  if (!Array.isArray(items)) return json;
  for (const c of items as Record<string, unknown>[]) {
    if (!c || typeof c !== 'object') continue;
    const last = c.lastRun as Record<string, unknown> | null | undefined;
    if (last && typeof last === 'object' && !('durationSeconds' in last)) last.durationSeconds = null;
    if (!('recentRuns' in c)) c.recentRuns = last ? [last] : [];
  }
  return json;
}

export interface LiveSyncDeps {
  cluster: Cluster;
  fleet: Fleet;
  store: Store;
  sessions: AgentSessions;
  log: Logger;
  silenceMs: number;
}

export function shareLiveState(d: LiveSyncDeps): { ready: Promise<void>; stop(): Promise<void> } {
  if (!d.cluster.shared) return { ready: Promise.resolve(), stop: () => Promise.resolve() };
  const seenEveryMs = Math.max(250, d.silenceMs / 3);
  const dirty = new Set<string>();
  const lastWrite = new Map<string, number>();

  d.fleet.onLocalChange = (id, what) => {
    if (what === 'seen' && Date.now() - (lastWrite.get(id) ?? 0) < seenEveryMs) return;
    dirty.add(id);
  };

  let flushing = Promise.resolve();
  const flush = async () => {
    const ids = [...dirty];
    dirty.clear();
    const written: string[] = [];
    for (const id of ids) {
      const snap = d.fleet.snapshot(id);
      if (!snap) continue;
      const now = Date.now();
      try {
        await d.store.putCommonsLive({
          commons_id: id,
          replica_id: d.cluster.replicaId,
          connected: d.sessions.forCommons(id) ? 1 : 0,
          live_json: JSON.stringify(snap),
          updated_at: new Date(now).toISOString(),
        });
        lastWrite.set(id, now);
        written.push(id);
      } catch (e) {
        dirty.add(id); // tried again at the next flush
        d.log.warn({ err: (e as Error).message, commons: id }, 'could not share a commons live state with the other replicas');
      }
    }
    for (let i = 0; i < written.length; i += BATCH) {
      await d.cluster.tell({ kind: 'live', commons: written.slice(i, i + BATCH) }).catch((e: Error) => d.log.warn({ err: e.message }, 'could not tell the other replicas of live state'));
    }
  };
  const timer = setInterval(() => {
    if (dirty.size) flushing = flushing.then(flush);
  }, FLUSH_MS);

  const apply = async (rows: CommonsLiveRow[]) => {
    for (const row of rows) {
      // This replica's own rows, and commons whose agent is here now, are already right here.
      if (row.replica_id === d.cluster.replicaId || d.sessions.forCommons(row.commons_id)) continue;
      let json: unknown;
      try {
        json = JSON.parse(row.live_json);
      } catch {
        json = undefined;
      }
      const snap = Snapshot.safeParse(withRecentRuns(json));
      if (!snap.success) {
        d.log.warn({ commons: row.commons_id, from: row.replica_id }, 'live state written by another replica does not parse; ignored');
        continue;
      }
      // Only a commons this replica has not seen yet is read from the store.
      const commons = d.fleet.get(row.commons_id) ?? (await d.store.getCommons(row.commons_id));
      if (commons) d.fleet.applyRemote(commons, snap.data);
    }
  };
  const load = (ids?: string[]) =>
    d.store.listCommonsLive(ids).then(apply, (e: Error) => d.log.warn({ err: e.message }, 'could not read the live state the other replicas wrote'));

  let reading = Promise.resolve();
  d.cluster.onMessage((m) => {
    if (m.kind === 'live') reading = reading.then(() => load(m.commons));
  });
  d.cluster.onResync(() => {
    reading = reading.then(() => load());
  });

  return {
    ready: load(),
    /** After the agent streams are closed: their disconnects are written before this replica goes. */
    async stop() {
      clearInterval(timer);
      d.fleet.onLocalChange = null;
      await (flushing = flushing.then(flush));
      await reading;
    },
  };
}
