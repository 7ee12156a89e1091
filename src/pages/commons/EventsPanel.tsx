// Events of this commons received over Grafana Live since the page opened.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { LiveState } from '../../live/useLiveEvents';
import type { SequencedEvent } from '../../../contracts/events';
import { testIds } from '../../testIds';

function summary(e: SequencedEvent): string {
  switch (e.type) {
    case 'command.updated':
      return `${e.kind} ${e.service ?? ''}: ${e.state} ${e.percent}% ${e.message}`;
    case 'service.status':
      return `${e.service}: ${e.previous} → ${e.status}${e.reason ? ` (${e.reason})` : ''}`;
    case 'commons.status':
      return `commons: ${e.previous} → ${e.status}`;
    case 'agent.connected':
      return 'agent connected';
    case 'agent.disconnected':
      return `agent disconnected: ${e.reason}`;
    case 'deployment.updated':
      return `deployment revision ${e.revision}: ${e.state} ${e.percent}% ${e.message}`;
    default:
      return e.type;
  }
}

const LIVE_TEXT: Record<LiveState, string> = {
  off: 'Live updates off',
  connecting: 'Connecting to live updates…',
  connected: 'Live',
  unavailable: 'Live updates unavailable: refreshing periodically',
};

export function EventsPanel({ events, live }: { events: SequencedEvent[]; live: LiveState }) {
  const s = useStyles2(styles);
  return (
    <div data-testid={testIds.commons.events}>
      <p className={s.weak} data-testid={testIds.commons.liveState} data-live={live}>
        {LIVE_TEXT[live]}
      </p>
      {events.length === 0 ? (
        <p className={s.weak}>No events since this page opened.</p>
      ) : (
        <ul className={s.list}>
          {events.map((e, i) => (
            <li key={`${e.id ?? i}-${e.type}`}>
              <span className={s.weak}>{e.at ? new Date(e.at).toLocaleTimeString() : ''}</span> {summary(e)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0, maxHeight: 260, overflowY: 'auto', fontSize: theme.typography.bodySmall.fontSize }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
