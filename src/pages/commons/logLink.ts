// Links that open the commons page's log viewer on one service's or one Job's
// pods: the commons page URL with `?logs=service:<name>` or `?logs=job:<name>`,
// the parameter the log viewer reads.
import { commonsUrl } from '../../constants';

/** The query parameter the commons page's log viewer reads. */
export const LOGS_PARAM = 'logs';

function logsHref(commonsId: string, kind: 'service' | 'job', name: string): string {
  // Readable as is (`?logs=job:usersync-29400420`): names are DNS labels; anything else is encoded.
  return `${commonsUrl(commonsId)}?${LOGS_PARAM}=${kind}:${encodeURIComponent(name)}`;
}

/** The commons page with the log viewer open on a service's pods. */
export function serviceLogsHref(commonsId: string, service: string): string {
  return logsHref(commonsId, 'service', service);
}

/** The commons page with the log viewer open on a Job's pods (one run of a CronJob). */
export function jobLogsHref(commonsId: string, job: string): string {
  return logsHref(commonsId, 'job', job);
}
