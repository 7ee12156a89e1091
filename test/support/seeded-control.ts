// A control service whose store already holds a fleet of `count` commons,
// each with the default Gen3 services and an agent heard from moments ago,
// with no agent processes at all: the rows are written into a fresh
// PostgreSQL store (the schema from the store itself) as the commons table
// and the live state another replica would have shared (commons_live), which
// a control service on PostgreSQL reads at start (backend/cluster/live-sync.ts). For the
// fleet-wide queries at 1,000 and 10,000 commons (tests and
// `npm run bench -- --queries`); a handful of services are down, and some
// commands failed or expired, so every number of the health query has values.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceView } from '../../contracts/api';
import { DEFAULT_ENABLED } from '../../contracts/gen3/catalog';
import { openPostgresStore, postgresPool } from '../../backend/store/open-postgres';
import { createTestDatabase } from './postgres';
import type { Control } from '../../scripts/demo/processes';
import { api, stopProc } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, eventually, startTestControl } from './fleet';

export interface SeededControl {
  control: Control;
  /** The commons ids, in order: seeded-00000, seeded-00001, … */
  ids: string[];
  stop(): Promise<void>;
}

/** Every `DOWN_EVERY`th commons has one service down (indexd). */
export const DOWN_EVERY = 10;
/** Every `FAILED_EVERY`th commons has one failed and one expired command, updated a minute before the seed. */
export const FAILED_EVERY = 7;

export const seededId = (i: number) => `seeded-${String(i).padStart(5, '0')}`;

function services(i: number, nowIso: string): ServiceView[] {
  return DEFAULT_ENABLED.map((name) => {
    const down = name === 'indexd' && i % DOWN_EVERY === 0;
    return {
      name,
      status: down ? 'down' : 'healthy',
      deployment: `${name}-deployment`,
      desiredReplicas: 2,
      readyReplicas: down ? 0 : 2,
      updatedReplicas: 2,
      image: `quay.io/cdis/${name}:2026.07`,
      version: '2026.07',
      reason: down ? 'health check failed: 503' : '',
      restartedAt: null,
      restartCount: 0,
      rollout: null,
      health: { url: `http://${name}-service/_status`, httpStatus: down ? 503 : 200, latencyMs: 12, checkedAt: nowIso, ok: !down, detail: down ? 'Service Unavailable' : 'Healthy' },
      gitopsOwner: null,
    };
  });
}

const BATCH = 1000;

/** Writes `count` commons into the (fresh) store at the PostgreSQL `url`, its schema migrated by the store itself. */
export async function seedFleet(url: string, count: number, now = Date.now()): Promise<string[]> {
  await (await openPostgresStore(url)).close();
  const pool = postgresPool(url);
  const nowIso = new Date(now).toISOString();
  const before = new Date(now - 60_000).toISOString();
  const ids = Array.from({ length: count }, (_, i) => seededId(i));
  try {
    for (let start = 0; start < count; start += BATCH) {
      const batch = ids.slice(start, start + BATCH).map((id, k) => ({ id, i: start + k }));
      const env = (i: number) => (i % 2 ? 'staging' : 'prod');
      await pool.query(
        `insert into commons (id, name, hostname, environment, namespace, agent_id, release, config_revision, config_json, created_at, updated_at)
         select id, id, id || '.example.org', env, 'default', 'agent-' || id, '2026.07', 1, cfg, $4, $4 from unnest($1::text[], $2::text[], $3::text[]) as t(id, env, cfg)`,
        [batch.map((b) => b.id), batch.map((b) => env(b.i)), batch.map((b) => JSON.stringify({ hostname: `${b.id}.example.org`, environment: env(b.i) })), nowIso],
      );
      const live = batch.map((b) =>
        JSON.stringify({
          release: '2026.07',
          config: { revision: 1, data: { hostname: `${b.id}.example.org` } },
          services: services(b.i, nowIso),
          agent: { id: `agent-${b.id}`, connected: true, lastSeenMs: now, version: '1.0.0', deployMethod: 'simulated' },
          cronjobs: null,
        }),
      );
      // Written as another replica would have: every control service reads these at start (backend/cluster/live-sync.ts).
      await pool.query(`insert into commons_live (commons_id, replica_id, connected, live_json, updated_at) select id, 'seed-replica', 1, live, $3 from unnest($1::text[], $2::text[]) as t(id, live)`, [
        batch.map((b) => b.id),
        live,
        nowIso,
      ]);
      const failing = batch.filter((b) => b.i % FAILED_EVERY === 0).flatMap((b) => ['failed', 'expired'].map((state) => ({ id: `seed-${state}-${b.i}`, commons: b.id, state })));
      if (failing.length) {
        await pool.query(
          `insert into commands (id, kind, commons_id, service, target_json, state, message, percent, actor, created_at, updated_at, deadline, attempts, result_json)
           select id, 'restart', commons, 'fence', '{"restartedAt":"2026-01-01T00:00:00.000Z"}', state, state, 100, 'token:seed', $4, $4, $4, 1, null from unnest($1::text[], $2::text[], $3::text[]) as t(id, commons, state)`,
          [failing.map((f) => f.id), failing.map((f) => f.commons), failing.map((f) => f.state), before],
        );
      }
    }
  } finally {
    await pool.end();
  }
  return ids;
}

/**
 * A control service on a PostgreSQL database of its own seeded with `count`
 * commons (live state is shared between replicas only on PostgreSQL); agents
 * count as heard from for an hour.
 */
export async function startSeededControl(count: number, env: NodeJS.ProcessEnv = {}): Promise<SeededControl> {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-seeded-'));
  const database = await createTestDatabase('seeded');
  try {
    const ids = await seedFleet(database.url, count);
    const control = await startTestControl(dir, { DCOC_DATABASE_URL: database.url, DCOC_AGENT_SILENCE_S: '3600', ...env });
    // The HTTP API listens before the live state is read: wait for every commons, healthy or down as seeded.
    await eventually(
      async () => {
        const r = await api<{ items: { agent: { connected: boolean } }[] }>(control, ADMIN_TOKEN, 'GET', '/api/v1/fleet/summary');
        return r.body.items?.length === count && r.body.items.every((c) => c.agent.connected);
      },
      { what: `${count} seeded commons`, timeoutMs: 120_000 },
    );
    return {
      control,
      ids,
      async stop() {
        await stopProc(control);
        await database.drop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await database.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
