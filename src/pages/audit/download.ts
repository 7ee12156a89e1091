// Audit exports through the app: the file is fetched through Grafana (the
// plugin forwards it, buffered: hence a cap, said when reached) and saved.
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { ROUTES } from '../../../contracts/routes';
import { resourcePath } from '../../api/client';
import { toApiError } from '../../api/errors';
import { RESOURCES_URL } from '../../constants';

/** The most entries one export through the app asks for (the plugin buffers what it forwards). */
export const EXPORT_CAP = 20_000;

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportQuery {
  format: ExportFormat;
  since?: string;
  until?: string;
  commons?: string;
  actor?: string;
  action?: string;
}

const MEDIA: Record<ExportFormat, string> = { csv: 'text/csv', jsonl: 'application/x-ndjson' };

/** Entries in an export: JSON Lines lines, or CSV records (a CRLF outside quotes ends one) less the header. */
export function countEntries(text: string, format: ExportFormat): number {
  if (format === 'jsonl') return text.split('\n').filter(Boolean).length;
  let records = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '\r' && text[i + 1] === '\n') records++;
  }
  return Math.max(0, records - 1);
}

/** Hands the text to the browser as a file download. */
export function saveFile(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Fetches and saves an export; how many entries it holds and whether the cap cut it. */
export async function exportAudit(q: ExportQuery, save = saveFile): Promise<{ entries: number; truncated: boolean }> {
  const params = Object.fromEntries(Object.entries({ ...q, limit: EXPORT_CAP }).filter(([, v]) => v !== undefined && v !== ''));
  let text: string;
  try {
    const res = await lastValueFrom(
      getBackendSrv().fetch<string>({ url: `${RESOURCES_URL}/${resourcePath(ROUTES.exportAudit)}`, method: 'GET', params, responseType: 'text', showErrorAlert: false, showSuccessAlert: false }),
    );
    text = typeof res.data === 'string' ? res.data : String(res.data);
  } catch (err) {
    // Asked for text, a problem+json refusal arrives as a string.
    const e = err as { data?: unknown };
    if (typeof e?.data === 'string') {
      try {
        e.data = JSON.parse(e.data) as unknown;
      } catch {
        // not JSON: toApiError shows the text
      }
    }
    throw toApiError(err);
  }
  const entries = countEntries(text, q.format);
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  save(text, `dcoc-audit-${stamp}.${q.format}`, MEDIA[q.format]);
  return { entries, truncated: entries >= EXPORT_CAP };
}
