// Template + profile + release + overrides → gen3-helm umbrella values, and
// the checks that must pass before anything is applied. Every refusal names
// the request field at fault (body.release, body.profile, body.overrides.…).
import type { Profile, Template } from './blueprints';
import { sizing } from './blueprints';
import { CHARTS, CHART_NAMES, MAX_IMAGE_REF, chart, chartOfService, isImageRef, splitImage } from './charts';
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
      autoscaling: size.autoscaling
        ? { enabled: true, minReplicas: size.autoscaling.min, maxReplicas: size.autoscaling.max, targetCPUUtilizationPercentage: size.autoscaling.targetCpu }
        : { enabled: false },
    };
  }
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

function checkOverrides(o: Values): FieldError[] {
  const errors: FieldError[] = [...secretFields(o, 'body.overrides'), ...nonBooleanSwitches(o, 'body.overrides')];
  if (errors.length) return errors;
  for (const [key, v] of Object.entries(o)) {
    if (key !== 'global' && !CHART_NAMES.includes(key)) {
      errors.push({ field: `body.overrides.${key}`, message: `unknown service ${key}; known: global, ${CHART_NAMES.join(', ')}` });
    } else if (!isMap(v)) {
      errors.push({ field: `body.overrides.${key}`, message: 'must be a mapping of gen3-helm values' });
    } else if (key === 'global') {
      for (const id of IDENTITY) if (id in v) errors.push({ field: `body.overrides.global.${id}`, message: `${id} identifies the commons and is set from it, not from overrides` });
    } else if ('enabled' in v && typeof v.enabled !== 'boolean') {
      errors.push({ field: `body.overrides.${key}.enabled`, message: 'must be true or false' });
    }
  }
  return errors;
}

const whole = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function checkChart(name: string, v: Values, i: RenderInput): FieldError[] {
  const errors: FieldError[] = [];
  const over = isMap(i.overrides[name]) ? (i.overrides[name] as Values) : {};
  const size = sizing(i.profile, name);
  const field = (path: string[]) => (getPath(over, path) !== undefined ? `body.overrides.${name}.${path.join('.')}` : 'body.profile');

  const repository = getPath(v, ['image', 'repository']);
  const tag = getPath(v, ['image', 'tag']);
  const imageField = getPath(over, ['image']) !== undefined ? `body.overrides.${name}.image` : 'body.release';
  if (repository === undefined && tag === undefined && !i.release.images[name]) {
    errors.push({ field: 'body.release', message: `release ${i.release.version} has no image for ${name}, which this deploy enables; import a release that has one, disable ${name}, or set overrides.${name}.image` });
  } else if (typeof repository !== 'string' || typeof tag !== 'string' || !isImageRef(`${repository}:${tag}`)) {
    const long = typeof repository === 'string' && typeof tag === 'string' && repository.length + tag.length >= MAX_IMAGE_REF;
    errors.push({ field: imageField, message: long ? `${name}'s image reference is longer than ${MAX_IMAGE_REF} characters` : `${name} needs image.repository and image.tag (strings) forming an image reference` });
  }

  const replicas = v.replicaCount;
  if (!whole(replicas)) errors.push({ field: field(['replicaCount']), message: `${name}.replicaCount must be a whole number` });
  else if (replicas > size.max) {
    errors.push({ field: field(['replicaCount']), message: `${name}.replicaCount ${replicas} is above profile ${i.profile.name}'s bound of ${size.max}` });
  }
  const hpa = v.autoscaling;
  if (isMap(hpa) && hpa.enabled === true) {
    const { minReplicas: min, maxReplicas: max } = hpa;
    if (!whole(min) || !whole(max) || min < 1 || min > max) {
      errors.push({ field: field(['autoscaling']), message: `${name}.autoscaling needs whole minReplicas ≥ 1 and maxReplicas ≥ minReplicas` });
    } else if (max > size.max) {
      errors.push({ field: field(['autoscaling', 'maxReplicas']), message: `${name}.autoscaling.maxReplicas ${max} is above profile ${i.profile.name}'s bound of ${size.max}` });
    }
  }
  return errors;
}

export function render(i: RenderInput): { values: Values; errors: FieldError[] } {
  const errors = checkOverrides(i.overrides);
  if (errors.length) return { values: {}, errors };
  const enabled = new Set(i.template.services);
  for (const [name, v] of Object.entries(i.overrides)) {
    if (name !== 'global' && isMap(v) && typeof v.enabled === 'boolean') {
      if (v.enabled) enabled.add(name);
      else enabled.delete(name);
    }
  }
  const values = deepMerge(baseValues(i, enabled), i.overrides);
  for (const name of CHART_NAMES) if (enabled.has(name)) errors.push(...checkChart(name, values[name] as Values, i));
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

export function enabledCharts(values: Values): string[] {
  return CHART_NAMES.filter((c) => isMap(values[c]) && (values[c] as Values).enabled === true);
}

/** What the agent is asked to reach: an image per service and, where no HPA manages it, a replica count. */
export function deployTarget(values: Values): { images: Record<string, string>; replicas: Record<string, number> } {
  const images: Record<string, string> = {};
  const replicas: Record<string, number> = {};
  for (const name of enabledCharts(values)) {
    const v = values[name] as Values;
    const image = `${String(getPath(v, ['image', 'repository']))}:${String(getPath(v, ['image', 'tag']))}`;
    const autoscaled = getPath(v, ['autoscaling', 'enabled']) === true;
    for (const service of chart(name)!.services) {
      images[service] = image;
      if (!autoscaled && whole(v.replicaCount)) replicas[service] = v.replicaCount;
    }
  }
  return { images, replicas };
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
