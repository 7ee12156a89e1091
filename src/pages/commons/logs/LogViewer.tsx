// A service's (or a Job's) pod logs, every replica merged with its pod name:
// a pod filter, follow on/off, the previous container, a time range, a text
// filter (applied by the agent), lines coloured by level, newest first, at
// most KEEP_LINES kept. @grafana/ui has no log row components (Grafana's
// LogRows live in Grafana core), so rows are drawn here with @grafana/ui
// primitives; "Open in Explore" shows the same query in Grafana's own log view.
import { css, cx } from '@emotion/css';
import { dateTimeFormat, LogLevel, type GrafanaTheme2 } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, InlineSwitch, Input, LinkButton, useStyles2 } from '@grafana/ui';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/QueryState';
import { toApiError } from '../../../api/errors';
import { useDcocDataSourceUid } from '../../../data/useDcocDataSource';
import { testIds } from '../../../testIds';
import { exploreLogsUrl } from './exploreUrl';
import { KEEP_LINES, type ShownLine } from './logBuffer';
import { logTargetParam, parseLogTarget, type LogTarget } from './target';
import { POLL_MS, useLogFeed, type FeedState } from './useLogFeed';

const RANGES = [
  { label: 'Last 5 minutes', value: '5' },
  { label: 'Last 15 minutes', value: '15' },
  { label: 'Last hour', value: '60' },
  { label: 'Last 6 hours', value: '360' },
  { label: 'Last 24 hours', value: '1440' },
];
const ROW_HEIGHT = 22;

const STATE_TEXT: Record<FeedState, string> = {
  paused: 'Not following',
  connecting: 'Connecting to live logs…',
  live: 'Following live',
  polling: `Following: reading new lines every ${POLL_MS / 1000} s (live logs unavailable)`,
};

export interface LogViewerProps {
  commons: string;
  services: string[];
  target: LogTarget | undefined;
  onTarget: (t: LogTarget) => void;
}

export function LogViewer({ commons, services, target, onTarget }: LogViewerProps) {
  const s = useStyles2(styles);
  const uid = useDcocDataSourceUid();
  const [pod, setPod] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [rangeMin, setRangeMin] = useState('60');
  const [filterText, setFilterText] = useState('');
  const [filter, setFilter] = useState('');
  const opts = { previous, rangeMs: Number(rangeMin) * 60_000, filter, follow: follow && !previous };
  const feed = useLogFeed(commons, target, opts);

  const targets = useMemo(() => {
    const list = services.map((name) => ({ label: name, value: `service:${name}` }));
    if (target?.kind === 'job') list.unshift({ label: `Job ${target.name}`, value: logTargetParam(target) });
    return list;
  }, [services, target]);
  const shown = useMemo(() => {
    const kept = pod ? feed.lines.filter((l) => l.pod === pod) : feed.lines;
    return [...kept].reverse();
  }, [feed.lines, pod]);
  const pods = useMemo(() => [...new Set([...feed.pods, ...feed.lines.map((l) => l.pod)])].sort(), [feed.pods, feed.lines]);

  const applyFilter = () => setFilter(filterText.trim());

  return (
    <div data-testid={testIds.commons.logs} className={s.viewer}>
      <InlineFieldRow>
        <InlineField label="Logs of" labelWidth={10}>
          <div data-testid={testIds.commons.logsTarget}>
            <Combobox
              width={30}
              placeholder="pick a service"
              options={targets}
              value={target ? logTargetParam(target) : null}
              onChange={(o) => {
                const t = parseLogTarget(o.value);
                if (t) {
                  setPod(null);
                  onTarget(t);
                }
              }}
            />
          </div>
        </InlineField>
        <InlineField label="Pod" labelWidth={6}>
          <div data-testid={testIds.commons.logsPod}>
            <Combobox width={34} isClearable placeholder="all pods" options={pods.map((p) => ({ label: p, value: p }))} value={pod} onChange={(o) => setPod(o?.value ?? null)} />
          </div>
        </InlineField>
        <InlineField label="Range" labelWidth={8}>
          <div data-testid={testIds.commons.logsRange}>
            <Combobox width={20} options={RANGES} value={rangeMin} onChange={(o) => setRangeMin(o.value)} />
          </div>
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Contains" labelWidth={10} tooltip="Only lines containing this text, ignoring case; the agent filters, so fewer lines travel. Press Enter to apply.">
          <Input
            width={30}
            data-testid={testIds.commons.logsFilter}
            value={filterText}
            placeholder="text in the line"
            maxLength={200}
            onChange={(e) => setFilterText(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Enter' && applyFilter()}
            onBlur={applyFilter}
          />
        </InlineField>
        <InlineSwitch
          data-testid={testIds.commons.logsFollow}
          label="Follow"
          showLabel
          value={follow && !previous}
          disabled={previous}
          onChange={(e) => setFollow(e.currentTarget.checked)}
        />
        <InlineSwitch
          data-testid={testIds.commons.logsPrevious}
          label="Previous container"
          showLabel
          value={previous}
          onChange={(e) => setPrevious(e.currentTarget.checked)}
        />
        {uid && target && (
          <LinkButton data-testid={testIds.commons.logsExplore} variant="secondary" fill="outline" icon="compass" href={exploreLogsUrl(uid, commons, target, opts)}>
            Open in Explore
          </LinkButton>
        )}
      </InlineFieldRow>
      {!target ? (
        <p className={s.weak}>Pick a service: its pods&apos; logs show here, every replica merged, newest first.</p>
      ) : (
        <>
          <p className={s.weak} data-testid={testIds.commons.logsState} data-state={feed.state}>
            {STATE_TEXT[feed.state]} · {shown.length} line{shown.length === 1 ? '' : 's'}
            {pod ? ` of ${pod}` : ` from ${pods.length} pod${pods.length === 1 ? '' : 's'}`} · the newest {KEEP_LINES} are kept
          </p>
          {feed.truncated && (
            <p className={s.warn} data-testid={testIds.commons.logsNotice}>
              Some lines were left out (a bound of lines, bytes or lines per second was reached): narrow the range or add a filter.
            </p>
          )}
          {feed.first.error ? (
            <ErrorAlert error={toApiError(feed.first.error)} action="Reading the logs" onRetry={() => void feed.first.refetch()} />
          ) : feed.first.isPending && feed.lines.length === 0 ? (
            <Loading text="Reading the logs…" />
          ) : (
            <LogRows lines={shown} />
          )}
          {!!feed.pollError && <ErrorAlert error={toApiError(feed.pollError)} action="Reading new lines" />}
        </>
      )}
    </div>
  );
}

function LogRows({ lines }: { lines: ShownLine[] }) {
  const s = useStyles2(styles);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  if (lines.length === 0) return <p className={s.weak}>No lines in this range{'—'}new ones show here as they are written.</p>;
  return (
    <div ref={scroller} className={s.scroller} role="log" aria-label="Log lines">
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((row) => {
          const l = lines[row.index];
          return (
            <div
              key={l.key}
              className={cx(s.row, s.level[l.level] ?? s.level.unknown)}
              style={{ transform: `translateY(${row.start}px)` }}
              data-testid={testIds.commons.logLine}
              data-pod={l.pod}
              data-level={l.level}
              data-time={l.time ?? ''}
              title={l.line}
            >
              <span className={s.time}>{l.time ? dateTimeFormat(l.time, { defaultWithMS: true }) : '—'}</span>
              <span className={s.pod}>{l.pod}</span>
              <span className={s.text}>{l.line}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

const styles = (theme: GrafanaTheme2) => {
  const bar = (color: string) => css({ borderLeft: `3px solid ${color}` });
  const color = (name: string) => theme.visualization.getColorByName(name);
  return {
    viewer: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
    weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, margin: 0 }),
    warn: css({ color: theme.colors.warning.text, fontSize: theme.typography.bodySmall.fontSize, margin: 0 }),
    scroller: css({ height: 420, overflow: 'auto', border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, background: theme.colors.background.canvas }),
    row: css({
      position: 'absolute',
      top: 0,
      left: 0,
      minWidth: '100%',
      height: ROW_HEIGHT,
      display: 'flex',
      gap: theme.spacing(1.5),
      alignItems: 'center',
      padding: theme.spacing(0, 1),
      fontFamily: theme.typography.fontFamilyMonospace,
      fontSize: theme.typography.bodySmall.fontSize,
      whiteSpace: 'pre',
    }),
    time: css({ color: theme.colors.text.secondary, flexShrink: 0 }),
    pod: css({ color: theme.colors.text.link, flexShrink: 0 }),
    text: css({ color: theme.colors.text.primary }),
    // Grafana's log level colours: critical purple, error red, warning yellow, info green, debug blue, trace light blue.
    level: {
      [LogLevel.critical]: bar(color('purple')),
      [LogLevel.error]: bar(color('red')),
      [LogLevel.warning]: bar(color('yellow')),
      [LogLevel.info]: bar(color('green')),
      [LogLevel.debug]: bar(color('blue')),
      [LogLevel.trace]: bar(color('light-blue')),
      [LogLevel.unknown]: bar(theme.colors.border.medium),
    } as Record<string, string>,
  };
};
