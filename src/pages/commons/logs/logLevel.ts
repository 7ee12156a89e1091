// The level of a log line, by @grafana/data's LogLevel names (critical,
// error, warning, info, debug, trace): an explicit level=/"level": field
// first (logfmt, JSON), else the first level word in the line.
// Grafana's own detector (getLogLevel) lives in Grafana core, not in a package.
import { LogLevel } from '@grafana/data';

const WORDS = Object.keys(LogLevel).filter((k) => k !== 'unknown' && k !== 'unspecified');
const KEYED = /(?:^|[\s{,"'])(?:level|lvl|severity|levelname)["']?\s*[=:]\s*["']?([A-Za-z]+)/i;
const WORD = new RegExp(`\\b(${WORDS.join('|')})\\b`, 'i');

function canonical(word: string | undefined): LogLevel | undefined {
  if (!word) return undefined;
  const key = word.toLowerCase();
  return WORDS.includes(key) ? LogLevel[key as keyof typeof LogLevel] : undefined;
}

export function levelOf(line: string): LogLevel {
  const head = line.length > 2000 ? line.slice(0, 2000) : line;
  return canonical(KEYED.exec(head)?.[1]) ?? canonical(WORD.exec(head)?.[1]) ?? LogLevel.unknown;
}
