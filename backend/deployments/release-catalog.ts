// The Gen3 releases DCOC can deploy: the built-in catalog (manifest.json
// files in releases/, 2025.09 … 2026.08) plus releases operators import.
// Releases are immutable once known: a version names one set of images.
//
// The built-in files are shaped like cdis-manifest's monthly release
// manifests (uc-cdis/cdis-manifest 64134748, releases/2025/09/manifest.json,
// the last month it holds one): the same `versions` entries, with the
// month's tag; third-party images keep their pinned tags (ambassador 1.4.2,
// aws-es-proxy v1.3.1, fluentd). Like the real ones they have no metadata,
// audit, requestor or frontend-framework entry: a deploy that enables those
// takes their image from elsewhere (overrides, or the chart's default where
// render.ts allows it); none is made up here. The
// note names the release as releases/YYYY/MM/gen3-release-notes.md titles
// it ("Core Gen3 Release 2026.07 (Hambergite)"); 2026.08 has no notes there
// yet, so no name.
//
// Every entry of a release is stored as written (images_json); those of
// charts DCOC deploys are its images, the others are shown as `unmanaged`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseView } from '../../contracts/api';
import type { ActingPrincipal } from '../auth/principal';
import { ConflictError, type ReleaseRow, type Store } from '../store/store';
import { type ReleaseFormat, importRelease, readManifest, splitEntries } from './release-parse';

function loadBuiltIn(dir: string): Map<string, ReleaseView> {
  const out = new Map<string, ReleaseView>();
  for (const file of readdirSync(dir).filter((f) => /^\d{4}\.\d{2}\.json$/.test(f))) {
    const version = file.slice(0, -'.json'.length);
    const r = readManifest(readFileSync(join(dir, file), 'utf8'));
    out.set(version, { version, name: r.name, source: 'built-in', images: r.images, unmanaged: r.unmanaged, importedBy: null, importedAt: null });
  }
  return out;
}

const fromRow = (r: ReleaseRow): ReleaseView => {
  // Rows imported before every entry was kept hold only chart images: they read the same.
  const { images, unmanaged } = splitEntries(JSON.parse(r.images_json) as Record<string, string>);
  return { version: r.version, name: r.name, source: 'imported', images, unmanaged, importedBy: r.imported_by, importedAt: r.imported_at };
};

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
  async import(req: { version: string; name?: string; format: ReleaseFormat; content: string }, principal: ActingPrincipal): Promise<{ release: ReleaseView; ignored: string[] }> {
    if (this.builtIn.has(req.version)) throw new ConflictError(`release ${req.version} is in the built-in catalog`);
    const parsed = importRelease(req.format, req.content);
    const at = new Date().toISOString();
    const row = await this.store.importRelease(
      { version: req.version, name: req.name ?? parsed.name, images_json: JSON.stringify(parsed.entries), format: req.format, imported_by: principal.actor, imported_at: at },
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
