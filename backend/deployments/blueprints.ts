// Templates (which services a commons runs, and global defaults) and profiles
// (how big each one is: replicas, their upper bound, HPA ranges and targets
// as gen3-helm's HPAs take them). Both are YAML data files next to this
// module, checked with zod when loaded, so a bad file stops the control
// service at start-up instead of a deploy later.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CHART_NAMES, RIDERS, autoscalingRefusal } from '../../contracts/gen3/charts';

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

/** A CPU quantity as Kubernetes writes it: millicores ("500m") or cores ("1", "1.5"). */
const CpuQuantity = z.string().regex(/^(?:[1-9][0-9]{0,6}m|[0-9]{1,4}(?:\.[0-9]{1,3})?)$/, { message: 'a CPU quantity such as "500m" or "1"' });
/** A memory quantity as Kubernetes writes it: "500Mi", "2Gi", "1G". */
const MemoryQuantity = z.string().regex(/^[1-9][0-9]{0,6}(?:Ki|Mi|Gi|Ti|k|M|G|T)$/, { message: 'a memory quantity such as "500Mi" or "2Gi"' });

/**
 * An HPA as gen3-helm renders it (helm/common/templates/_hpa.tpl, 42cc46bc):
 * `autoscaling.minReplicas`/`maxReplicas` and the average CPU and memory per
 * pod it keeps (`averageCPUValue`, `averageMemoryValue`, metrics of type
 * AverageValue). A target left out is the chart's own
 * (global.autoscaling.averageCPUValue 500m and averageMemoryValue 500Mi in
 * every subchart's values.yaml; portal's own 2000m and 6000Mi).
 */
const Autoscaling = z.strictObject({
  min: Replicas.min(1),
  max: Replicas.min(1),
  averageCPUValue: CpuQuantity.optional(),
  averageMemoryValue: MemoryQuantity.optional(),
});
export type Autoscaling = z.infer<typeof Autoscaling>;

const ServiceName = z.string().refine((s) => CHART_NAMES.includes(s) || s in RIDERS, { message: 'not a Gen3 chart DCOC deploys, nor a service one renders' });

export const Profile = z
  .strictObject({
    name: Name,
    description: z.string().min(1),
    global: z.record(z.string(), z.unknown()).default({}),
    replicas: z.strictObject({ default: Replicas, max: Replicas }),
    services: z
      .record(ServiceName, z.strictObject({ replicas: Replicas.optional(), max: Replicas.optional(), autoscaling: Autoscaling.optional() }))
      .default({}),
  })
  .superRefine((p, ctx) => {
    for (const [svc, s] of Object.entries(p.services)) {
      const max = s.max ?? p.replicas.max;
      const host = RIDERS[svc];
      if (host) {
        // gen3-helm renders presigned-url-fence from fence's values: its replicas and HPA targets are fence's; only its HPA range can be its own (set by the agent).
        if (s.replicas !== undefined) ctx.addIssue({ code: 'custom', path: ['services', svc, 'replicas'], message: `${svc} runs ${host}'s replicaCount (gen3-helm renders it from ${host}'s values); size ${host} instead` });
        if (s.autoscaling && (s.autoscaling.averageCPUValue !== undefined || s.autoscaling.averageMemoryValue !== undefined)) {
          ctx.addIssue({ code: 'custom', path: ['services', svc, 'autoscaling'], message: `${svc}-hpa takes ${host}'s averageCPUValue/averageMemoryValue (helm/${host}/templates/${svc}-hpa.yaml); only its min and max can be its own` });
        }
        if (s.autoscaling && !p.services[host]?.autoscaling) {
          ctx.addIssue({ code: 'custom', path: ['services', svc, 'autoscaling'], message: `${svc}-hpa exists only when ${host} autoscales (gen3-helm renders it from ${host}.autoscaling); give ${host} an autoscaling range too` });
        }
      } else if ((s.replicas ?? p.replicas.default) > max) {
        ctx.addIssue({ code: 'custom', path: ['services', svc, 'replicas'], message: `above the bound ${max}` });
      }
      if (s.autoscaling && (s.autoscaling.min > s.autoscaling.max || s.autoscaling.max > max)) {
        ctx.addIssue({ code: 'custom', path: ['services', svc, 'autoscaling'], message: `needs min ≤ max ≤ ${max}` });
      }
      const refusal = !host && s.autoscaling ? autoscalingRefusal(svc) : undefined;
      if (refusal) ctx.addIssue({ code: 'custom', path: ['services', svc, 'autoscaling'], message: refusal });
    }
  });
export type Profile = z.infer<typeof Profile>;

/**
 * Per-service sizing a profile gives: for a chart, its replicas, their bound
 * and HPA; for a service another chart renders (presigned-url-fence), the
 * host chart's replicas and its own bound and HPA range.
 */
export function sizing(p: Profile, service: string): { replicas: number; max: number; autoscaling?: Autoscaling } {
  const host = RIDERS[service];
  const s = p.services[service] ?? {};
  const replicas = host ? (p.services[host]?.replicas ?? p.replicas.default) : (s.replicas ?? p.replicas.default);
  return { replicas, max: s.max ?? p.replicas.max, ...(s.autoscaling ? { autoscaling: s.autoscaling } : {}) };
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
