// The level of a pod's log line, for the severity of a log frame, as Grafana
// names levels (critical, error, warning, info, debug, trace, unknown): an
// explicit level=/"level": field first (logfmt, JSON), else the first level
// word in the line. Gen3 services log in both shapes and in plain text.
export type Severity = 'critical' | 'error' | 'warning' | 'info' | 'debug' | 'trace' | 'unknown';

const KEYED = /(?:^|[\s{,"'])(?:level|lvl|severity|levelname)["']?\s*[=:]\s*["']?([A-Za-z]+)/i;
const WORD = /\b(emerg|emergency|fatal|panic|alert|crit|critical|error|err|eror|warning|warn|info|information|informational|notice|debug|dbug|trace)\b/i;

const BY_WORD: Record<string, Severity> = {
  emerg: 'critical',
  emergency: 'critical',
  fatal: 'critical',
  panic: 'critical',
  alert: 'critical',
  crit: 'critical',
  critical: 'critical',
  error: 'error',
  err: 'error',
  eror: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  debug: 'debug',
  dbug: 'debug',
  trace: 'trace',
};

export function severityOf(line: string): Severity {
  const head = line.length > 2000 ? line.slice(0, 2000) : line;
  const keyed = KEYED.exec(head)?.[1]?.toLowerCase();
  if (keyed && BY_WORD[keyed]) return BY_WORD[keyed];
  const word = WORD.exec(head)?.[1]?.toLowerCase();
  return (word && BY_WORD[word]) || 'unknown';
}
