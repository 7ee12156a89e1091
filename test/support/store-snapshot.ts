// What the control service has accepted, read straight from its database
// (read-only, beside the running service): commands, deployments, revisions,
// config revisions, releases, API and enrollment tokens, agents and commons,
// and the audit entries of accepted actions. Refusals are audited by design,
// so audit rows with outcome rejected or denied are counted apart (and failed ones,
// which follow later from accepted work). Agents move
// command and deployment states on their own; only which rows exist is compared.
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';

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
  audit: "id || ' ' || action || ' ' || outcome",
};

export class StoreReader {
  private readonly db: Sqlite.Database;

  constructor(dataDir: string) {
    this.db = new Sqlite(join(dataDir, 'dcoc.sqlite'), { readonly: true, fileMustExist: true });
  }

  snapshot(): StoreSnapshot {
    const accepted: Record<string, string[]> = {};
    for (const [table, key] of Object.entries(KEYS)) {
      // 'failed' entries come later, from the work an accepted request started (a deployment that fails at GitOps).
      const where = table === 'audit' ? " WHERE outcome NOT IN ('rejected', 'denied', 'failed')" : '';
      accepted[table] = (this.db.prepare(`SELECT ${key} AS k FROM ${table}${where} ORDER BY k`).all() as { k: string }[]).map((r) => r.k);
    }
    const refusalsAudited = (this.db.prepare("SELECT count(*) AS n FROM audit WHERE outcome IN ('rejected', 'denied')").get() as { n: number }).n;
    return { accepted, refusalsAudited };
  }

  close(): void {
    this.db.close();
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
export async function assertOnlyAccepted(dataDir: string, before: StoreSnapshot, accepted: Record<string, number>, url: string): Promise<void> {
  const reader = new StoreReader(dataDir);
  const now = reader.snapshot();
  reader.close();
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

/** A snapshot of the store under `dataDir`, read and closed at once. */
export function snapshotOf(dataDir: string): StoreSnapshot {
  const reader = new StoreReader(dataDir);
  try {
    return reader.snapshot();
  } finally {
    reader.close();
  }
}
