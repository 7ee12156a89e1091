// Structured JSON logs on stderr (stdout is left to the program's own output).
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level = process.env.DCOC_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
      // Credentials never reach the log, whatever a caller passes in.
      redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret', 'csr_pem', 'private_key'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
