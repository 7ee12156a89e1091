// The window form's state as the user types it, and the spec it saves: one
// place that turns text fields (comma lists, minutes) into a WindowSpec.
import type { WindowAction, WindowSpecInput, WindowView } from '../../../contracts/windows';

export interface WindowDraft {
  id?: string;
  name: string;
  kind: 'maintenance' | 'deny';
  targetKind: 'group' | 'commons';
  group: string;
  /** Commons ids, comma-separated. */
  commons: string;
  scheduleKind: 'cron' | 'once';
  cron: string;
  durationMinutes: string;
  /** ISO 8601 instants with an offset: 2026-12-24T18:00:00Z. */
  start: string;
  end: string;
  timeZone: string;
  reason: string;
  silence: boolean;
  maintenanceMode: boolean;
  /** Services to restart at the start, comma-separated. */
  restart: string;
  runJob: string;
  deployRelease: string;
  allowOverride: boolean;
}

export const EMPTY_WINDOW: WindowDraft = {
  name: '',
  kind: 'maintenance',
  targetKind: 'group',
  group: '',
  commons: '',
  scheduleKind: 'cron',
  cron: '0 2 * * sun',
  durationMinutes: '120',
  start: '',
  end: '',
  timeZone: 'UTC',
  reason: '',
  silence: true,
  maintenanceMode: false,
  restart: '',
  runJob: '',
  deployRelease: '',
  allowOverride: true,
};

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function specOf(d: WindowDraft): WindowSpecInput {
  const actions: WindowAction[] = [];
  if (d.kind === 'maintenance') {
    if (list(d.restart).length) actions.push({ kind: 'restart', services: list(d.restart) });
    if (d.runJob.trim()) actions.push({ kind: 'run-job', cronjob: d.runJob.trim() });
    if (d.deployRelease.trim()) actions.push({ kind: 'deploy', release: d.deployRelease.trim() });
  }
  return {
    name: d.name.trim(),
    kind: d.kind,
    target: d.targetKind === 'group' ? { group: d.group } : { commons: list(d.commons) },
    schedule: d.scheduleKind === 'cron' ? { cron: d.cron.trim(), durationMinutes: Number(d.durationMinutes) } : { start: d.start.trim(), end: d.end.trim() },
    timeZone: d.timeZone,
    reason: d.reason.trim(),
    silence: d.kind === 'maintenance' && d.silence,
    maintenanceMode: d.kind === 'maintenance' && d.maintenanceMode,
    actions,
    allowOverride: d.allowOverride,
  };
}

export function draftOf(w: WindowView): WindowDraft {
  const s = w.spec;
  const action = <K extends WindowAction['kind']>(k: K) => s.actions.find((a): a is Extract<WindowAction, { kind: K }> => a.kind === k);
  return {
    id: w.id,
    name: s.name,
    kind: s.kind,
    targetKind: 'group' in s.target ? 'group' : 'commons',
    group: 'group' in s.target ? s.target.group : '',
    commons: 'commons' in s.target ? s.target.commons.join(', ') : '',
    scheduleKind: 'cron' in s.schedule ? 'cron' : 'once',
    cron: 'cron' in s.schedule ? s.schedule.cron : '',
    durationMinutes: 'cron' in s.schedule ? String(s.schedule.durationMinutes) : '60',
    start: 'start' in s.schedule ? s.schedule.start : '',
    end: 'end' in s.schedule ? s.schedule.end : '',
    timeZone: s.timeZone,
    reason: s.reason,
    silence: s.silence,
    maintenanceMode: s.maintenanceMode,
    restart: action('restart')?.services.join(', ') ?? '',
    runJob: action('run-job')?.cronjob ?? '',
    deployRelease: action('deploy')?.release ?? '',
    allowOverride: s.allowOverride,
  };
}

/** "Sundays… (cron 0 2 * * sun, 120 min, America/Chicago)" or the one-off span. */
export function scheduleText(w: WindowView): string {
  const s = w.spec.schedule;
  return 'cron' in s ? `cron ${s.cron}, ${s.durationMinutes} min, ${w.spec.timeZone}` : `once, ${s.start} → ${s.end}`;
}

export function targetText(w: WindowView): string {
  return 'group' in w.spec.target ? `group ${w.spec.target.group}` : w.spec.target.commons.join(', ');
}
