// Store rows → API views of commands.
import type { CommandView } from '../../contracts/api';
import type { CommandEventRow, CommandRow } from '../store/store';

export function commandView(row: CommandRow, events: CommandEventRow[] = []): CommandView {
  return {
    id: row.id,
    kind: row.kind,
    commons: row.commons_id,
    service: row.service,
    target: JSON.parse(row.target_json) as Record<string, unknown>,
    state: row.state,
    message: row.message,
    percent: row.percent,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deadline: row.deadline,
    attempts: row.attempts,
    result: storedResult(row.result_json),
    progress: events.map((e) => ({ at: e.at, state: e.state, message: e.message, percent: e.percent })),
  };
}

/** A stored result, or null for none or for one that does not read (a row an older version stored unchecked). */
export function storedResult(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
