// Maintenance and deny windows: create, replace, delete (audited with their
// effect), read with their current and next occurrences and recent runs, and
// which commons a window covers now.
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { auditEntry } from '../audit/record';
import { Invalid, NotFound } from '../domain/errors';
import type { GroupDirectory } from '../groups/directory';
import type { WindowRow, WindowRunRow, WindowsStore } from '../store/windows-store';
import { type WindowRunView, WindowSpec, type WindowTarget, type WindowView } from '../../contracts/windows';
import { type Span, current, occurrence, scheduleProblem, upcoming } from './schedule';

export interface Window {
  id: string;
  spec: WindowSpec;
  /** Whose role the window's scheduled changes act with. */
  author: Principal;
  row: WindowRow;
}

export function windowOf(row: WindowRow): Window {
  return { id: row.id, spec: WindowSpec.parse(JSON.parse(row.spec_json)), author: JSON.parse(row.author_json) as Principal, row };
}

const describe = (s: WindowSpec) => ({ name: s.name, kind: s.kind, target: s.target, schedule: s.schedule, timeZone: s.timeZone, reason: s.reason });

export class Windows {
  constructor(
    private readonly store: WindowsStore,
    private readonly groups: Pick<GroupDirectory, 'commonsIn'>,
    private readonly now: () => number = Date.now,
  ) {}

  private checked(spec: WindowSpec): void {
    const bad = scheduleProblem(spec.schedule, spec.timeZone, this.now());
    if (bad) throw new Invalid('Invalid schedule', [bad], bad.message);
  }

  async create(spec: WindowSpec, p: Principal): Promise<WindowView> {
    this.checked(spec);
    const at = new Date().toISOString();
    const row: WindowRow = {
      id: randomUUID(),
      name: spec.name,
      kind: spec.kind,
      spec_json: JSON.stringify(spec),
      created_by: p.actor,
      author_json: JSON.stringify({ actor: p.actor, kind: p.kind, role: p.role }),
      updated_by: p.actor,
      updated_at: at,
      deleted_at: null,
    };
    await this.store.create(row, auditEntry(p, { action: 'window.create', outcome: 'succeeded', detail: { window: row.id, ...describe(spec) } }));
    return this.view(windowOf(row));
  }

  async replace(id: string, spec: WindowSpec, p: Principal): Promise<WindowView> {
    this.checked(spec);
    const set = { name: spec.name, kind: spec.kind, spec_json: JSON.stringify(spec), updated_by: p.actor, updated_at: new Date().toISOString() };
    if (!(await this.store.update(id, set, auditEntry(p, { action: 'window.update', outcome: 'succeeded', detail: { window: id, ...describe(spec) } })))) throw new NotFound(`window ${id}`);
    return this.view(await this.get(id));
  }

  /** Deletes a window; a run in progress is ended by the scheduler at its next tick (silence expired, maintenance mode off). */
  async delete(id: string, p: Principal): Promise<void> {
    const w = await this.get(id);
    if (!(await this.store.delete(id, new Date().toISOString(), auditEntry(p, { action: 'window.delete', outcome: 'succeeded', detail: { window: id, ...describe(w.spec) } })))) throw new NotFound(`window ${id}`);
  }

  async get(id: string): Promise<Window> {
    const row = await this.store.get(id);
    if (!row) throw new NotFound(`window ${id}`);
    return windowOf(row);
  }

  async list(kind?: 'maintenance' | 'deny'): Promise<Window[]> {
    return (await this.store.list(kind)).map(windowOf);
  }

  /** The commons a target names now: a group's are resolved each time (none if the group was deleted). */
  async commonsOf(target: WindowTarget): Promise<string[]> {
    if ('commons' in target) return [...target.commons];
    try {
      return await this.groups.commonsIn(target.group);
    } catch (e) {
      if (e instanceof NotFound) return [];
      throw e;
    }
  }

  /** The deny windows in effect for a commons at `nowMs`, each with the occurrence in progress. */
  async activeDeny(commonsId: string, nowMs = this.now()): Promise<{ window: Window; span: Span }[]> {
    const out: { window: Window; span: Span }[] = [];
    for (const w of await this.list('deny')) {
      const span = current(w.spec.schedule, w.spec.timeZone, nowMs);
      if (span && (await this.commonsOf(w.spec.target)).includes(commonsId)) out.push({ window: w, span });
    }
    return out;
  }

  async view(w: Window, nowMs = this.now()): Promise<WindowView> {
    const cur = current(w.spec.schedule, w.spec.timeZone, nowMs);
    const runs = w.spec.kind === 'maintenance' ? await this.store.runsOf(w.id) : [];
    return {
      id: w.id,
      spec: w.spec,
      createdBy: w.row.created_by,
      updatedBy: w.row.updated_by,
      updatedAt: w.row.updated_at,
      current: cur ? occurrence(cur) : null,
      next: upcoming(w.spec.schedule, w.spec.timeZone, nowMs, 5).map(occurrence),
      runs: runs.map(runView),
    };
  }
}

export function runView(r: WindowRunRow): WindowRunView {
  return {
    start: r.starts_at,
    end: r.ends_at,
    state: r.state as WindowRunView['state'],
    startedAt: r.started_at,
    endedAt: r.ended_at,
    late: r.late === 1,
    commons: JSON.parse(r.commons_json) as string[],
    silenceIds: JSON.parse(r.silence_ids_json) as string[],
    results: JSON.parse(r.results_json) as string[],
  };
}
