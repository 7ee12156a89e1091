// Reads a Gen3 release (image per chart) from the two formats CTDS keeps
// them in: a cdis-manifest `manifest.json` (`versions`: service → full image,
// gen3-facts.md §3.2) or gen3-helm values (`<chart>.image.repository` and
// `.tag`, §2.2). Entries that are not Gen3 charts DCOC deploys (fluentd,
// spark, ...) are reported as ignored, not refused.
import { parse as parseYaml } from 'yaml';
import { CHART_NAMES, MAX_IMAGE_REF, isImageRef } from './charts';

export type ReleaseFormat = 'manifest' | 'helm-values';

export interface ParsedRelease {
  images: Record<string, string>;
  /** From manifest notes "Core Gen3 Release 2026.07 (Hambergite)", when present. */
  name: string | null;
  ignored: string[];
}

export class ReleaseFormatError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

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

export function parseManifest(content: string): ParsedRelease {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (e) {
    throw new ReleaseFormatError('body.content', `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc) || !isObject(doc.versions)) throw new ReleaseFormatError('body.content', 'a manifest.json needs a "versions" object (service → image)');
  const images: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [svc, image] of Object.entries(doc.versions)) {
    if (!CHART_NAMES.includes(svc)) {
      ignored.push(svc);
      continue;
    }
    if (typeof image !== 'string') throw new ReleaseFormatError(`body.content.versions.${svc}`, 'must be an image string');
    images[svc] = checkImage(`body.content.versions.${svc}`, image);
  }
  return { images, name: nameFromNotes(doc.notes), ignored: ignored.sort() };
}

export function parseHelmValues(content: string): ParsedRelease {
  let doc: unknown;
  try {
    // failsafe: every scalar stays a string, so tag 2026.10 is not read as the number 2026.1.
    doc = parseYaml(content, { schema: 'failsafe' });
  } catch (e) {
    throw new ReleaseFormatError('body.content', `not YAML: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new ReleaseFormatError('body.content', 'gen3-helm values must be a YAML mapping');
  const images: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [key, block] of Object.entries(doc)) {
    if (key === 'global') continue;
    const image = isObject(block) && isObject(block.image) ? block.image : undefined;
    if (!CHART_NAMES.includes(key)) {
      if (image) ignored.push(key);
      continue;
    }
    if (!image) continue;
    const { repository, tag } = image;
    if (typeof repository !== 'string' || typeof tag !== 'string' || !tag) {
      throw new ReleaseFormatError(`body.content.${key}.image`, 'needs both repository and tag');
    }
    images[key] = checkImage(`body.content.${key}.image`, `${repository}:${tag}`);
  }
  return { images, name: null, ignored: ignored.sort() };
}

export function parseRelease(format: ReleaseFormat, content: string): ParsedRelease {
  const r = format === 'manifest' ? parseManifest(content) : parseHelmValues(content);
  if (Object.keys(r.images).length === 0) throw new ReleaseFormatError('body.content', `no image for any Gen3 chart DCOC deploys (${CHART_NAMES.join(', ')})`);
  return r;
}
