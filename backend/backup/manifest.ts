// What a backup directory holds, described by its manifest.json: the files
// with their checksums (a restore verifies every one before touching the
// target), the engine, and the schema (migrations) the store copy has.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BackupError } from './errors';

export const MANIFEST = 'manifest.json';
/** Bumped when the layout changes in a way an older restore would misread. */
export const FORMAT_VERSION = 1;

export const STORE_FILE = { sqlite: 'dcoc.sqlite', postgres: 'dcoc.pgdump' } as const;
export const CA_CERT = 'pki/ca.crt.pem';
export const CA_KEY = 'pki/ca.key.pem';

const FileEntry = z.strictObject({
  path: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative path inside the backup'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
});

export const Manifest = z.strictObject({
  format: z.literal('dcoc-backup'),
  formatVersion: z.number().int().min(1),
  dcocVersion: z.string(),
  engine: z.enum(['sqlite', 'postgres']),
  /** Migrations applied to the store copy, oldest first (backend/store/migrations.ts). */
  migrations: z.array(z.string()),
  createdAt: z.iso.datetime(),
  /**
   * Where the CA came from and whether its key is in the backup. `files`: the
   * operator's DCOC_CA_CERT_FILE/DCOC_CA_KEY_FILE (e.g. a Kubernetes Secret).
   */
  ca: z.strictObject({
    source: z.enum(['data-dir', 'files']),
    cert: z.boolean(),
    key: z.boolean(),
  }),
  files: z.array(FileEntry),
});
export type Manifest = z.infer<typeof Manifest>;
export type FileEntry = z.infer<typeof FileEntry>;

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function readManifest(dir: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new BackupError(`${dir} is not a DCOC backup: it has no ${MANIFEST}. Give --from the directory \`dcoc-control backup --out\` wrote`);
    throw new BackupError(`${join(dir, MANIFEST)} cannot be read (${err.message}); the backup is damaged: use another one`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new BackupError(`${join(dir, MANIFEST)} is not a valid backup manifest (${first.path.join('.') || 'the document'}: ${first.message}); the backup is damaged: use another one`);
  }
  if (parsed.data.formatVersion > FORMAT_VERSION) {
    throw new BackupError(
      `the backup's format version is ${parsed.data.formatVersion}, newer than this dcoc-control reads (${FORMAT_VERSION}); it was written by dcoc-control ${parsed.data.dcocVersion}: restore it with that version or newer`,
    );
  }
  return parsed.data;
}
