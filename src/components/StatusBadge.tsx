// A commons', service's, command's or deployment's state as a coloured badge.
import { Badge, type BadgeColor, type IconName } from '@grafana/ui';

const LOOK: Record<string, { color: BadgeColor; icon: IconName }> = {
  healthy: { color: 'green', icon: 'check-circle' },
  succeeded: { color: 'green', icon: 'check-circle' },
  connected: { color: 'green', icon: 'check-circle' },
  degraded: { color: 'orange', icon: 'exclamation-triangle' },
  running: { color: 'blue', icon: 'sync' },
  rolling: { color: 'blue', icon: 'sync' },
  committing: { color: 'blue', icon: 'clock-nine' },
  'waiting-for-agent': { color: 'orange', icon: 'plug' },
  pending: { color: 'darkgrey', icon: 'clock-nine' },
  done: { color: 'green', icon: 'check-circle' },
  dispatched: { color: 'blue', icon: 'arrow-right' },
  queued: { color: 'blue', icon: 'clock-nine' },
  down: { color: 'red', icon: 'times-circle' },
  failed: { color: 'red', icon: 'times-circle' },
  expired: { color: 'red', icon: 'clock-nine' },
  revoked: { color: 'red', icon: 'ban' },
  cancelled: { color: 'darkgrey', icon: 'ban' },
  disconnected: { color: 'darkgrey', icon: 'plug' },
  unknown: { color: 'darkgrey', icon: 'question-circle' },
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const look = LOOK[status] ?? LOOK.unknown;
  return <Badge text={status} color={look.color} icon={look.icon} data-testid={testId} />;
}
