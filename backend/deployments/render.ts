// Template + profile + release + overrides → gen3-helm umbrella values, and
// the checks that must pass before anything is applied. Every refusal names
// the request field at fault (body.release, body.profile, body.overrides.…).
import type { Autoscaling, Profile, Template } from './blueprints';
import { sizing } from './blueprints';
import {
  CHARTS,
  CHART_NAMES,
  DCOC_KEY,
  ELSEWHERE,
  HPA_CHARTS,
  MAX_IMAGE_REF,
  RIDERS,
  SUBCHARTS,
  VALUES_KEYS,
  autoscalingRefusal,
  chart,
  chartOfService,
  isImageRef,
  nearestKey,
  splitImage,
  subchartEnabled,
} from '../../contracts/gen3/charts';
import { type Values, deepMerge, getPath, isMap } from './values';

export interface FieldError {
  field: string;
  message: string;
}

export interface RenderInput {
  hostname: string;
  environment: string;
  template: Template;
  profile: Profile;
  release: { version: string; images: Record<string, string> };
  overrides: Values;
}

/** Keys of `global` that identify the commons; they come from the commons, never from overrides. */
const IDENTITY = ['hostname', 'environment'];

/** A profile's HPA as gen3-helm's keys (helm/common/templates/_hpa.tpl); targets it leaves out stay the chart's. */
function hpaValues(a: Autoscaling): Values {
  return {
    enabled: true,
    minReplicas: a.min,
    maxReplicas: a.max,
    ...(a.averageCPUValue !== undefined ? { averageCPUValue: a.averageCPUValue } : {}),
    ...(a.averageMemoryValue !== undefined ? { averageMemoryValue: a.averageMemoryValue } : {}),
  };
}

function baseValues(i: RenderInput, enabled: Set<string>): Values {
  const values: Values = { global: deepMerge(deepMerge({ hostname: i.hostname, environment: i.environment }, i.template.global), i.profile.global) };
  for (const c of CHARTS) {
    if (!enabled.has(c.name)) {
      values[c.name] = { enabled: false };
      continue;
    }
    const size = sizing(i.profile, c.name);
    const img = i.release.images[c.name] ? splitImage(i.release.images[c.name]) : undefined;
    values[c.name] = {
      enabled: true,
      replicaCount: size.replicas,
      ...(img ? { image: { repository: img.repository, tag: img.tag } } : {}),
      autoscaling: size.autoscaling ? hpaValues(size.autoscaling) : { enabled: false },
    };
  }
  // A service another chart renders (presigned-url-fence) gets its own HPA range in DCOC's block: gen3-helm has no value for it.
  const hpa: Values = {};
  for (const [service, host] of Object.entries(RIDERS)) {
    const a = sizing(i.profile, service).autoscaling;
    if (a && enabled.has(host)) hpa[service] = { minReplicas: a.min, maxReplicas: a.max };
  }
  if (Object.keys(hpa).length) values[DCOC_KEY] = { hpa };
  return values;
}

/**
 * Keys that hold credentials: values are stored in revisions, shown in diffs
 * and committed to GitOps, so none may carry one. Matched on the key as a
 * person would read it: case, separators (-, _, ., spaces), invisible
 * characters and compatibility forms do not hide it.
 */
const SECRET_KEY = /(password|passwd|passphrase|secret|secretkey|privatekey|clientsecret|accesskey|token|apikey|credential|credentials)$/;

function readableKey(k: string): string {
  return k.normalize('NFKC').replace(/\p{Cf}/gu, '').replace(/[\s._-]+/g, '').toLowerCase();
}

const credentialMessage = (k: string) =>
  `credentials do not belong in values, which are kept in every revision, shown in diffs and committed to GitOps; keep them in a Secret (gen3-helm: global.externalSecrets.deploy) and leave ${JSON.stringify(k)} out`;

/** Every credential in `v` (maps and lists, however deep), by field. */
export function secretFields(v: unknown, path: string): FieldError[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => secretFields(x, `${path}.${i}`));
  if (!isMap(v)) return [];
  return Object.entries(v).flatMap(([k, x]) =>
    SECRET_KEY.test(readableKey(k)) && (typeof x === 'string' ? x !== '' : typeof x === 'number')
      ? [{ field: `${path}.${k}`, message: credentialMessage(k) }]
      : secretFields(x, `${path}.${k}`),
  );
}

/**
 * Switches named `enabled` must be booleans: helm's templates treat any
 * non-empty string as true ("false" too), so a string would render what DCOC's
 * own checks (profile bounds, enabled services) took to be off.
 */
function nonBooleanSwitches(v: unknown, path: string): FieldError[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => nonBooleanSwitches(x, `${path}.${i}`));
  if (!isMap(v)) return [];
  return Object.entries(v).flatMap(([k, x]) =>
    k === 'enabled' && x !== null && typeof x !== 'boolean'
      ? [{ field: `${path}.${k}`, message: `must be true or false (a boolean, not ${JSON.stringify(x)}): helm takes any non-empty string as true` }]
      : nonBooleanSwitches(x, `${path}.${k}`),
  );
}

/** Top-level keys of the umbrella whose value is a string, not a mapping (helm/gen3/templates/_helpers.tpl). */
const SCALAR_KEYS = ['nameOverride', 'fullnameOverride'];

function unknownKey(key: string): string {
  const near = nearestKey(key);
  return `unknown service ${key}: neither a subchart of gen3-helm's umbrella chart (helm/gen3/Chart.yaml) nor a top-level key of its values (helm/gen3/values.yaml), nor DCOC's ${DCOC_KEY}${near ? `; did you mean ${near}?` : ''}`;
}

/** DCOC's block: `hpa.<service>` = { minReplicas, maxReplicas } for services another chart renders (or null to drop the profile's). */
function checkDcocBlock(v: Values): FieldError[] {
  const errors: FieldError[] = [];
  const base = `body.overrides.${DCOC_KEY}`;
  for (const [k, x] of Object.entries(v)) {
    if (k !== 'hpa') {
      errors.push({ field: `${base}.${k}`, message: `unknown key ${k}; ${DCOC_KEY} holds only hpa (the HPA range of a service gen3-helm renders from another chart's values: ${Object.keys(RIDERS).join(', ')})` });
    } else if (x !== null && !isMap(x)) {
      errors.push({ field: `${base}.hpa`, message: 'must be a mapping of service → {minReplicas, maxReplicas}' });
    } else if (isMap(x)) {
      for (const [svc, r] of Object.entries(x)) {
        const field = `${base}.hpa.${svc}`;
        if (!(svc in RIDERS)) {
          errors.push({ field, message: `${svc} is not a service another chart renders (${Object.keys(RIDERS).join(', ')}); a chart's own HPA is overrides.${svc}.autoscaling` });
        } else if (r !== null && (!isMap(r) || Object.keys(r).some((key) => key !== 'minReplicas' && key !== 'maxReplicas'))) {
          errors.push({ field, message: `must be {minReplicas, maxReplicas} (or null): ${svc}-hpa takes every other setting from ${RIDERS[svc]}.autoscaling` });
        }
      }
    }
  }
  return errors;
}

function checkOverrides(o: Values): FieldError[] {
  const errors: FieldError[] = [...secretFields(o, 'body.overrides'), ...nonBooleanSwitches(o, 'body.overrides')];
  if (errors.length) return errors;
  for (const [key, v] of Object.entries(o)) {
    const field = `body.overrides.${key}`;
    if (ELSEWHERE[key]) {
      errors.push({ field, message: ELSEWHERE[key] });
    } else if (key in RIDERS) {
      const host = RIDERS[key];
      errors.push({ field, message: `${key} has no values of its own in gen3-helm: the ${host} chart renders it from ${host}'s values (set overrides.${host}); its own HPA range is overrides.${DCOC_KEY}.hpa.${key}` });
    } else if (!VALUES_KEYS.includes(key)) {
      errors.push({ field, message: unknownKey(key) });
    } else if (SCALAR_KEYS.includes(key)) {
      if (typeof v !== 'string') errors.push({ field, message: 'must be a string' });
    } else if (!isMap(v)) {
      errors.push({ field, message: 'must be a mapping of gen3-helm values' });
    } else if (key === 'global') {
      for (const id of IDENTITY) if (id in v) errors.push({ field: `body.overrides.global.${id}`, message: `${id} identifies the commons and is set from it, not from overrides` });
      if (getPath(v, ['autoscaling', 'enabled']) === true) {
        errors.push({
          field: 'body.overrides.global.autoscaling.enabled',
          message: "turns on every chart's HPA (gen3-helm's HPA templates fall back to global.autoscaling.enabled, and a chart's autoscaling.enabled: false does not override it) while their Deployments keep replicaCount (they read only <chart>.autoscaling.enabled): the HPA and the replica count would fight. Enable autoscaling per chart (overrides.<chart>.autoscaling)",
        });
      }
    } else if (key === DCOC_KEY) {
      errors.push(...checkDcocBlock(v));
    } else if ('enabled' in v && typeof v.enabled !== 'boolean') {
      errors.push({ field: `${field}.enabled`, message: 'must be true or false' });
    }
  }
  return errors;
}

const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** A Kubernetes quantity as an HPA's averageValue takes it (500m, 1, 500Mi, 2Gi). */
const QUANTITY = /^[0-9]+(?:\.[0-9]+)?(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const isQuantity = (q: unknown) => (typeof q === 'string' && QUANTITY.test(q)) || (typeof q === 'number' && q > 0);

/** Replicas and HPA of an enabled chart (DCOC's or any other subchart), against the profile's bound. */
function checkSizing(name: string, v: Values, i: RenderInput, field: (path: string[]) => string): FieldError[] {
  const errors: FieldError[] = [];
  const size = sizing(i.profile, name);
  const replicas = v.replicaCount;
  if (replicas !== undefined || CHART_NAMES.includes(name)) {
    if (!whole(replicas)) errors.push({ field: field(['replicaCount']), message: `${name}.replicaCount must be a whole number` });
    else if (replicas > size.max) {
      errors.push({ field: field(['replicaCount']), message: `${name}.replicaCount ${replicas} is above profile ${i.profile.name}'s bound of ${size.max}` });
    }
  }
  const hpa = v.autoscaling;
  if (isMap(hpa) && hpa.enabled === true) {
    const refusal = autoscalingRefusal(name);
    if (refusal) return [...errors, { field: field(['autoscaling', 'enabled']), message: refusal }];
    const { minReplicas: min, maxReplicas: max } = hpa;
    // Unset, gen3-helm takes global.autoscaling's (1–10); DCOC's profiles always set both.
    const lo = min === undefined ? 1 : min;
    const hi = max === undefined ? 10 : max;
    if (!whole(lo) || !whole(hi) || lo < 1 || lo > hi) {
      errors.push({ field: field(['autoscaling']), message: `${name}.autoscaling needs whole minReplicas ≥ 1 and maxReplicas ≥ minReplicas` });
    } else if (hi > size.max) {
      errors.push({ field: field(['autoscaling', 'maxReplicas']), message: `${name}.autoscaling.maxReplicas ${hi} is above profile ${i.profile.name}'s bound of ${size.max}` });
    }
    for (const k of ['averageCPUValue', 'averageMemoryValue']) {
      if (hpa[k] !== undefined && hpa[k] !== null && !isQuantity(hpa[k])) {
        errors.push({ field: field(['autoscaling', k]), message: `${name}.autoscaling.${k} must be a Kubernetes quantity such as ${k === 'averageCPUValue' ? '"500m"' : '"500Mi"'} (the average per pod gen3-helm's HPA keeps)` });
      }
    }
    // gen3-helm's common HPA takes average values; a utilization percentage is read by embedding-management-service's own template only.
    if (hpa.targetCPUUtilizationPercentage !== undefined && HPA_CHARTS.includes(name) && name !== 'embedding-management-service') {
      errors.push({
        field: field(['autoscaling', 'targetCPUUtilizationPercentage']),
        message: `gen3-helm's ${name} HPA does not read targetCPUUtilizationPercentage (helm/common/templates/_hpa.tpl): it keeps an average value per pod, autoscaling.averageCPUValue (e.g. "500m"; the profile's or the chart's default otherwise). Set averageCPUValue and leave the percentage out`,
      });
    }
  }
  return errors;
}

function checkChart(name: string, v: Values, i: RenderInput): FieldError[] {
  const errors: FieldError[] = [];
  const over = isMap(i.overrides[name]) ? (i.overrides[name] as Values) : {};
  const field = (path: string[]) => (getPath(over, path) !== undefined ? `body.overrides.${name}.${path.join('.')}` : 'body.profile');

  const repository = getPath(v, ['image', 'repository']);
  const tag = getPath(v, ['image', 'tag']);
  const imageField = getPath(over, ['image']) !== undefined ? `body.overrides.${name}.image` : 'body.release';
  // Neither the release nor the overrides give an image: gen3-helm's own default image runs (and the deploy target does not list the service).
  const given = repository !== undefined || tag !== undefined;
  if (given && (typeof repository !== 'string' || typeof tag !== 'string' || !isImageRef(`${repository}:${tag}`))) {
    const long = typeof repository === 'string' && typeof tag === 'string' && repository.length + tag.length >= MAX_IMAGE_REF;
    errors.push({ field: imageField, message: long ? `${name}'s image reference is longer than ${MAX_IMAGE_REF} characters` : `${name} needs image.repository and image.tag (strings) forming an image reference` });
  }
  return [...errors, ...checkSizing(name, v, i, field)];
}

/** presigned-url-fence's own HPA range (DCOC's block): whole, within the profile's bound, and only where its host chart autoscales. */
function checkRiderHpa(values: Values, i: RenderInput): FieldError[] {
  const block = getPath(values, [DCOC_KEY, 'hpa']);
  if (!isMap(block)) return [];
  const errors: FieldError[] = [];
  for (const [service, r] of Object.entries(block)) {
    const host = RIDERS[service];
    if (!host || !isMap(r)) continue;
    const given = getPath(i.overrides, [DCOC_KEY, 'hpa', service]) !== undefined;
    const field = given ? `body.overrides.${DCOC_KEY}.hpa.${service}` : 'body.profile';
    const { minReplicas: min, maxReplicas: max } = r;
    const bound = sizing(i.profile, service).max;
    if (!whole(min) || !whole(max) || min < 1 || min > max) {
      errors.push({ field, message: `${service}'s HPA range needs whole minReplicas ≥ 1 and maxReplicas ≥ minReplicas` });
    } else if (max > bound) {
      errors.push({ field: given ? `${field}.maxReplicas` : field, message: `${service}'s HPA maxReplicas ${max} is above profile ${i.profile.name}'s bound of ${bound}` });
    } else if (getPath(values, [host, 'enabled']) !== true || getPath(values, [host, 'autoscaling', 'enabled']) !== true) {
      errors.push({
        field,
        message: `${service}'s own HPA range ${min}–${max} needs ${host} enabled and autoscaled: gen3-helm renders ${service}-hpa only from ${host}.autoscaling (helm/${host}/templates/${service}-hpa.yaml). Enable ${host}.autoscaling, or drop the range with overrides.${DCOC_KEY}.hpa.${service}: null`,
      });
    }
  }
  return errors;
}

/** aws-es-proxy and aws-sigv4-proxy both render Services elasticsearch and gen3-elasticsearch-master (their templates/service.yaml, 42cc46bc). */
function checkElasticsearchProxies(values: Values): FieldError[] {
  if (!subchartEnabled(values, 'aws-es-proxy') || !subchartEnabled(values, 'aws-sigv4-proxy')) return [];
  return [{ field: 'body.overrides.aws-sigv4-proxy.enabled', message: 'aws-es-proxy and aws-sigv4-proxy both render Service elasticsearch (and gen3-elasticsearch-master), so helm cannot install both; enable one (aws-sigv4-proxy replaces aws-es-proxy)' }];
}

export function render(i: RenderInput): { values: Values; errors: FieldError[] } {
  const errors = checkOverrides(i.overrides);
  if (errors.length) return { values: {}, errors };
  const enabled = new Set(i.template.services);
  for (const [name, v] of Object.entries(i.overrides)) {
    if (CHART_NAMES.includes(name) && isMap(v) && typeof v.enabled === 'boolean') {
      if (v.enabled) enabled.add(name);
      else enabled.delete(name);
    }
  }
  const values = deepMerge(baseValues(i, enabled), i.overrides);
  // Ranges dropped with null leave an empty block behind.
  if (isMap(values[DCOC_KEY]) && isMap((values[DCOC_KEY] as Values).hpa) && Object.keys((values[DCOC_KEY] as Values).hpa as Values).length === 0) delete (values[DCOC_KEY] as Values).hpa;
  if (isMap(values[DCOC_KEY]) && Object.keys(values[DCOC_KEY] as Values).length === 0) delete values[DCOC_KEY];
  for (const name of CHART_NAMES) if (enabled.has(name)) errors.push(...checkChart(name, values[name] as Values, i));
  // The umbrella's other subcharts keep gen3-helm's defaults (and images); only what the values ask of their size is checked.
  for (const name of SUBCHARTS) {
    if (CHART_NAMES.includes(name) || !isMap(values[name]) || !subchartEnabled(values, name)) continue;
    errors.push(...checkSizing(name, values[name] as Values, i, (path) => `body.overrides.${name}.${path.join('.')}`));
  }
  errors.push(...checkRiderHpa(values, i), ...checkElasticsearchProxies(values));
  return { values, errors };
}

/**
 * gen3-helm renders each service's `<svc>-dbcreds` Secret from
 * global.postgres.master.host unless databases are in-cluster (global.dev) or
 * the Secrets come from a secret manager (global.externalSecrets.deploy);
 * without either, `helm upgrade` of these values fails.
 */
export function databaseWarning(values: Values): string | undefined {
  const g = isMap(values.global) ? values.global : {};
  if (g.dev === true || getPath(g, ['externalSecrets', 'deploy']) === true || getPath(g, ['postgres', 'master', 'host'])) return undefined;
  return 'external databases (global.dev is false) but neither global.postgres.master.host nor global.externalSecrets.deploy is set: gen3-helm cannot render the services\' database Secrets, so an agent deploying with helm will fail. Set overrides.global.externalSecrets.deploy: true (credentials from your secret manager) or overrides.global.postgres.master.host';
}

/**
 * The umbrella's subcharts helm renders with these values: each one's
 * condition in helm/gen3/Chart.yaml, with helm/gen3/values.yaml's defaults
 * where the values say nothing (etl is on by default). Includes subcharts the
 * agent knows no Deployment of (etl's CronJobs, dashboard, argo-wrapper, ...):
 * helm creates them with the revision, but the deploy target does not list
 * them, so nothing follows their rollout, and an agent without --helm-chart
 * does not create or change them.
 */
export function enabledCharts(values: Values): string[] {
  return SUBCHARTS.filter((c) => subchartEnabled(values, c));
}

/**
 * DCOC's charts these values enable without an image: neither the release nor
 * the overrides name one, so gen3-helm's own default image runs (for some a
 * branch build such as master) and nothing follows their rollout. For the
 * plan to say so.
 */
export function unversionedCharts(values: Values): string[] {
  return CHART_NAMES.filter((c) => getPath(values, [c, 'enabled']) === true && getPath(values, [c, 'image', 'tag']) === undefined);
}

export interface HpaRange {
  min: number;
  max: number;
}

export interface DeployTargetParts {
  images: Record<string, string>;
  replicas: Record<string, number>;
  /** HPA ranges gen3-helm cannot express, which the agent sets after the chart is applied (presigned-url-fence's). */
  hpa?: Record<string, HpaRange>;
}

/**
 * What the agent is asked to reach: an image per service whose image the
 * values set (from the release or the overrides), a replica count where no
 * HPA manages it, and the HPA ranges it sets itself. Only services of DCOC's
 * catalog, whose Deployments the agent knows and follows; a catalog chart left
 * on the chart's own image (aws-sigv4-proxy when the release has none) is
 * applied by helm but not followed.
 */
export function deployTarget(values: Values): DeployTargetParts {
  const images: Record<string, string> = {};
  const replicas: Record<string, number> = {};
  for (const name of CHART_NAMES) {
    const v = values[name];
    if (!isMap(v) || v.enabled !== true) continue;
    const repository = getPath(v, ['image', 'repository']);
    const tag = getPath(v, ['image', 'tag']);
    const image = typeof repository === 'string' && typeof tag === 'string' ? `${repository}:${tag}` : undefined;
    const autoscaled = getPath(v, ['autoscaling', 'enabled']) === true;
    for (const service of chart(name)!.services) {
      if (!image) continue;
      images[service] = image;
      if (!autoscaled && whole(v.replicaCount)) replicas[service] = v.replicaCount;
    }
  }
  const hpa: Record<string, HpaRange> = {};
  const block = getPath(values, [DCOC_KEY, 'hpa']);
  for (const [service, r] of Object.entries(isMap(block) ? block : {})) {
    const host = RIDERS[service];
    if (!host || !images[service] || getPath(values, [host, 'autoscaling', 'enabled']) !== true || !isMap(r)) continue;
    if (whole(r.minReplicas) && whole(r.maxReplicas)) hpa[service] = { min: r.minReplicas, max: r.maxReplicas };
  }
  return { images, replicas, ...(Object.keys(hpa).length ? { hpa } : {}) };
}

/**
 * What the plan should say about HPAs: a range the agent sets itself rather
 * than the chart (presigned-url-fence's), and the memory target gen3-helm adds
 * to HPAs whose values set none. `method` is the agent's deploy method when
 * known (helm-upgrade, helm-template, images; null: not known yet).
 */
export function hpaNotes(values: Values, target: Pick<DeployTargetParts, 'hpa'>, method: string | null = null): string[] {
  const notes: string[] = [];
  for (const [service, r] of Object.entries(target.hpa ?? {})) {
    const host = RIDERS[service] ?? service;
    const h = getPath(values, [host, 'autoscaling']) as Values | undefined;
    const hostRange = h && whole(h.minReplicas) && whole(h.maxReplicas) ? ` (${host}'s is ${h.minReplicas}–${h.maxReplicas})` : '';
    const by =
      method === 'helm-upgrade' || method === 'helm-template'
        ? `the agent sets it on ${service}-hpa ${method === 'helm-upgrade' ? 'right after helm upgrade returns (helm first writes ' + host + "'s range, so for a moment it is " + host + "'s)" : 'in the object it applies from helm template'}`
        : method === 'argocd'
          ? `under ArgoCD nobody sets it: ArgoCD applies the chart as rendered, and the agent changes nothing ArgoCD owns (its self-heal would revert it)`
          : method === null
          ? `an agent deploying with the gen3-helm chart (--helm-chart) sets it on ${service}-hpa after applying the chart; an agent without --helm-chart does not (it changes images and replicas only)`
          : `this agent deploys without --helm-chart and does not set it (it changes images and replicas only): ${service}-hpa keeps the range it has`;
    notes.push(
      `${service} autoscales ${r.min}–${r.max}${hostRange}, a range gen3-helm cannot express: it renders ${service}-hpa from ${host}'s autoscaling values (helm/${host}/templates/${service}-hpa.yaml), so ${by}. A GitOps sync (ArgoCD) of these values alone gives ${service} ${host}'s range`,
    );
  }
  const noMemory = CHART_NAMES.filter((c) => getPath(values, [c, 'enabled']) === true && getPath(values, [c, 'autoscaling', 'enabled']) === true && getPath(values, [c, 'autoscaling', 'averageMemoryValue']) === undefined);
  if (noMemory.length) {
    notes.push(
      `${noMemory.join(', ')}: gen3-helm's HPAs also scale on memory, at the chart's default average per pod (global.autoscaling.averageMemoryValue 500Mi; portal 6000Mi), as these values set no averageMemoryValue; set <chart>.autoscaling.averageMemoryValue to change it`,
    );
  }
  return notes;
}

/**
 * gen3-helm's network policies (helm/gen3-network-policies, rendered when
 * global.netPolicy.enabled) start from allow-nothing-netpolicy, which denies
 * every pod of the namespace all traffic that no other policy allows. The
 * DCOC agent needs egress to the API server and the control service and
 * ingress into every service it probes: gen3job_netpolicy.yaml allows exactly
 * that for pods labelled `app: gen3job` (egress {} for them; ingress into
 * every pod from them), which agent/deploy/deployment.yaml's pod carries.
 */
export function netPolicyWarning(values: Values): string | undefined {
  if (getPath(values, ['global', 'netPolicy', 'enabled']) !== true) return undefined;
  return "global.netPolicy.enabled turns on gen3-helm's network policies (a beta feature in gen3-helm): allow-nothing-netpolicy denies every pod in the namespace all traffic that a label does not allow back. The DCOC agent keeps the API server, the control service and its health probes only if its pod is labelled app: gen3job (helm/gen3-network-policies/templates/gen3job_netpolicy.yaml), as agent/deploy/deployment.yaml does; an agent deployed from an older manifest, or without that label, loses its connection once this revision applies and cannot roll it back";
}

export interface ObservedService {
  name: string;
  image: string;
  desiredReplicas: number;
}

/**
 * The values a commons DCOC has no revision for appears to run, from what its
 * agent reports, so the first plan's diff shows what would really change.
 */
export function observedValues(hostname: string, environment: string, services: ObservedService[]): Values {
  const values: Values = { global: { hostname, environment } };
  for (const c of CHARTS) {
    const s = services.find((x) => x.name === c.name && chartOfService(x.name) === c.name);
    const img = s ? splitImage(s.image) : undefined;
    values[c.name] = s ? { enabled: true, replicaCount: s.desiredReplicas, ...(img ? { image: { repository: img.repository, tag: img.tag } } : {}) } : { enabled: false };
  }
  return values;
}
