// RBAC as the API server judges it, for the Role tests: a request as
// "group/resource[/sub] verb" (from the real apiserver's audit log, or the
// test server's request log), and what a Role file grants in the same form.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { AuditEvent } from './control-plane';
import type { RecordedRequest } from './kube-api';

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** "group/resource[/sub] verb" of a namespaced request; undefined for discovery and /version, which need no Role. */
export function permissionOf(r: RecordedRequest): string | undefined {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(r.path);
  if (!m) return undefined;
  const [, group = '', resource, name, sub] = m;
  const isWatch = r.query.watch === 'true' || r.query.watch === '1';
  const verb = { GET: isWatch ? 'watch' : name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: name ? 'delete' : 'deletecollection' }[r.method] ?? r.method;
  return `${group}/${sub ? `${resource}/${sub}` : resource} ${verb}`;
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
