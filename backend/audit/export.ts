// The audit log as CSV (RFC 4180) or JSON Lines, one entry at a time, so an
// export of any size streams without holding the table in memory.
import { AUDIT_EXPORT_COLUMNS, type AuditExportEntry } from '../../contracts/compliance';
import type { AuditChainRow } from '../store/audit-store';

export type ExportFormat = 'csv' | 'jsonl';

export function exportEntry(r: AuditChainRow): AuditExportEntry {
  let detail: Record<string, unknown>;
  try {
    detail = JSON.parse(r.detail_json) as Record<string, unknown>;
  } catch {
    // A row edited by hand into something that is not JSON still exports (verify names it).
    detail = { unparsed: r.detail_json };
  }
  return {
    id: r.id,
    seq: r.seq == null ? null : Number(r.seq),
    at: r.at,
    actor: r.actor,
    actorKind: r.actor_kind,
    role: r.role,
    action: r.action,
    commons: r.commons_id,
    service: r.service,
    outcome: r.outcome,
    commandId: r.command_id,
    detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break (quotes
 * doubled). A cell a spreadsheet would run as a formula (starting with = + - @,
 * tab or carriage return) gets a leading ' first: an actor or reason typed by
 * someone else must not execute when an auditor opens the file.
 */
export function csvCell(value: unknown): string {
  let s = value == null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value as number | boolean);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvHeader = (): string => `${AUDIT_EXPORT_COLUMNS.join(',')}\r\n`;

export function csvLine(e: AuditExportEntry): string {
  return `${AUDIT_EXPORT_COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n`;
}

export const jsonLine = (e: AuditExportEntry): string => `${JSON.stringify(e)}\n`;

/** The export's text, piece by piece: the CSV header first, then one line per entry (at most `limit`). */
export async function* exportLines(rows: AsyncIterable<AuditChainRow>, format: ExportFormat, limit = Number.POSITIVE_INFINITY): AsyncGenerator<string> {
  if (format === 'csv') yield csvHeader();
  let n = 0;
  for await (const r of rows) {
    if (n++ >= limit) return;
    const e = exportEntry(r);
    yield format === 'csv' ? csvLine(e) : jsonLine(e);
  }
}
