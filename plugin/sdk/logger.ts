// hclog-style JSON lines on stderr, which go-plugin (inside Grafana) parses and
// re-logs at the right level. Never stdout: its first line is the handshake.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these key/values to every line. */
  with(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** hclog `@module`; default "plugin". */
  module?: string;
  /** Lines below this level are dropped; default "debug". */
  level?: LogLevel;
  /** Where lines go; default process.stderr. */
  write?: (line: string) => void;
  now?: () => Date;
}

const rank: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/**
 * go-plugin parses `@timestamp` with layout 2006-01-02T15:04:05.000000Z07:00
 * and treats the whole line as plain text if that fails: exactly six
 * fractional digits are required, and JS gives three.
 */
export function hclogTimestamp(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const module = options.module ?? 'plugin';
  const min = rank[options.level ?? 'debug'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());

  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (rank[level] < min) return;
    const entry: LogFields = { '@level': level, '@message': message, '@module': module, '@timestamp': hclogTimestamp(now()) };
    for (const [k, v] of Object.entries({ ...bound, ...fields })) {
      if (!k.startsWith('@')) entry[k] = plain(v);
    }
    write(safeStringify(entry) + '\n');
  };

  return {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    with: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** Errors log as their message (and stack at the end), bigints as digits. */
function plain(v: unknown): unknown {
  if (v instanceof Error) return v.stack ?? v.message;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function safeStringify(entry: LogFields): string {
  try {
    return JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    // A cyclic or otherwise unserialisable field must not lose the message itself.
    return JSON.stringify({ ...pick(entry, ['@level', '@message', '@module', '@timestamp']), fields: '<unserialisable>' });
  }
}

function pick(o: LogFields, keys: string[]): LogFields {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
