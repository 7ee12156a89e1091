// The commons' config (the `manifest-global` ConfigMap) is not DCOC's to
// write: gen3-helm renders it from `global.*` (helm/gen3/templates/
// global-manifest.yaml, uc-cdis/gen3-helm 42cc46bc), pods read it as env at
// start, and the next `helm upgrade` or ArgoCD self-heal renders it again
// from the values. So a config change is a change of `global.*` in the
// values, applied like a deploy, with the services that read a changed key
// from the ConfigMap restarted afterwards (a values change that does not
// touch their pod template does not roll them).
/** A Helm values tree (the same shape as backend/deployments/values.ts Values). */
type Values = Record<string, unknown>;

/** manifest-global key → the `global` value gen3-helm renders it from (global-manifest.yaml, 42cc46bc). */
export const KEY_TO_GLOBAL: Readonly<Record<string, string>> = {
  environment: 'environment',
  hostname: 'hostname',
  revproxy_arn: 'revproxyArn',
  dictionary_url: 'dictionaryUrl',
  portal_app: 'portalApp',
  public_datasets: 'publicDataSets',
  tier_access_level: 'tierAccessLevel',
  tier_access_limit: 'tierAccessLimit',
  netpolicy: 'netPolicy',
  dispatcher_job_num: 'dispatcherJobNum',
  frontend_root: 'frontendRoot',
  logout_inactive_users: 'logoutInactiveUsers',
  workspace_timeout_in_minutes: 'workspaceTimeoutInMinutes',
  maintenance_mode: 'maintenanceMode',
  fence_url: 'fenceURL',
  indexd_url: 'indexdURL',
  workspace_url: 'workspaceURL',
  wts_url: 'wtsURL',
  arborist_url: 'arboristURL',
  manifest_service_url: 'manifestServiceURL',
  privacy_policy_url: 'privacyPolicyURL',
  mapbox_token: 'mapboxToken',
  cookie_domain: 'cookieDomain',
  des_namespace: 'desNamespace',
  origins_allow_credentials: 'origins_allow_credentials',
};

/** Any other key: `global.manifestGlobalExtraValues.<key>`, which the template writes as is. */
export const EXTRA = 'manifestGlobalExtraValues';

/**
 * Services whose pods read a manifest-global key as env (configMapKeyRef), by
 * key (42cc46bc: helm/portal/templates/deployment-cached.yaml portal_app,
 * helm/sheepdog/templates/deployment.yaml public_datasets). The others read
 * `global.*` through their own templates, so a change rolls them by itself,
 * or only CronJobs read it (hostname), which pick it up on their next run.
 */
export const READERS: Readonly<Record<string, readonly string[]>> = {
  portal_app: ['portal'],
  public_datasets: ['sheepdog'],
};

/** Keys rendered from a `global` map or list, which a config string cannot express. */
const STRUCTURED: Readonly<Record<string, string>> = {
  netpolicy: 'global.netPolicy is a map (enabled: true|false); change it with a deploy (overrides.global.netPolicy)',
};

export interface FieldError {
  field: string;
  message: string;
}

export interface GlobalChange {
  /** A `global` fragment: maps merge, null deletes (values.ts deepMerge). */
  global: Values;
  /** Services to restart once the values are applied. */
  restart: string[];
  errors: FieldError[];
}

/** The `global` fragment that turns config `current` into `next`. */
export function globalChange(current: Record<string, string>, next: Record<string, string>): GlobalChange {
  const global: Values = {};
  const extra: Values = {};
  const restart = new Set<string>();
  const errors: FieldError[] = [];
  for (const key of [...new Set([...Object.keys(current), ...Object.keys(next)])].sort()) {
    const to = Object.hasOwn(next, key) ? next[key] : undefined;
    if ((Object.hasOwn(current, key) ? current[key] : undefined) === to) continue;
    if (STRUCTURED[key]) {
      errors.push({ field: `body.data.${key}`, message: STRUCTURED[key] });
      continue;
    }
    const path = KEY_TO_GLOBAL[key];
    if (key === 'origins_allow_credentials' && to !== undefined) {
      // Rendered with toJson: the value is a JSON list of origins.
      let list: unknown;
      try {
        list = JSON.parse(to);
      } catch {
        list = undefined;
      }
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) {
        errors.push({ field: `body.data.${key}`, message: 'gen3-helm renders it with toJson from a list: send a JSON list of origins, e.g. ["https://a.example.org"]' });
        continue;
      }
      global[path] = list;
    } else if (path) {
      global[path] = to ?? null;
    } else {
      extra[key] = to ?? null;
    }
    for (const s of READERS[key] ?? []) restart.add(s);
  }
  if (Object.keys(extra).length) global[EXTRA] = extra;
  return { global, restart: [...restart].sort(), errors };
}

/** Keys global-manifest.yaml writes only when their value is set (`if`/`with`). */
const CONDITIONAL = new Set(['fence_url', 'indexd_url', 'workspace_url', 'wts_url', 'arborist_url', 'manifest_service_url', 'privacy_policy_url', 'mapbox_token', 'cookie_domain', 'des_namespace', 'origins_allow_credentials']);

/** How Go's template prints a value under `quote`: nil as "", maps as map[k:v ...] with sorted keys. */
function goString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    return `map[${Object.keys(v as Values)
      .sort()
      .map((k) => `${k}:${goString((v as Values)[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** The manifest-global data gen3-helm renders from `global` (for the simulator, which follows the chart). */
export function renderManifestGlobal(global: Values): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, path] of Object.entries(KEY_TO_GLOBAL)) {
    const v = global[path];
    if (CONDITIONAL.has(key)) {
      if (v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && !v.length)) continue;
      data[key] = key === 'origins_allow_credentials' ? JSON.stringify(v) : goString(v);
    } else {
      data[key] = goString(v);
    }
  }
  const extra = global[EXTRA];
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) for (const [k, v] of Object.entries(extra as Values)) data[k] = goString(v);
  return data;
}
