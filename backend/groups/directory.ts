// Which commons a label selector or a saved group picks, and a commons'
// labels: the automatic ones (commons, environment) from what DCOC knows of
// it, and those operators set. Every fleet operation resolves its target here.
// Reads go to the store each time, so every replica sees the same groups.
import type { Actor } from '../audit/record';
import { auditEntry } from '../audit/record';
import { NotFound } from '../domain/errors';
import type { Fleet } from '../fleet/fleet';
import type { GroupRow, GroupsStore } from '../store/groups-store';
import { type GroupSpec, type GroupView, type LabelSelector, LabelSelector as SelectorSchema, commonsLabels, formatSelector, selectorMatches } from '../../contracts/groups';

export class GroupDirectory {
  constructor(
    private readonly store: GroupsStore,
    private readonly fleet: Pick<Fleet, 'all' | 'get'>,
  ) {}

  /** Every known commons' labels, by id. */
  async allLabels(): Promise<Map<string, Record<string, string>>> {
    const custom = await this.store.customLabels();
    return new Map(this.fleet.all().map((c) => [c.id, commonsLabels(c, custom.get(c.id) ?? {})]));
  }

  /** A commons' labels, the automatic ones included; NotFound for an unknown commons. */
  async labelsOf(commonsId: string): Promise<Record<string, string>> {
    const c = this.fleet.get(commonsId);
    if (!c) throw new NotFound(`commons ${commonsId}`);
    return commonsLabels(c, (await this.store.customLabels(commonsId)).get(commonsId) ?? {});
  }

  async customLabelsOf(commonsId: string): Promise<Record<string, string>> {
    return (await this.store.customLabels(commonsId)).get(commonsId) ?? {};
  }

  /** The commons the selector picks, by id, sorted. */
  async matching(selector: LabelSelector): Promise<string[]> {
    return pick(await this.allLabels(), selector);
  }

  async getGroup(name: string): Promise<GroupView | undefined> {
    const row = await this.store.getGroup(name);
    return row && this.view(row, await this.allLabels());
  }

  async listGroups(): Promise<GroupView[]> {
    const [rows, labels] = await Promise.all([this.store.listGroups(), this.allLabels()]);
    return rows.map((r) => this.view(r, labels));
  }

  /** The commons of a saved group; NotFound naming the group when there is none. */
  async commonsIn(groupName: string): Promise<string[]> {
    const row = await this.store.getGroup(groupName);
    if (!row) throw new NotFound(`group ${groupName}`);
    return pick(await this.allLabels(), selectorOf(row));
  }

  /** The saved groups a commons is in, by name. */
  async groupsOf(commonsId: string): Promise<string[]> {
    const [rows, labels] = await Promise.all([this.store.listGroups(), this.labelsOf(commonsId)]);
    return rows.filter((r) => selectorMatches(selectorOf(r), labels)).map((r) => r.name);
  }

  /** Creates or replaces a group, audited; whether it was created. */
  async putGroup(name: string, spec: GroupSpec, who: Actor): Promise<{ created: boolean; group: GroupView }> {
    const row: GroupRow = { name, description: spec.description, selector_json: JSON.stringify(spec.selector), updated_by: who.actor, updated_at: new Date().toISOString() };
    const created = await this.store.putGroup(row, auditEntry(who, { action: 'group.put', outcome: 'succeeded', detail: { group: name, selector: formatSelector(spec.selector) } }));
    return { created, group: this.view(row, await this.allLabels()) };
  }

  async deleteGroup(name: string, who: Actor): Promise<void> {
    const row = await this.store.getGroup(name);
    if (!row) throw new NotFound(`group ${name}`);
    await this.store.deleteGroup(name, auditEntry(who, { action: 'group.delete', outcome: 'succeeded', detail: { group: name, selector: formatSelector(selectorOf(row)) } }));
  }

  /** Replaces a commons' custom labels, audited with what changed. */
  async setLabels(commonsId: string, labels: Record<string, string>, who: Actor): Promise<void> {
    if (!this.fleet.get(commonsId)) throw new NotFound(`commons ${commonsId}`);
    const before = await this.customLabelsOf(commonsId);
    const keys = [...new Set([...Object.keys(before), ...Object.keys(labels)])].filter((k) => before[k] !== labels[k]).sort();
    await this.store.setLabels(commonsId, labels, auditEntry(who, { action: 'commons.labels', outcome: 'succeeded', commons: commonsId, detail: { changed: Object.fromEntries(keys.map((k) => [k, { from: before[k] ?? null, to: labels[k] ?? null }])) } }));
  }

  private view(row: GroupRow, labels: Map<string, Record<string, string>>): GroupView {
    const selector = selectorOf(row);
    return { name: row.name, description: row.description, selector, selectorText: formatSelector(selector), commons: pick(labels, selector), updatedBy: row.updated_by, updatedAt: row.updated_at };
  }
}

function selectorOf(row: GroupRow): LabelSelector {
  return SelectorSchema.parse(JSON.parse(row.selector_json));
}

function pick(labels: Map<string, Record<string, string>>, selector: LabelSelector): string[] {
  return [...labels].filter(([, l]) => selectorMatches(selector, l)).map(([id]) => id).sort();
}
