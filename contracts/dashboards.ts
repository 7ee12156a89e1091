// Where the generated per-commons Grafana dashboard of a commons lives: its UID
// and URL path. Pure and free of Node APIs, so the app pages (src/) can import
// it to link to the dashboards the control service generates.

/** Grafana's limit on dashboard UIDs. */
export const GRAFANA_UID_MAX = 40;

const SHORT_PREFIX = 'dcoc-c-';
const HASHED_PREFIX = 'dcoc-h-';
const ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** True for commons ids as the control service makes them (a hostname as a DNS label). */
export function isCommonsId(id: string): boolean {
  return id.length <= 63 && ID_PATTERN.test(id);
}

/** 32-bit FNV-1a of the UTF-16 code units, as 8 hex digits. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The stable dashboard UID of a commons: `dcoc-c-<id>` when that fits Grafana's
 * 40 characters, else `dcoc-h-<first 24 characters>-<FNV-1a of the id>`. The two
 * prefixes differ, so a short id can never collide with a hashed one.
 */
export function commonsDashboardUid(id: string): string {
  if (!isCommonsId(id)) throw new Error(`not a commons id: ${JSON.stringify(id)}`);
  if (SHORT_PREFIX.length + id.length <= GRAFANA_UID_MAX) return `${SHORT_PREFIX}${id}`;
  const head = id.slice(0, GRAFANA_UID_MAX - HASHED_PREFIX.length - 9).replace(/-+$/, '');
  return `${HASHED_PREFIX}${head}-${fnv1a(id)}`;
}

/** The Grafana path of the commons' generated dashboard (relative to Grafana's root URL). */
export function commonsDashboardPath(id: string): string {
  return `/d/${commonsDashboardUid(id)}`;
}
