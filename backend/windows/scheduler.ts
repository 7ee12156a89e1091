// Runs maintenance windows: on the sweeper replica, every tick, starts each
// occurrence in progress that has no run yet (claimed by its (window, start)
// key, so a restart or a second replica never starts it twice; one missed
// while DCOC was down starts late, if the window still lasts, and says so),
// and ends each run whose end has passed or whose window was deleted. Start:
// silence, maintenance mode on, actions; end: silence expired, maintenance
// mode off. Every start and end is audited before its effects; what each
// step did is kept on the run.
import type { Logger } from '../../lib/logger';
import type { Principal } from '../auth/principal';
import type { Actor } from '../audit/record';
import { auditEntry } from '../audit/record';
import type { WindowRunRow, WindowsStore } from '../store/windows-store';
import type { WindowActions } from './actions';
import type { MaintenanceMode } from './maintenance-mode';
import { type Span, current } from './schedule';
import type { WindowSilences } from './silences';
import { type Window, type Windows, windowOf } from './windows';

/** Later than this after its start, a run is recorded as started late. */
const LATE_MS = 60_000;
/** How often a silence the Alertmanager refused (or could not be reached for) is tried again while its run lasts. */
const SILENCE_RETRY_MS = 30_000;

export interface SchedulerDeps {
  store: WindowsStore;
  windows: Pick<Windows, 'list' | 'commonsOf'>;
  /** null: no Alertmanager configured (DCOC_ALERTMANAGER_URL); windows say they silenced nothing. */
  silences: WindowSilences | null;
  mode: Pick<MaintenanceMode, 'set'>;
  actions: Pick<WindowActions, 'run'>;
  log: Logger;
  /** The clock (tests set it). */
  now?: () => number;
}

const systemActor = (w: { id: string; spec: { name: string } }): Actor => ({ actor: `window:${w.spec.name}`, kind: 'system' });

export class WindowScheduler {
  private running = false;
  /** When each run's silence was last tried again, by window and start. */
  private readonly silenceTried = new Map<string, number>();

  constructor(private readonly d: SchedulerDeps) {}

  /** One pass; a pass still running is not overlapped. */
  async tick(nowMs = (this.d.now ?? Date.now)()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.endDue(nowMs);
      for (const w of await this.d.windows.list('maintenance')) {
        const span = current(w.spec.schedule, w.spec.timeZone, nowMs);
        if (span) await this.start(w, span, nowMs).catch((e: Error) => this.d.log.error({ err: e, window: w.id }, 'starting a maintenance window failed'));
      }
    } finally {
      this.running = false;
    }
  }

  private async start(w: Window, span: Span, nowMs: number): Promise<void> {
    const startsAt = new Date(span.startMs).toISOString();
    if (await this.d.store.getRun(w.id, startsAt)) return;
    const commons = await this.d.windows.commonsOf(w.spec.target);
    const late = nowMs - span.startMs > LATE_MS;
    const row: WindowRunRow = {
      window_id: w.id,
      starts_at: startsAt,
      ends_at: new Date(span.endMs).toISOString(),
      state: 'starting',
      started_at: new Date(nowMs).toISOString(),
      ended_at: null,
      late: late ? 1 : 0,
      commons_json: JSON.stringify(commons),
      silence_ids_json: '[]',
      maintenance_json: '[]',
      results_json: '[]',
    };
    const entry = auditEntry(systemActor(w), {
      action: 'window.start',
      outcome: 'succeeded',
      detail: { window: w.id, name: w.spec.name, start: row.starts_at, end: row.ends_at, commons, late, ...(late ? { lateBySeconds: Math.round((nowMs - span.startMs) / 1000) } : {}), author: w.author.actor },
    });
    if (!(await this.d.store.claimRun(row, entry))) return;
    this.d.log.info({ window: w.id, name: w.spec.name, start: row.starts_at, end: row.ends_at, commons, late }, 'maintenance window started');
    const results: string[] = [];
    if (late) results.push(`started late, ${Math.round((nowMs - span.startMs) / 1000)} s after its start (DCOC was not running, or the window was created during it)`);
    if (commons.length === 0) results.push('target names no commons now: nothing to do');
    const save = (set: Parameters<WindowsStore['updateRun']>[2] = {}) => this.d.store.updateRun(w.id, startsAt, { results_json: JSON.stringify(results), ...set });

    if (w.spec.silence && commons.length) {
      if (!this.d.silences) results.push('no silence: no Alertmanager configured (DCOC_ALERTMANAGER_URL)');
      else {
        try {
          const id = await this.d.silences.create({ id: w.id, name: w.spec.name, reason: w.spec.reason }, span, commons, nowMs);
          // Kept at once: whoever ends the run must find it.
          await save({ silence_ids_json: JSON.stringify([id]) });
          results.push(`silence ${id} for ${commons.join(', ')} until ${row.ends_at}`);
        } catch (e) {
          results.push(`no silence: ${(e as Error).message}`);
        }
      }
    }
    if (w.spec.maintenanceMode) {
      const switched: string[] = [];
      for (const c of commons) {
        const r = await this.d.mode.set(c, true, w.author, { id: w.id, name: w.spec.name, start: startsAt }, w.spec.reason).catch((e: Error) => ({ switched: false, line: `maintenance mode on on ${c} failed: ${e.message}` }));
        results.push(r.line);
        if (r.switched) switched.push(c);
        await save({ maintenance_json: JSON.stringify(switched) });
      }
    }
    for (const c of commons) {
      for (const a of w.spec.actions) results.push(await this.d.actions.run(a, { commons: c, window: { id: w.id, name: w.spec.name }, principal: w.author, reason: `${w.spec.reason} (maintenance window "${w.spec.name}")` }));
    }
    await save({ state: 'active' });
  }

  /** Ends the runs whose end has passed (ended) or whose window is gone (cancelled). */
  private async endDue(nowMs: number): Promise<void> {
    const open = await this.d.store.openRuns();
    if (open.length === 0) return;
    const live = new Map((await this.d.windows.list('maintenance')).map((w) => [w.id, w]));
    for (const run of open) {
      const w = live.get(run.window_id);
      if (w && Date.parse(run.ends_at) > nowMs) {
        await this.retrySilence(w, run, nowMs).catch((e: Error) => this.d.log.warn({ err: e, window: run.window_id }, 'trying the silence again failed'));
        continue;
      }
      this.silenceTried.delete(`${run.window_id}@${run.starts_at}`);
      await this.end(run, w ? 'ended' : 'cancelled', nowMs).catch((e: Error) => this.d.log.error({ err: e, window: run.window_id }, 'ending a maintenance window failed'));
    }
  }

  /** An active run whose silence could not be made at its start (the Alertmanager was down) tries again, every 30 s, until it has one. */
  private async retrySilence(w: Window, run: WindowRunRow, nowMs: number): Promise<void> {
    const commons = JSON.parse(run.commons_json) as string[];
    if (run.state !== 'active' || !w.spec.silence || !this.d.silences || commons.length === 0 || (JSON.parse(run.silence_ids_json) as string[]).length) return;
    const key = `${run.window_id}@${run.starts_at}`;
    if (nowMs - (this.silenceTried.get(key) ?? Date.parse(run.started_at)) < SILENCE_RETRY_MS) return;
    this.silenceTried.set(key, nowMs);
    const span = { startMs: Date.parse(run.starts_at), endMs: Date.parse(run.ends_at) };
    const id = await this.d.silences.create({ id: w.id, name: w.spec.name, reason: w.spec.reason }, span, commons, nowMs);
    this.silenceTried.delete(key);
    const results = [...(JSON.parse(run.results_json) as string[]), `silence ${id} for ${commons.join(', ')} until ${run.ends_at} (tried again at ${new Date(nowMs).toISOString()})`];
    await this.d.store.updateRun(run.window_id, run.starts_at, { silence_ids_json: JSON.stringify([id]), results_json: JSON.stringify(results) });
  }

  private async end(run: WindowRunRow, state: 'ended' | 'cancelled', nowMs: number): Promise<void> {
    const w = await this.windowEvenDeleted(run.window_id);
    const at = new Date(nowMs).toISOString();
    const entry = auditEntry(w ? systemActor(w) : { actor: 'window', kind: 'system' }, {
      action: 'window.end',
      outcome: 'succeeded',
      detail: { window: run.window_id, name: w?.spec.name, start: run.starts_at, end: run.ends_at, state, silences: JSON.parse(run.silence_ids_json) as string[] },
    });
    if (!(await this.d.store.finishRun(run.window_id, run.starts_at, ['starting', 'active'], { state, ended_at: at }, entry))) return;
    const results = JSON.parse(run.results_json) as string[];
    results.push(state === 'cancelled' ? `cancelled at ${at} (window deleted)` : `ended at ${at}`);
    for (const id of JSON.parse(run.silence_ids_json) as string[]) {
      if (!this.d.silences) continue;
      try {
        await this.d.silences.expire(id);
        results.push(`silence ${id} expired`);
      } catch (e) {
        results.push(`silence ${id} not expired: ${(e as Error).message} (it ends by itself at ${run.ends_at})`);
      }
    }
    if (w) {
      for (const c of JSON.parse(run.maintenance_json) as string[]) {
        const r = await this.d.mode.set(c, false, w.author, { id: w.id, name: w.spec.name, start: run.starts_at }, w.spec.reason).catch((e: Error) => ({ switched: false, line: `maintenance mode off on ${c} failed: ${e.message}; switch it off with a config change` }));
        results.push(r.line);
      }
    }
    await this.d.store.updateRun(run.window_id, run.starts_at, { results_json: JSON.stringify(results) });
    this.d.log.info({ window: run.window_id, start: run.starts_at, state }, 'maintenance window ended');
  }

  /**
   * Switches maintenance mode on for a commons once a policy's approval of it
   * is granted: only while the occurrence it was asked for still runs (after
   * its end it would stay on), recorded on the run so its end switches it off.
   */
  async replayMaintenanceMode(request: Record<string, unknown>, principal: Principal, approvalId: string): Promise<{ deployment?: string }> {
    const { commons, windowId, start } = request as { commons: string; windowId: string; start: string };
    const run = await this.d.store.getRun(windowId, start);
    const w = await this.windowEvenDeleted(windowId);
    if (!run || !w || !['starting', 'active'].includes(run.state) || Date.parse(run.ends_at) <= (this.d.now ?? Date.now)()) {
      throw new Error(`maintenance window ${w ? `"${w.spec.name}" ` : ''}(${windowId}) occurrence ${start} is over; maintenance mode was not switched on`);
    }
    const r = await this.d.mode.set(commons, true, principal, { id: windowId, name: w.spec.name, start }, w.spec.reason, approvalId);
    if (!r.switched) throw new Error(r.line);
    const fresh = (await this.d.store.getRun(windowId, start))!;
    const on = new Set(JSON.parse(fresh.maintenance_json) as string[]).add(commons);
    await this.d.store.updateRun(windowId, start, { maintenance_json: JSON.stringify([...on]), results_json: JSON.stringify([...(JSON.parse(fresh.results_json) as string[]), `${r.line} (approved in ${approvalId})`]) });
    return r.deployment ? { deployment: r.deployment } : {};
  }

  private async windowEvenDeleted(id: string): Promise<Window | undefined> {
    const row = await this.d.store.getAny(id);
    return row && windowOf(row);
  }
}
