// A timestamp as "3 minutes ago", with the exact time on hover.
import { dateTimeFormat, dateTimeFormatTimeAgo } from '@grafana/data';

export function TimeAgo({ at, never = 'never' }: { at: string | null | undefined; never?: string }) {
  if (!at) return <span>{never}</span>;
  return <span title={dateTimeFormat(at)}>{dateTimeFormatTimeAgo(at)}</span>;
}
