// What a config change (the commons' manifest-global ConfigMap) may do, and
// what it did. hostname and environment are the commons' identity
// (gen3-helm helm/gen3/templates/global-manifest.yaml always writes both;
// gen3-admin labels environments by data.hostname): a change keeps them. A
// ConfigMap is readable by every pod, so it carries no credential.
import { secretFields } from '../deployments/render';

export const IDENTITY_KEYS = ['hostname', 'environment'] as const;

export interface FieldError {
  field: string;
  message: string;
}

export interface ConfigChange {
  key: string;
  from?: string;
  to?: string;
}

/** Why `next` may not replace `current`; empty when it may. */
export function configChangeErrors(current: Record<string, string>, next: Record<string, string>): FieldError[] {
  const errors: FieldError[] = [];
  for (const k of IDENTITY_KEYS) {
    if (current[k] !== undefined && next[k] !== current[k]) {
      errors.push({
        field: `body.data.${k}`,
        message: `${k} is the commons' identity (${JSON.stringify(current[k])}) and cannot be ${next[k] === undefined ? 'removed' : 'changed'} by a config change; send it unchanged`,
      });
    }
  }
  errors.push(
    ...secretFields(next, 'body.data').map((e) => ({
      field: e.field,
      message: `credentials do not belong in manifest-global, which every pod can read and every config revision keeps; keep them in a Secret and leave ${JSON.stringify(e.field.slice('body.data.'.length))} out`,
    })),
  );
  return errors;
}

const shown = (v: string) => (v.length > 200 ? `${v.slice(0, 200)}… (${v.length} characters)` : v);

/** Key by key, what `next` changes in `current` (values shortened for the audit log). */
export function configChanges(current: Record<string, string>, next: Record<string, string>): ConfigChange[] {
  const keys = [...new Set([...Object.keys(current), ...Object.keys(next)])].sort();
  return keys.flatMap((key): ConfigChange[] => {
    const from = Object.hasOwn(current, key) ? current[key] : undefined;
    const to = Object.hasOwn(next, key) ? next[key] : undefined;
    if (from === to) return [];
    return [{ key, ...(from !== undefined ? { from: shown(from) } : {}), ...(to !== undefined ? { to: shown(to) } : {}) }];
  });
}
