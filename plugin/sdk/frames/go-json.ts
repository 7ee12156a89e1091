// JSON for Arrow metadata, written the way the Go SDK's encoding/json writes it
// (struct fields in declaration order, map keys sorted, <>& escaped), so that
// frames from this SDK carry the same metadata bytes as frames from Go plugins.
import type { DataLink, EnumFieldConfig, FieldConfig, FrameMeta, QueryStat } from './frame';

const frameMetaOrder = [
  'type',
  'typeVersion',
  'path',
  'pathSeparator',
  'custom',
  'stats',
  'notices',
  'channel',
  'preferredVisualisationType',
  'preferredVisualisationPluginId',
  'executedQueryString',
  'dataTopic',
  'uniqueRowIdFields',
];

const fieldConfigOrder = [
  'displayName',
  'displayNameFromDS',
  'path',
  'description',
  'filterable',
  'writeable',
  'unit',
  'decimals',
  'min',
  'max',
  'interval',
  'mappings',
  'thresholds',
  'color',
  'links',
  'noValue',
  'type',
  'custom',
];

const dataLinkOrder = ['title', 'targetBlank', 'url', 'internal'];
const enumOrder = ['text', 'color', 'icon', 'description'];
const noticeOrder = ['severity', 'text', 'link', 'inspect'];

/** JSON.stringify plus Go's escaping of <, >, & and U+2028/U+2029 (only ever found inside strings). */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function frameMetaJson(meta: FrameMeta): string {
  const ordered = orderKeys({ ...meta, typeVersion: meta.typeVersion ?? [0, 0] }, frameMetaOrder);
  if (meta.custom !== undefined) ordered.custom = sortKeysDeep(meta.custom);
  if (meta.stats) ordered.stats = meta.stats.map(orderQueryStat);
  if (meta.notices) ordered.notices = meta.notices.map((n) => orderKeys(n, noticeOrder));
  return goJson(ordered);
}

export function fieldConfigJson(config: FieldConfig): string {
  return goJson(orderFieldConfig(config));
}

/** Labels are a Go map: keys sorted. */
export function labelsJson(labels: Record<string, string>): string {
  return goJson(sortKeysDeep(labels));
}

function orderFieldConfig(config: FieldConfig): Record<string, unknown> {
  const out = orderKeys(config, fieldConfigOrder);
  if (config.links) out.links = config.links.map((l: DataLink) => orderKeys(l, dataLinkOrder));
  if (config.type?.enum) out.type = { ...config.type, enum: orderKeys(config.type.enum as EnumFieldConfig, enumOrder) };
  if (config.thresholds) {
    out.thresholds = {
      mode: config.thresholds.mode,
      steps: config.thresholds.steps.map((s) => orderKeys(s, ['value', 'color', 'state'])),
    };
  }
  if (config.color) out.color = sortKeysDeep(config.color);
  if (config.custom) out.custom = sortKeysDeep(config.custom);
  return out;
}

function orderQueryStat(stat: QueryStat): Record<string, unknown> {
  // Go embeds FieldConfig in QueryStat and adds `value` after it.
  const { value, ...config } = stat;
  return { ...orderFieldConfig(config), value };
}

/** Known keys first in the given order, then any others as given; undefined values dropped. */
function orderKeys(obj: object, order: string[]): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of order) if (src[k] !== undefined) out[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in out) && src[k] !== undefined) out[k] = src[k];
  return out;
}

/** Go marshals map[string]any with sorted keys, at every depth. */
function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
  return out;
}
