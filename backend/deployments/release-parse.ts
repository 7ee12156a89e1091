// Reads a Gen3 release from the two formats CTDS keeps them in: a
// cdis-manifest `manifest.json` (`versions`: service → full image,
// gen3-facts.md §3.2) or gen3-helm values (`<chart>.image.repository` and
// `.tag`, §2.2).
//
// A release is imported as it is written. Real manifests list services DCOC
// does not deploy (fluentd, spark, tube, gen3-user-data-library, dashboard,
// awshelper, ... : uc-cdis/cdis-manifest 64134748, releases/2025/09/manifest.json
// and every production commons' manifest.json) and leave out some DCOC does
// (the monthly manifests have no metadata, audit, requestor or
// frontend-framework). Every entry is kept: those of charts DCOC deploys are
// its images; the others are kept as written and reported ("unmanaged":
// imported, neither deployed nor probed), never dropped and never refused for
// what they hold (real manifests carry `"google-sa-validation": "placeholder"`,
// nci-crdc.datacommons.io/manifest.json before 9f3541a3). A missing chart is
// not an error here: the planner decides, at plan time, whether a service it
// enables has an image. Nothing is invented: no image is filled in.
import { parse as parseYaml } from 'yaml';
import { CHART_NAMES, MAX_IMAGE_REF, isImageRef } from '../../contracts/gen3/charts';

export type ReleaseFormat = 'manifest' | 'helm-values';

/** What callers that only deploy need: the charts' images, the name, what is not deployed. */
export interface ParsedRelease {
  /** Chart → image, for the charts DCOC deploys. */
  images: Record<string, string>;
  /** From manifest notes "Core Gen3 Release 2026.07 (Hambergite)", when present. */
  name: string | null;
  /** Entries kept but not deployed (sorted names): see `unmanaged`. */
  ignored: string[];
}

export interface ImportedRelease extends ParsedRelease {
  /** Every entry, as written and in order: what is stored. */
  entries: Record<string, string>;
  /** Entries DCOC neither deploys nor probes, as written. */
  unmanaged: Record<string, string>;
}

export class ReleaseFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * cdis-manifest names a service by its cloud-automation name; gen3-helm by its
 * chart. They differ for one chart DCOC deploys: the audit service is
 * `audit-service` in production manifests (healdata.org, data.midrc.org,
 * gen3.biodatacatalyst.nhlbi.nih.gov at cdis-manifest 64134748) and chart
 * `audit` in gen3-helm (42cc46bc, helm/gen3/values.yaml).
 */
const MANIFEST_ALIASES: Record<string, string> = { 'audit-service': 'audit' };

/** A service name longer than any Kubernetes name (253): not a manifest entry. */
const MAX_ENTRY_NAME = 253;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function nameFromNotes(notes: unknown): string | null {
  const lines = Array.isArray(notes) ? notes : typeof notes === 'string' ? [notes] : [];
  for (const l of lines) {
    const m = typeof l === 'string' ? /Gen3 Release \d{4}\.\d{2} \(([^)]+)\)/.exec(l) : null;
    if (m) return m[1];
  }
  return null;
}

function checkImage(field: string, image: string): string {
  if (image.length > MAX_IMAGE_REF) throw new ReleaseFormatError(field, `is ${image.length} characters long; an image reference has at most ${MAX_IMAGE_REF}`);
  if (!isImageRef(image)) throw new ReleaseFormatError(field, `${JSON.stringify(image)} is not an image reference with a tag (registry/path:tag)`);
  return image;
}

/**
 * The entries of a release split into the charts DCOC deploys (their images)
 * and the rest (kept as written). A chart's own name wins over an alias.
 * Entries are checked when imported; this only sorts them, so it also reads
 * stored releases.
 */
export function splitEntries(entries: Record<string, string>): { images: Record<string, string>; unmanaged: Record<string, string>; from: Record<string, string> } {
  const images: Record<string, string> = {};
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    const chart = CHART_NAMES.includes(key) ? key : MANIFEST_ALIASES[key];
    if (!chart || (chart !== key && chart in entries)) continue;
    images[chart] = value.trim();
    from[chart] = key;
  }
  const used = new Set(Object.values(from));
  const unmanaged = Object.fromEntries(Object.entries(entries).filter(([k]) => !used.has(k)));
  return { images, unmanaged, from };
}

function finish(entries: Record<string, string>, name: string | null, field: (key: string) => string): ImportedRelease {
  const { images, unmanaged, from } = splitEntries(entries);
  // A chart's image is what helm will run: a real reference with a tag
  // (surrounding blanks, which YAML drops anyway, aside).
  for (const [chart, image] of Object.entries(images)) checkImage(field(from[chart]), image);
  return { entries, images, unmanaged, name, ignored: Object.keys(unmanaged).sort() };
}

function checkEntry(field: string, key: string, value: unknown): string {
  if (key.length === 0 || key.length > MAX_ENTRY_NAME) throw new ReleaseFormatError(field, `a service name has 1 to ${MAX_ENTRY_NAME} characters`);
  // Every versions value in cdis-manifest's history is a string (7,489 manifest.json versions at 64134748).
  if (typeof value !== 'string') throw new ReleaseFormatError(field, 'must be a string: manifest.json maps each service to its image');
  if (value.length > MAX_IMAGE_REF) throw new ReleaseFormatError(field, `is ${value.length} characters long; an image reference has at most ${MAX_IMAGE_REF}`);
  return value;
}

export function readManifest(content: string): ImportedRelease {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (e) {
    throw new ReleaseFormatError('body.content', `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.versions)) throw new ReleaseFormatError('body.content', 'a manifest.json needs a "versions" object (service → image)');
  const field = (key: string) => `body.content.versions.${key}`;
  const entries: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.versions)) entries[key] = checkEntry(field(key), key, value);
  return finish(entries, nameFromNotes(doc.notes), field);
}

export function readHelmValues(content: string): ImportedRelease {
  let doc: unknown;
  try {
    // failsafe: every scalar stays a string, so tag 2026.10 is not read as the number 2026.1.
    doc = parseYaml(content, { schema: 'failsafe' });
  } catch (e) {
    throw new ReleaseFormatError('body.content', `not YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new ReleaseFormatError('body.content', 'gen3-helm values must be a YAML mapping');
  const field = (key: string) => `body.content.${key}.image`;
  const entries: Record<string, string> = {};
  for (const [key, block] of Object.entries(doc)) {
    if (key === 'global') continue;
    const image = isObject(block) && isObject(block.image) ? block.image : undefined;
    if (!image) continue;
    const { repository, tag } = image;
    if (CHART_NAMES.includes(key) && (typeof repository !== 'string' || typeof tag !== 'string' || !tag)) {
      throw new ReleaseFormatError(field(key), 'needs both repository and tag');
    }
    // Another chart's image as its values give it ('' when they name no repository): kept, reported, not deployed.
    const repo = typeof repository === 'string' ? repository : '';
    entries[key] = checkEntry(field(key), key, repo && typeof tag === 'string' && tag ? `${repo}:${tag}` : repo);
  }
  return finish(entries, null, field);
}

/** Everything a release holds; throws ReleaseFormatError naming the field at fault. */
export function importRelease(format: ReleaseFormat, content: string): ImportedRelease {
  const r = format === 'manifest' ? readManifest(content) : readHelmValues(content);
  if (Object.keys(r.images).length === 0) throw new ReleaseFormatError('body.content', `no image for any Gen3 chart DCOC deploys (${CHART_NAMES.join(', ')})`);
  return r;
}

const deployable = (r: ImportedRelease): ParsedRelease => ({ images: r.images, name: r.name, ignored: r.ignored });

export const parseManifest = (content: string): ParsedRelease => deployable(readManifest(content));
export const parseHelmValues = (content: string): ParsedRelease => deployable(readHelmValues(content));
export const parseRelease = (format: ReleaseFormat, content: string): ParsedRelease => deployable(importRelease(format, content));
