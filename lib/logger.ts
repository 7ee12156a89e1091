// Structured JSON logs on stderr (stdout is left to the program's own output).
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * sync: false for a server with many clients (the control service): lines are
 * written without blocking the event loop when stderr's reader is slow (a
 * synchronous write to a full pipe spins until it drains, stalling every
 * stream the process serves); what is buffered is flushed when the process
 * exits, and lost only on SIGKILL.
 */
export function createLogger(name: string, level = process.env.DCOC_LOG_LEVEL ?? 'info', opts: { sync?: boolean } = {}): Logger {
  return pino(
    {
      name,
      level,
      // Credentials never reach the log, whatever a caller passes in.
      redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret', 'csr_pem', 'private_key'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: opts.sync ?? true }),
  );
}
