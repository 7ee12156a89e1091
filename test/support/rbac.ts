// RBAC as the API server judges it, for the Role tests: a request from the
// real apiserver's audit log as "group/resource[/sub] verb", and what a Role
// file grants in the same form.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { AuditEvent } from './control-plane';

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** "group/resource[/sub] verb" of a namespaced request in the apiserver's audit log; undefined for non-resource URLs. */
export function permissionOfAudit(e: AuditEvent): string | undefined {
  const o = e.objectRef;
  if (!o?.resource || !o.namespace) return undefined;
  return `${o.apiGroup ?? ''}/${o.subresource ? `${o.resource}/${o.subresource}` : o.resource} ${e.verb}`;
}

export function granted(rules: Rule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) out.add(`${g}/${res} ${v}`);
  return out;
}

/** The rules of every Role in these manifest files. */
export function roleRules(...files: string[]): Rule[] {
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(f, 'utf8'))
      .map((d) => d.toJS() as { kind: string; rules?: Rule[] })
      .filter((d) => d.kind === 'Role')
      .flatMap((d) => d.rules ?? []),
  );
}
