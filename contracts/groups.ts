// Labels on commons and groups of commons chosen by a label selector. Fleet
// operations (rollouts, maintenance windows, policies, scoped roles) target
// groups. Selectors follow Kubernetes' LabelSelector (matchLabels and
// matchExpressions with In, NotIn, Exists, DoesNotExist), so operators read
// them the way they read a Deployment's selector.
import { z } from 'zod';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A label key: a DNS-label-like name, optionally prefixed (`team.example.org/tier`), as Kubernetes allows. */
export const LabelKey = z
  .string()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/, 'must be a label key: [prefix/]name, name up to 63 of A-Z a-z 0-9 - _ .');
/** A label value: up to 63 characters, alphanumeric at both ends (empty allowed), as Kubernetes allows. */
export const LabelValue = z.string().regex(/^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/, 'must be a label value: up to 63 of A-Z a-z 0-9 - _ ., alphanumeric at both ends');

export const LABELS_MAX = 32;
export const Labels = z.record(LabelKey, LabelValue).refine((l) => Object.keys(l).length <= LABELS_MAX, `at most ${LABELS_MAX} labels`);
export type Labels = z.infer<typeof Labels>;

/**
 * Labels every commons has, set by DCOC from what its agent reports: an
 * operator cannot set or remove them (a selector on `environment` would
 * otherwise lie about what a commons is).
 */
export const AUTOMATIC_LABELS = ['commons', 'environment'] as const;

export const SelectorOperator = z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']);
export type SelectorOperator = z.infer<typeof SelectorOperator>;

export const SelectorRequirement = z
  .strictObject({ key: LabelKey, operator: SelectorOperator, values: z.array(LabelValue).max(64).default([]) })
  .refine((r) => (r.operator === 'In' || r.operator === 'NotIn' ? r.values.length > 0 : r.values.length === 0), {
    message: 'In and NotIn need values; Exists and DoesNotExist take none',
    path: ['values'],
  });
export type SelectorRequirement = z.infer<typeof SelectorRequirement>;

export const LabelSelector = z.strictObject({
  matchLabels: Labels.default({}),
  matchExpressions: z.array(SelectorRequirement).max(32).default([]),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

/** Whether a commons with these labels is selected. An empty selector selects every commons, as in Kubernetes. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions) {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(labels[r.key])) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(labels[r.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The selector as kubectl prints it: `environment=production,tier in (a,b),!legacy`. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions) {
    if (r.operator === 'In') parts.push(`${r.key} in (${r.values.join(',')})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${r.values.join(',')})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

export const GroupName = z.string().regex(DNS_LABEL, 'must be a DNS label');
export const GroupPath = z.object({ name: GroupName });

/** GET /api/v1/commons?group=: only the commons a saved group picks. */
export const CommonsListQuery = z.strictObject({ group: GroupName.optional() });

/** PUT /api/v1/groups/{name}: a saved group (created or replaced). */
export const GroupSpec = z.strictObject({
  description: z.string().max(500).default(''),
  selector: LabelSelector,
});
export type GroupSpec = z.infer<typeof GroupSpec>;

const IsoTime = z.string();

export const GroupView = z.object({
  name: z.string(),
  description: z.string(),
  selector: LabelSelector,
  /** The selector as kubectl prints it. */
  selectorText: z.string(),
  /** The commons the selector picks now, by id. */
  commons: z.array(z.string()),
  updatedBy: z.string(),
  updatedAt: IsoTime,
});
export type GroupView = z.infer<typeof GroupView>;
export const GroupList = z.object({ items: z.array(GroupView) });

/** PUT /api/v1/commons/{id}/labels: the commons' labels (the automatic ones cannot be set). */
export const LabelsRequest = z.strictObject({
  labels: Labels.refine((l) => AUTOMATIC_LABELS.every((k) => !Object.hasOwn(l, k)), `${AUTOMATIC_LABELS.join(' and ')} are set by DCOC`),
  /** Why (a policy may require it), and the approval granted for exactly this change. */
  reason: z.string().trim().min(1, 'say why').max(2000).optional(),
  approvalId: z.uuid().optional(),
});
export const LabelsView = z.object({
  /** Every label, the automatic ones included. */
  labels: z.record(z.string(), z.string()),
  /** The labels an operator set. */
  custom: z.record(z.string(), z.string()),
});
export type LabelsView = z.infer<typeof LabelsView>;

/** The automatic labels of a commons plus the custom ones; the automatic ones win. */
export function commonsLabels(c: { id: string; environment: string }, custom: Readonly<Record<string, string>>): Record<string, string> {
  return { ...custom, commons: c.id, environment: c.environment };
}

/**
 * Reads a selector as kubectl writes it (`tier=production,region in (a,b),
 * region notin (c),team,!legacy`; `==` and `!=` too): what an operator types
 * in the app. Throws an Error naming the part it cannot read.
 */
export function parseSelector(text: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: SelectorRequirement[] = [];
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(raw))) {
      const values = m[3].split(',').map((v) => v.trim()).filter(Boolean);
      matchExpressions.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^=!\s]+)\s*!=\s*(\S*)$/.exec(raw))) {
      matchExpressions.push({ key: m[1], operator: 'NotIn', values: [m[2]] });
    } else if ((m = /^([^=!\s]+)\s*==?\s*(\S*)$/.exec(raw))) {
      matchLabels[m[1]] = m[2];
    } else if ((m = /^!\s*(\S+)$/.exec(raw))) {
      matchExpressions.push({ key: m[1], operator: 'DoesNotExist', values: [] });
    } else if (/^\S+$/.test(raw)) {
      matchExpressions.push({ key: raw, operator: 'Exists', values: [] });
    } else {
      throw new Error(`cannot read "${raw}": write key=value, key!=value, key in (a,b), key notin (a,b), key or !key`);
    }
  }
  const parsed = LabelSelector.safeParse({ matchLabels, matchExpressions });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}
