// The CronJobs gen3-helm renders, each with the condition that renders it and
// the schedule and suspend its default values give. Source: uc-cdis/gen3-helm
// 42cc46bc, helm/<chart>/templates/<file> and helm/<chart>/values.yaml, with
// the umbrella chart's overrides (helm/gen3/values.yaml). `helm template gen3
// helm/gen3` with its default values renders exactly the seven marked
// defaultOn: arborist-rm-expired-access, es-garbage, etl-cronjob,
// fence-db-migrate-cronjob, fence-delete-expired-clients, hatchery-reaper and
// migrate-to-single-table-indexd. usersync is off by default
// (fence `usersync.usersync: false`): the chart then runs the one-shot Job
// `useryaml` (helm/fence/templates/useryaml-job.yaml) instead.
//
// Left out: CronJobs of charts the umbrella disables by default and DCOC does
// not model (cedar-ingestion, data-upload-cron, datareplicate's five,
// funnel-cleanup-<namespace>, aurora-db-copy-<service>, vectis-overlays). An
// agent on a real cluster reports whatever CronJobs the namespace has; this
// list is what the simulator renders.

export interface ChartCronJob {
  name: string;
  /** The subchart that renders it (its `<chart>.enabled` must be on). */
  chart: string;
  /** helm/<chart>/templates/<file> at gen3-helm 42cc46bc. */
  template: string;
  /** The value, relative to the subchart, that must also be true; '' when it renders whenever its chart does. */
  condition: string;
  /** What `condition` is in the default values (the umbrella's override where it has one). */
  defaultOn: boolean;
  /** spec.schedule with the default values. */
  schedule: string;
  /** spec.suspend with the default values. */
  suspend: boolean;
}

const cj = (name: string, chart: string, file: string, condition: string, defaultOn: boolean, schedule: string, suspend = false): ChartCronJob => ({
  name,
  chart,
  template: `helm/${chart}/templates/${file}`,
  condition,
  defaultOn,
  schedule,
  suspend,
});

export const GEN3_HELM_CRONJOBS: readonly ChartCronJob[] = [
  // Rendered with the default values.
  cj('arborist-rm-expired-access', 'arborist', 'arborist-expired-access-cronjob.yaml', 'cronjob.enabled', true, '*/5 * * * *'),
  cj('es-garbage', 'etl', 'es-garbage-collect-cronjob.yaml', 'esGarbageCollect.enabled', true, '0 0 * * *'),
  // suspend: .Values.suspendCronjob, true by default.
  cj('etl-cronjob', 'etl', 'etl-job.yaml', '', true, '*/30 * * * *', true),
  // "Invalid schedule, feb 31st - we never want this to actually trigger itself."
  cj('fence-db-migrate-cronjob', 'fence', 'fence-db-migrate-job.yaml', '', true, '0 0 31 2 *', true),
  cj('fence-delete-expired-clients', 'fence', 'fence-delete-expired-clients-cron.yaml', '', true, '*/5 * * * *'),
  // helm/gen3/values.yaml hatchery.hatchery.reaper: enabled true, suspendCronjob false, schedule */15.
  cj('hatchery-reaper', 'hatchery', 'hatchery-reaper-cronjob.yaml', 'hatchery.reaper.enabled', true, '*/15 * * * *'),
  // Feb 31st as well, but no suspend field.
  cj('migrate-to-single-table-indexd', 'indexd', 'migrate-to-single-table.yaml', '', true, '0 0 31 2 *'),
  // Off with the default values.
  cj('usersync', 'fence', 'usersync-cron.yaml', 'usersync.usersync', false, '*/30 * * * *'),
  cj('fence-visa-update', 'fence', 'fence-visa-update-cron.yaml', 'FENCE_CONFIG.ENABLE_VISA_UPDATE_CRON', false, '30 * * * *'),
  cj('fence-cleanup-expired-ga4gh-info', 'fence', 'fence-cleanup-expired-ga4gh-info-cron.yaml', 'FENCE_CONFIG.ENABLE_VISA_UPDATE_CRON', false, '*/5 * * * *'),
  cj('google-verify-bucket-access-group', 'fence', 'google-cronjobs.yaml', 'googleCronJobs.enabled', false, '25 * * * *'),
  cj('google-manage-keys', 'fence', 'google-cronjobs.yaml', 'googleCronJobs.enabled', false, '20 * * * *'),
  cj('google-manage-account-access', 'fence', 'google-cronjobs.yaml', 'googleCronJobs.enabled', false, '15 * * * *'),
  cj('google-init-proxy-groups', 'fence', 'google-cronjobs.yaml', 'googleCronJobs.enabled', false, '5 * * * *'),
  cj('google-delete-expired-service-account', 'fence', 'google-cronjobs.yaml', 'googleCronJobs.enabled', false, '10 * * * *'),
  cj('google-delete-expired-access', 'fence', 'google-cronjobs.yaml', 'googleCronJobs.enabled', false, '*/5 * * * *'),
  // suspend: .Values.suspendCronjob, true by default.
  cj('metadata-aggregate-sync', 'metadata', 'agg-mds-sync.yaml', 'useAggMds', false, '0 0 1 1 */5', true),
  cj('audit-service-export', 'audit', 'audit-service-export-cron.yaml', 'auditServiceExport.enabled', false, '0 0 * * *'),
  cj('workspace-launch-test', 'hatchery', 'workspace-launch-test-cron.yaml', 'workspaceLaunchTest.enabled', false, '*/20 * * * *'),
];

/** Charts enabled in helm/gen3/values.yaml that render no Deployment (so no DCOC service names them). */
export const DEFAULT_ON_CHARTS_WITHOUT_SERVICE: readonly string[] = ['etl'];

/**
 * The CronJobs a commons has: those of its enabled charts whose condition is
 * on. `values` overrides conditions and chart switches by their umbrella path
 * ('fence.usersync.usersync': true, 'etl.enabled': false).
 */
export function renderedCronJobs(charts: readonly string[], values: Readonly<Record<string, boolean>> = {}): ChartCronJob[] {
  const enabled = (chart: string) => values[`${chart}.enabled`] ?? (charts.includes(chart) || DEFAULT_ON_CHARTS_WITHOUT_SERVICE.includes(chart));
  return GEN3_HELM_CRONJOBS.filter((c) => enabled(c.chart) && (!c.condition || (values[`${c.chart}.${c.condition}`] ?? c.defaultOn)));
}

// ---------------------------------------------------------------- schedules

/** One field of a five-field cron schedule: *, n, a-b, with /step, comma-separated. */
function fieldMatches(field: string, value: number, min: number, max: number): boolean {
  return field.split(',').some((part) => {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    if (!Number.isInteger(step) || step < 1) return false;
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) [lo, hi] = range.split('-').map(Number) as [number, number];
    else [lo, hi] = [Number(range), stepText ? max : Number(range)];
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) return false;
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** Whether a five-field schedule (UTC) fires at the minute starting at `t`. */
export function cronFiresAt(schedule: string, t: Date): boolean {
  const f = schedule.trim().split(/\s+/);
  if (f.length !== 5) return false;
  const [minute, hour, dom, month, dow] = f;
  const domOk = fieldMatches(dom, t.getUTCDate(), 1, 31);
  const dowOk = fieldMatches(dow, t.getUTCDay(), 0, 6) || (t.getUTCDay() === 0 && fieldMatches(dow, 7, 0, 7));
  // As cron: when both day fields are restricted, either one matching is enough.
  const dayOk = dom !== '*' && dow !== '*' ? domOk || dowOk : domOk && dowOk;
  return fieldMatches(minute, t.getUTCMinutes(), 0, 59) && fieldMatches(hour, t.getUTCHours(), 0, 23) && fieldMatches(month, t.getUTCMonth() + 1, 1, 12) && dayOk;
}

/** The latest time at or before `now` the schedule fired, looking back at most `withinMs`; null if none. */
export function lastFireTime(schedule: string, now: number, withinMs = 48 * 3_600_000): Date | null {
  const start = Math.floor(now / 60_000) * 60_000;
  for (let t = start; t >= start - withinMs; t -= 60_000) {
    const d = new Date(t);
    if (cronFiresAt(schedule, d)) return d;
  }
  return null;
}
