// Label and field selectors: the query-string grammar of `labelSelector` /
// `fieldSelector`, and the object form (`matchLabels` / `matchExpressions`)
// Deployments and ReplicaSets use to find their pods.
import { errors } from './errors';
import type { KubeObject, LabelSelectorSpec } from './types';

type Op = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type Labels = Record<string, string> | undefined;
export type LabelMatcher = (labels: Labels) => boolean;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(raw: string): Requirement {
  const bad = (why: string) => errors.badRequest(`unable to parse requirement: ${why}`);
  const setMatch = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw);
  if (setMatch) {
    const values = setMatch[3].split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key: setMatch[1], op: setMatch[2] as Op, values };
  }
  if (/^[^\s!=<>(),]+\s+(in|notin)\b/.test(raw)) throw bad(`found '${raw}', expected: '('`);
  const cmp = /^([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)$/.exec(raw);
  if (cmp) {
    const op = cmp[2] === '==' ? '=' : cmp[2] === '>' ? 'gt' : cmp[2] === '<' ? 'lt' : (cmp[2] as Op);
    if ((op === 'gt' || op === 'lt') && !/^-?\d+$/.test(cmp[3])) throw bad(`for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key: cmp[1], op, values: [cmp[3]] };
  }
  const exists = /^(!?)\s*([^\s!=<>(),]+)$/.exec(raw);
  if (exists) return { key: exists[2], op: exists[1] ? '!exists' : 'exists', values: [] };
  throw bad(`invalid requirement "${raw}"`);
}

function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : undefined;
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && v === r.values[0];
    case '!=':
      return !has || v !== r.values[0];
    case 'in':
      return has && r.values.includes(v!);
    case 'notin':
      return !has || !r.values.includes(v!);
    case 'gt':
      return has && /^-?\d+$/.test(v!) && Number(v) > Number(r.values[0]);
    case 'lt':
      return has && /^-?\d+$/.test(v!) && Number(v) < Number(r.values[0]);
  }
}

/** Parses `?labelSelector=`; an empty selector matches everything. Throws 400 on bad syntax. */
export function parseLabelSelector(s: string | undefined | null): LabelMatcher {
  if (!s || !s.trim()) return () => true;
  const reqs = splitTopLevel(s).map(parseRequirement);
  return (labels) => reqs.every((r) => matchRequirement(r, labels));
}

/** `metav1.LabelSelector` semantics: `{}` selects everything, undefined/null selects nothing. */
export function labelSelectorMatcher(sel: LabelSelectorSpec | undefined | null): LabelMatcher {
  if (!sel) return () => false;
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, op: '=', values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[e.operator as 'In'];
    if (!op) return () => false;
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return (labels) => reqs.every((r) => matchRequirement(r, labels));
}

/** String form, as Scale.status.selector and `kubectl` print it (requirements sorted by key). */
export function labelSelectorString(sel: LabelSelectorSpec | undefined): string {
  if (!sel) return '';
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In'
        ? `${e.key} in (${vals})`
        : e.operator === 'NotIn'
          ? `${e.key} notin (${vals})`
          : e.operator === 'Exists'
            ? e.key
            : `!${e.key}`;
    parts.push({ key: e.key, text });
  }
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return parts.map((p) => p.text).join(',');
}

export type FieldMatcher = (o: KubeObject) => boolean;

/**
 * Parses `?fieldSelector=` (`a=b`, `a==b`, `a!=b`, comma-separated). Only the
 * labels the type supports are accepted, like the apiserver; others are a 400.
 */
export function parseFieldSelector(
  s: string | undefined | null,
  fields: Record<string, (o: KubeObject) => unknown>,
): FieldMatcher {
  if (!s || !s.trim()) return () => true;
  const getters: Record<string, (o: KubeObject) => unknown> = {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace ?? '',
    ...fields,
  };
  const reqs = s.split(/(?<!\\),/).map((raw) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(raw.trim());
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${raw}'`);
    const [, field, op, value] = m;
    const get = getters[field];
    if (!get) throw errors.badRequest(`field label not supported: ${field}`);
    return { get, neg: op === '!=', value: value.replace(/\\(.)/g, '$1') };
  });
  return (o) =>
    reqs.every((r) => {
      const v = r.get(o);
      const str = v === undefined || v === null ? '' : String(v);
      return r.neg ? str !== r.value : str === r.value;
    });
}
