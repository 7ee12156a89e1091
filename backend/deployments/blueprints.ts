// Templates (which services a commons runs, and global defaults) and profiles
// (how big each one is: replicas, their upper bound, HPA ranges). Both are
// YAML data files next to this module, checked with zod when loaded, so a bad
// file stops the control service at start-up instead of a deploy later.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CHART_NAMES } from './charts';

const Chart = z.string().refine((s) => CHART_NAMES.includes(s), { message: 'not a Gen3 chart DCOC deploys' });
const Name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const Replicas = z.number().int().min(0).max(100);

export const Template = z.strictObject({
  name: Name,
  description: z.string().min(1),
  services: z.array(Chart).min(1),
  /** Extra `global` values; hostname and environment always come from the commons. */
  global: z.record(z.string(), z.unknown()).default({}),
});
export type Template = z.infer<typeof Template>;

const Autoscaling = z.strictObject({
  min: Replicas.min(1),
  max: Replicas.min(1),
  targetCpu: z.number().int().min(1).max(100),
});

export const Profile = z
  .strictObject({
    name: Name,
    description: z.string().min(1),
    global: z.record(z.string(), z.unknown()).default({}),
    replicas: z.strictObject({ default: Replicas, max: Replicas }),
    services: z
      .record(Chart, z.strictObject({ replicas: Replicas.optional(), max: Replicas.optional(), autoscaling: Autoscaling.optional() }))
      .default({}),
  })
  .superRefine((p, ctx) => {
    for (const [svc, s] of Object.entries(p.services)) {
      const max = s.max ?? p.replicas.max;
      if ((s.replicas ?? p.replicas.default) > max) ctx.addIssue({ code: 'custom', path: ['services', svc, 'replicas'], message: `above the bound ${max}` });
      if (s.autoscaling && (s.autoscaling.min > s.autoscaling.max || s.autoscaling.max > max)) {
        ctx.addIssue({ code: 'custom', path: ['services', svc, 'autoscaling'], message: `needs min ≤ max ≤ ${max}` });
      }
    }
  });
export type Profile = z.infer<typeof Profile>;

/** Per-chart sizing a profile gives. */
export function sizing(p: Profile, chart: string): { replicas: number; max: number; autoscaling?: { min: number; max: number; targetCpu: number } } {
  const s = p.services[chart] ?? {};
  return { replicas: s.replicas ?? p.replicas.default, max: s.max ?? p.replicas.max, ...(s.autoscaling ? { autoscaling: s.autoscaling } : {}) };
}

function loadDir<T>(dir: string, schema: z.ZodType<T>): Map<string, T> {
  const out = new Map<string, T>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const r = schema.safeParse(parseYaml(readFileSync(join(dir, file), 'utf8')));
    if (!r.success) throw new Error(`${join(dir, file)}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const name = (r.data as { name: string }).name;
    if (`${name}.yaml` !== file) throw new Error(`${join(dir, file)}: name ${name} must match the file name`);
    out.set(name, r.data);
  }
  return out;
}

export class Blueprints {
  constructor(
    readonly templates: Map<string, Template>,
    readonly profiles: Map<string, Profile>,
  ) {}

  static load(dir = import.meta.dirname): Blueprints {
    return new Blueprints(loadDir(join(dir, 'templates'), Template), loadDir(join(dir, 'profiles'), Profile));
  }
}
