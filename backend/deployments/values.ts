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

/** The values file text: key order as built, strings that look like numbers quoted (tag "2026.10"). */
export function toYaml(values: Values): string {
  return stringify(values, { lineWidth: 0 });
}

export function getPath(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}
