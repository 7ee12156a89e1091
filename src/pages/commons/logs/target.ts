// What the log viewer reads: a service's pods or a Job's, as the ?logs= query
// parameter names it (logLink.ts writes it).
import { JobName, ServiceName } from '../../../../contracts/api';

export type LogTarget = { kind: 'service'; name: string } | { kind: 'job'; name: string };

export const LOGS_PARAM = 'logs';

/** ?logs=service:<name> or ?logs=job:<name>; undefined for anything else. */
export function parseLogTarget(value: string | null): LogTarget | undefined {
  const m = /^(service|job):(.+)$/.exec(value ?? '');
  if (!m) return undefined;
  if (m[1] === 'service') return ServiceName.safeParse(m[2]).success ? { kind: 'service', name: m[2] } : undefined;
  return JobName.safeParse(m[2]).success ? { kind: 'job', name: m[2] } : undefined;
}

export function logTargetParam(t: LogTarget): string {
  return `${t.kind}:${t.name}`;
}
