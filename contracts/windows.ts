// Maintenance windows and deny windows (change freezes) on a group of commons
// or a list of them, on a cron schedule read in an IANA time zone or once.
// A maintenance window, while it lasts, silences the commons' alerts, can
// switch Gen3's maintenance mode on (global.maintenanceMode, which revproxy
// serves) and runs its actions at its start; a deny window refuses changes
// to its commons unless an admin overrides it with a reason.
import { z } from 'zod';
import { GroupName } from './groups';
import { CommonsId, CronJobName, ServiceName } from './api';

const IsoTime = z.string();
const Instant = z.iso.datetime({ offset: true });

export const WindowKind = z.enum(['maintenance', 'deny']);
export type WindowKind = z.infer<typeof WindowKind>;

/** A saved group (resolved when the window starts or a change is checked), or commons by id. */
export const WindowTarget = z.union([z.strictObject({ group: GroupName }), z.strictObject({ commons: z.array(CommonsId).min(1).max(200) })]);
export type WindowTarget = z.infer<typeof WindowTarget>;

/** An IANA zone Intl knows (America/Chicago, Europe/Berlin, UTC). */
export const TimeZone = z.string().max(100).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone (America/Chicago, Europe/Berlin, UTC)');

export const MAX_WINDOW_MINUTES = 7 * 24 * 60;

/** Repeats: a 5-field cron expression for each start, read in the window's time zone, and how long each lasts. */
export const CronSchedule = z.strictObject({
  cron: z.string().trim().min(9).max(200),
  durationMinutes: z.number().int().min(1).max(MAX_WINDOW_MINUTES),
});

/** Once: from start to end. */
export const OnceSchedule = z
  .strictObject({ start: Instant, end: Instant })
  .refine((s) => Date.parse(s.end) > Date.parse(s.start), { path: ['end'], message: 'must be after start' })
  .refine((s) => Date.parse(s.end) - Date.parse(s.start) <= MAX_WINDOW_MINUTES * 60_000, { path: ['end'], message: `a window lasts at most ${MAX_WINDOW_MINUTES / 1440} days` });

export const Schedule = z.union([CronSchedule, OnceSchedule]);
export type Schedule = z.infer<typeof Schedule>;

/**
 * What a maintenance window does at its start, one entry each; `kind` picks
 * the action from backend/windows/actions.ts (a registry: rollouts and
 * backups add their kinds there and here).
 */
export const WindowAction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('restart'), services: z.array(ServiceName).min(1).max(50) }),
  z.strictObject({ kind: z.literal('run-job'), cronjob: CronJobName }),
  z.strictObject({ kind: z.literal('deploy'), release: z.string().min(1).max(100) }),
]);
export type WindowAction = z.infer<typeof WindowAction>;

export const WindowSpec = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    kind: WindowKind,
    target: WindowTarget,
    schedule: Schedule,
    timeZone: TimeZone.default('UTC'),
    /** Why (shown in refusals, silences and the audit log). */
    reason: z.string().trim().min(1, 'say why').max(2000),
    /** Maintenance: silence the commons' alerts in the Alertmanager while the window lasts. */
    silence: z.boolean().default(true),
    /** Maintenance: global.maintenanceMode "on" (revproxy serves the maintenance page) while the window lasts, through a values revision. */
    maintenanceMode: z.boolean().default(false),
    actions: z.array(WindowAction).max(20).default([]),
    /** Deny: whether an admin may push a change through with a reason (audited). */
    allowOverride: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    if (s.kind === 'deny' && (s.actions.length || s.maintenanceMode)) ctx.addIssue({ code: 'custom', path: [s.actions.length ? 'actions' : 'maintenanceMode'], message: 'a deny window changes nothing: actions and maintenance mode belong to maintenance windows' });
  });
export type WindowSpec = z.infer<typeof WindowSpec>;
export type WindowSpecInput = z.input<typeof WindowSpec>;

export const WindowPath = z.object({ id: z.uuid() });

export const Occurrence = z.object({ start: IsoTime, end: IsoTime });
export type Occurrence = z.infer<typeof Occurrence>;

/** One occurrence of a maintenance window as DCOC ran it. */
export const WindowRunView = z.object({
  start: IsoTime,
  end: IsoTime,
  state: z.enum(['starting', 'active', 'ended', 'cancelled']),
  startedAt: IsoTime,
  endedAt: IsoTime.nullable(),
  /** Started after its start time (DCOC was down, or the window was created inside it). */
  late: z.boolean(),
  commons: z.array(z.string()),
  silenceIds: z.array(z.string()),
  /** What each step did, one line each: silences, maintenance mode, actions (or why not). */
  results: z.array(z.string()),
});
export type WindowRunView = z.infer<typeof WindowRunView>;

export const WindowView = z.object({
  id: z.uuid(),
  spec: WindowSpec,
  createdBy: z.string(),
  updatedBy: z.string(),
  updatedAt: IsoTime,
  /** The occurrence in progress now, if any. */
  current: Occurrence.nullable(),
  /** The next starts (up to 5). */
  next: z.array(Occurrence),
  /** Recent runs, newest first (maintenance windows). */
  runs: z.array(WindowRunView),
});
export type WindowView = z.infer<typeof WindowView>;
export const WindowList = z.object({ items: z.array(WindowView) });

export const WindowListQuery = z.strictObject({ kind: WindowKind.optional(), commons: CommonsId.optional() });

/** GET /api/v1/windows/preview: the next starts of a cron schedule in a time zone (the form's preview). */
export const SchedulePreviewQuery = z.strictObject({
  cron: z.string().trim().min(9).max(200),
  timeZone: TimeZone.default('UTC'),
  durationMinutes: z.coerce.number().int().min(1).max(MAX_WINDOW_MINUTES).default(60),
  count: z.coerce.number().int().min(1).max(20).default(5),
});
export const SchedulePreview = z.object({
  timeZone: z.string(),
  /** Each start and end as an instant and as the wall clock in the zone (with its UTC offset). */
  items: z.array(z.object({ start: IsoTime, end: IsoTime, localStart: z.string(), localEnd: z.string() })),
});
export type SchedulePreview = z.infer<typeof SchedulePreview>;
