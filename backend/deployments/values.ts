// Plain-object helpers for gen3-helm values: deep merge with Helm's rules
// (maps merge, everything else replaces, null deletes) and stable YAML.
import { stringify } from 'yaml';

export type Values = Record<string, unknown>;

export const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = deepMerge(out[k] as Values, v);
    else out[k] = structuredClone(v);
  }
  return out;
}

/**
 * Helm reads values as YAML 1.1 (go-yaml), where on/off/yes/no are booleans:
 * written for YAML 1.2, `maintenanceMode: on` reached the chart as true.
 * Writing for 1.1 quotes every string 1.1 would read as something else.
 */
export const HELM_YAML = { version: '1.1' } as const;

/** The values file text: key order as built, strings that look like numbers or YAML 1.1 booleans quoted (tag "2026.10", "on"). */
export function toYaml(values: Values): string {
  return stringify(values, { lineWidth: 0, ...HELM_YAML });
}

export function getPath(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
