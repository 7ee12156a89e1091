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
  /** A rollout of this release to the window's commons at the start (empty: none), in waves. */
  rolloutRelease: string;
  rolloutTemplate: string;
  rolloutProfile: string;
  /** Waves after the canary, maximum commons deploying at once, soak seconds: numbers as typed (empty: the default). */
  rolloutWaves: string;
  rolloutMaxInFlight: string;
  rolloutSoakSeconds: string;
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
  rolloutRelease: '',
  rolloutTemplate: '',
  rolloutProfile: '',
  rolloutWaves: '',
  rolloutMaxInFlight: '',
  rolloutSoakSeconds: '',
  allowOverride: true,
};

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A number as typed, or absent when empty (a text that is no number goes to the server as it is, which names the field). */
const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s.trim()));

type ActionInput = NonNullable<WindowSpecInput['actions']>[number];

function rolloutOf(d: WindowDraft): ActionInput {
  const waves = Object.fromEntries(
    Object.entries({ waves: num(d.rolloutWaves), maxInFlight: num(d.rolloutMaxInFlight), soakSeconds: num(d.rolloutSoakSeconds) }).filter(([, v]) => v !== undefined),
  );
  return {
    kind: 'rollout',
    release: d.rolloutRelease.trim(),
    ...(d.rolloutTemplate.trim() ? { template: d.rolloutTemplate.trim() } : {}),
    ...(d.rolloutProfile.trim() ? { profile: d.rolloutProfile.trim() } : {}),
    ...(Object.keys(waves).length ? { waves } : {}),
  };
}

export function specOf(d: WindowDraft): WindowSpecInput {
  const actions: ActionInput[] = [];
  if (d.kind === 'maintenance') {
    if (list(d.restart).length) actions.push({ kind: 'restart', services: list(d.restart) });
    if (d.runJob.trim()) actions.push({ kind: 'run-job', cronjob: d.runJob.trim() });
    if (d.deployRelease.trim()) actions.push({ kind: 'deploy', release: d.deployRelease.trim() });
    if (d.rolloutRelease.trim()) actions.push(rolloutOf(d));
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
  const rollout = action('rollout');
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
    rolloutRelease: rollout?.release ?? '',
    rolloutTemplate: rollout?.template ?? '',
    rolloutProfile: rollout?.profile ?? '',
    rolloutWaves: rollout?.waves?.waves !== undefined ? String(rollout.waves.waves) : '',
    rolloutMaxInFlight: rollout?.waves?.maxInFlight !== undefined ? String(rollout.waves.maxInFlight) : '',
    rolloutSoakSeconds: rollout?.waves?.soakSeconds !== undefined ? String(rollout.waves.soakSeconds) : '',
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
