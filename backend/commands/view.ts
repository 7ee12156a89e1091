// Store rows → API views of commands.
import type { CommandKind, CommandState, CommandView } from '../contracts/api';
import type { CommandEventRow, CommandRow } from '../store/store';

export function commandView(row: CommandRow, events: CommandEventRow[] = []): CommandView {
  return {
    id: row.id,
    kind: row.kind as CommandKind,
    commons: row.commons_id,
    service: row.service,
    target: JSON.parse(row.target_json) as Record<string, unknown>,
    state: row.state as CommandState,
    message: row.message,
    percent: row.percent,
    actor: row.actor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deadline: row.deadline,
    attempts: row.attempts,
    result: row.result_json ? (JSON.parse(row.result_json) as Record<string, unknown>) : null,
    progress: events.map((e) => ({ at: e.at, state: e.state as CommandState, message: e.message, percent: e.percent })),
  };
}
