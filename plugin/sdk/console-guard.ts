// Stdout belongs to the go-plugin handshake: a stray console.log before it
// breaks the plugin's start ("Unrecognized remote plugin message"), and after
// it the text is silently discarded. Send console output to the logger instead.
import { format } from 'node:util';
import type { Logger } from './logger';

export function routeConsoleToLogger(logger: Logger): void {
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  target.log = (...args) => logger.info(format(...args), { source: 'console' });
  target.info = (...args) => logger.info(format(...args), { source: 'console' });
  target.debug = (...args) => logger.debug(format(...args), { source: 'console' });
  target.trace = (...args) => logger.trace(format(...args), { source: 'console' });
}
