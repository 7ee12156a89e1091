// `dcoc-control serve`: runs the control service until SIGINT/SIGTERM. Its
// settings are environment variables only (backend/config/env.ts).
import { createLogger } from '../../lib/logger';
import { loadEnv } from '../config/env';
import { controlSettings } from '../config/settings';
import { startControlService } from '../server';
import { type Subcommand, UsageError } from './subcommand';

function help(): string {
  const rows = controlSettings().map((s) => `  ${s.name}${s.default === undefined ? '' : `=${s.default}`}\n      ${s.description}`);
  return [
    'dcoc-control serve: runs the control service (HTTP API, agent gateway, enrollment) until SIGINT or SIGTERM.',
    '',
    'Usage: dcoc-control [serve]',
    '',
    'Settings (environment variables; shown with their defaults):',
    ...rows,
    '',
    'Exit status: 0 stopped by a signal; 1 bad settings or failed to start (the log says why); 2 bad usage.',
    '',
  ].join('\n');
}

async function run(argv: string[]): Promise<number | undefined> {
  if (argv.length) throw new UsageError(`takes no arguments (settings are DCOC_* environment variables), got ${JSON.stringify(argv[0])}`);
  const log = createLogger('dcoc-control', undefined, { sync: false });
  try {
    const env = loadEnv();
    const svc = await startControlService(env, log);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      svc.stop().then(
        () => process.exit(0),
        (e: Error) => {
          log.error({ err: e }, 'unclean stop');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    return undefined;
  } catch (e) {
    log.fatal({ err: e }, (e as Error).message);
    return 1;
  }
}

export const serve: Subcommand = { name: 'serve', summary: 'run the control service', help, run };
