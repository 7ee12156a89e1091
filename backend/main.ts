// `dcoc-control`: runs the control service until SIGINT/SIGTERM.
import { loadEnv } from './config/env';
import { createLogger } from '../lib/logger';
import { startControlService } from './server';

const log = createLogger('dcoc-control');
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
} catch (e) {
  log.fatal({ err: e }, (e as Error).message);
  process.exit(1);
}
