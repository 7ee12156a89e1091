// The Gen3 releases DCOC can deploy: the built-in catalog (manifest.json
// files in releases/, 2025.09 … 2026.08) plus releases operators import.
// Releases are immutable once known: a version names one set of images.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseView } from '../contracts/api';
import type { Principal } from '../auth/principal';
import { ConflictError, type ReleaseRow, type Store } from '../store/store';
import { type ReleaseFormat, parseManifest, parseRelease } from './release-parse';

function loadBuiltIn(dir: string): Map<string, ReleaseView> {
  const out = new Map<string, ReleaseView>();
  for (const file of readdirSync(dir).filter((f) => /^\d{4}\.\d{2}\.json$/.test(f))) {
    const version = file.slice(0, -'.json'.length);
    const r = parseManifest(readFileSync(join(dir, file), 'utf8'));
    out.set(version, { version, name: r.name, source: 'built-in', images: r.images, importedBy: null, importedAt: null });
  }
  return out;
}

const fromRow = (r: ReleaseRow): ReleaseView => ({
  version: r.version,
  name: r.name,
  source: 'imported',
  images: JSON.parse(r.images_json) as Record<string, string>,
  importedBy: r.imported_by,
  importedAt: r.imported_at,
});

export class ReleaseCatalog {
  private readonly builtIn: Map<string, ReleaseView>;

  constructor(
    private readonly store: Store,
    dir = join(import.meta.dirname, 'releases'),
  ) {
    this.builtIn = loadBuiltIn(dir);
  }

  async list(): Promise<ReleaseView[]> {
    const imported = (await this.store.listReleases()).map(fromRow);
    return [...this.builtIn.values(), ...imported].sort((a, b) => b.version.localeCompare(a.version));
  }

  async get(version: string): Promise<ReleaseView | undefined> {
    return this.builtIn.get(version) ?? (await this.list()).find((r) => r.version === version);
  }

  /** Parses and stores a release, audited in the same transaction. Throws ReleaseFormatError or ConflictError. */
  async import(req: { version: string; name?: string; format: ReleaseFormat; content: string }, principal: Principal): Promise<{ release: ReleaseView; ignored: string[] }> {
    if (this.builtIn.has(req.version)) throw new ConflictError(`release ${req.version} is in the built-in catalog`);
    const parsed = parseRelease(req.format, req.content);
    const at = new Date().toISOString();
    const row = await this.store.importRelease(
      { version: req.version, name: req.name ?? parsed.name, images_json: JSON.stringify(parsed.images), format: req.format, imported_by: principal.actor, imported_at: at },
      {
        at,
        actor: principal.actor,
        actor_kind: principal.kind,
        role: principal.role,
        action: 'release.import',
        commons_id: null,
        service: null,
        detail_json: JSON.stringify({ version: req.version, format: req.format, charts: Object.keys(parsed.images), ignored: parsed.ignored }),
        outcome: 'accepted',
        command_id: null,
      },
    );
    return { release: fromRow(row), ignored: parsed.ignored };
  }
}
