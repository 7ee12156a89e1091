// What the control service has accepted, read straight from its database
// (read-only, beside the running service): commands, deployments, revisions,
// config revisions, releases, API and enrollment tokens, agents and commons,
// and the audit entries of accepted actions. Refusals are audited by design,
// so audit rows with outcome rejected or denied are counted apart (and failed ones,
// which follow later from accepted work). Agents move
// command and deployment states on their own; only which rows exist is compared.
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';

/** Where a control service keeps its store: its data directory, or DCOC_DATABASE_URL in its environment (ControlOptions fits). */
export interface StoreLocation {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface StoreSnapshot {
  accepted: Record<string, string[]>;
  refusalsAudited: number;
}

const KEYS: Record<string, string> = {
  commands: "id || ' ' || kind || ' ' || commons_id",
  deployments: "id || ' ' || commons_id || ' ' || revision",
  revisions: "commons_id || ' ' || revision",
  config_revisions: "commons_id || ' ' || revision",
  releases: 'version',
  api_tokens: "id || ' revoked=' || revoked",
  enrollment_tokens: 'id',
  agents: "id || ' revoked=' || revoked",
  commons: 'id',
  commons_labels: "commons_id || ' ' || key || '=' || value",
  groups: "name || ' ' || updated_at",
  policies: "name || ' ' || updated_at",
  approvals: "id || ' ' || state",
  audit: "id || ' ' || action || ' ' || outcome",
};

export class StoreReader {
  private constructor(private readonly query: (sql: string) => Promise<Record<string, unknown>[]>, readonly close: () => Promise<void>) {}

  static async open(at: StoreLocation): Promise<StoreReader> {
    const url = at.env?.DCOC_DATABASE_URL;
    if (url) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      return new StoreReader((sql) => client.query(sql).then((r) => r.rows as Record<string, unknown>[]), () => client.end());
    }
    const db = new Sqlite(join(at.dataDir, 'dcoc.sqlite'), { readonly: true, fileMustExist: true });
    return new StoreReader((sql) => Promise.resolve(db.prepare(sql).all() as Record<string, unknown>[]), () => Promise.resolve(void db.close()));
  }

  async snapshot(): Promise<StoreSnapshot> {
    const accepted: Record<string, string[]> = {};
    for (const [table, key] of Object.entries(KEYS)) {
      // 'failed' entries come later, from the work an accepted request started (a deployment that fails at GitOps).
      const where = table === 'audit' ? " WHERE outcome NOT IN ('rejected', 'denied', 'failed')" : '';
      // Sorted here, bytewise, so both engines give the same order.
      accepted[table] = (await this.query(`SELECT ${key} AS k FROM ${table}${where}`)).map((r) => String(r.k)).sort();
    }
    const refusalsAudited = Number((await this.query("SELECT count(*) AS n FROM audit WHERE outcome IN ('rejected', 'denied')"))[0]?.n ?? 0);
    return { accepted, refusalsAudited };
  }
}

/** Table by table, rows one snapshot has and the other not (empty when the accepted state is the same). */
export function acceptedDifference(a: StoreSnapshot, b: StoreSnapshot): Record<string, { gone: string[]; added: string[] }> {
  const out: Record<string, { gone: string[]; added: string[] }> = {};
  for (const table of Object.keys(KEYS)) {
    const x = new Set(a.accepted[table]);
    const y = new Set(b.accepted[table]);
    const gone = [...x].filter((k) => !y.has(k));
    const added = [...y].filter((k) => !x.has(k));
    if (gone.length || added.length) out[table] = { gone, added };
  }
  return out;
}

/**
 * Since `before`, the store only gained the rows the
 * test accepted on purpose (`accepted`: table → rows added), lost none, and the
 * service at `url` is ready.
 */
export async function assertOnlyAccepted(at: StoreLocation, before: StoreSnapshot, accepted: Record<string, number>, url: string): Promise<void> {
  const now = await snapshotOf(at);
  const diff = acceptedDifference(before, now);
  const gone = Object.fromEntries(Object.entries(diff).filter(([, d]) => d.gone.length).map(([t, d]) => [t, d.gone]));
  if (Object.keys(gone).length) throw new Error(`rows the store had accepted are gone: ${JSON.stringify(gone)}`);
  const added = Object.fromEntries(Object.entries(diff).map(([t, d]) => [t, d.added.length]));
  const expected = Object.fromEntries(Object.entries(accepted).filter(([, n]) => n > 0));
  if (JSON.stringify(Object.entries(added).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
    throw new Error(`the store changed by ${JSON.stringify(added)}, not only by what was accepted (${JSON.stringify(expected)}): ${JSON.stringify(diff)}`);
  }
  const ready = await fetch(`${url}/readyz`);
  if (ready.status !== 200) throw new Error(`/readyz is ${ready.status}: ${await ready.text()}`);
}

/** A snapshot of the store at `at`, read and closed at once. */
export async function snapshotOf(at: StoreLocation): Promise<StoreSnapshot> {
  const reader = await StoreReader.open(at);
  try {
    return await reader.snapshot();
  } finally {
    await reader.close();
  }
}
