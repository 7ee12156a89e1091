// The lines of the log viewer: a first read of the time range (getServiceLogs
// or getJobLogs), then, while following, every new line from the data
// source's Grafana Live stream, or, without Live (or for a Job, or a previous
// container, which have no stream), a poll every POLL_MS from the newest line
// seen. All merge into one bounded buffer (logBuffer.ts).
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LogsStreamEvent, LogsView } from '../../../../contracts/api';
import { ROUTES } from '../../../../contracts/routes';
import { request } from '../../../api/client';
import { keys } from '../../../data/keys';
import type { LiveState } from '../../../live/useLiveEvents';
import { useLiveLogs } from '../../../live/useLiveLogs';
import { mergeLines, newestTime, type ShownLine } from './logBuffer';
import type { LogTarget } from './target';

export const POLL_MS = 2_000;
/** How long Live may take to connect before the viewer polls instead. */
const LIVE_WAIT_MS = 5_000;
/** Lines per pod of the first read and of each poll. */
const READ_TAIL = 500;

export interface LogFeedOptions {
  previous: boolean;
  /** The first read goes back this far. */
  rangeMs: number;
  /** Server-side: only lines containing it. */
  filter: string;
  follow: boolean;
}

export type FeedState = 'paused' | 'live' | 'connecting' | 'polling';

function readLogs(commons: string, target: LogTarget, o: { previous: boolean; filter: string; since: string; tail: number }): Promise<LogsView> {
  const query = { since: o.since, tail: o.tail, filter: o.filter || undefined, previous: o.previous ? ('true' as const) : undefined };
  return target.kind === 'job'
    ? request(ROUTES.getJobLogs, { params: { id: commons, job: target.name }, query })
    : request(ROUTES.getServiceLogs, { params: { id: commons, service: target.name }, query });
}

export function useLogFeed(commons: string, target: LogTarget | undefined, o: LogFeedOptions) {
  const [lines, setLines] = useState<ShownLine[]>([]);
  const [pods, setPods] = useState<string[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [pollError, setPollError] = useState<unknown>(null);
  const linesRef = useRef(lines);
  linesRef.current = lines;

  const targetKey = target ? `${target.kind}:${target.name}` : '';
  const readKey = keys.logs(commons, targetKey, { previous: o.previous, rangeMs: o.rangeMs, filter: o.filter });
  const readKeyText = JSON.stringify(readKey);
  // A new target or new read options start an empty buffer.
  useEffect(() => {
    setLines([]);
    setPods([]);
    setTruncated(false);
    setPollError(null);
  }, [readKeyText]);

  const first = useQuery({
    queryKey: readKey,
    queryFn: () => readLogs(commons, target!, { previous: o.previous, filter: o.filter, since: new Date(Date.now() - o.rangeMs).toISOString(), tail: READ_TAIL }),
    enabled: !!target,
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    if (!first.data) return;
    setLines((prev) => mergeLines(prev, first.data.items));
    setPods(first.data.pods);
    setTruncated(first.data.truncated);
  }, [first.data]);

  const streamable = !!target && target.kind === 'service' && !o.previous;
  const onPacket = useCallback((p: LogsStreamEvent) => {
    setLines((prev) => mergeLines(prev, p.lines));
    if (p.pods) setPods(p.pods);
    if (p.truncated) setTruncated(true);
  }, []);
  const live: LiveState = useLiveLogs(o.follow && streamable ? { commons, service: target.name, filter: o.filter || undefined } : undefined, onPacket);

  // Live that stays connecting (off in this Grafana, a proxy dropping websockets) counts as unavailable.
  const [stalled, setStalled] = useState(false);
  useEffect(() => {
    setStalled(false);
    if (live !== 'connecting') return;
    const t = setTimeout(() => setStalled(true), LIVE_WAIT_MS);
    return () => clearTimeout(t);
  }, [live]);

  const polling = o.follow && !!target && (!streamable || live === 'unavailable' || (live === 'connecting' && stalled));
  useEffect(() => {
    if (!polling || !target) return;
    let stopped = false;
    const started = new Date().toISOString();
    const tick = async () => {
      try {
        const r = await readLogs(commons, target, { previous: o.previous, filter: o.filter, since: newestTime(linesRef.current) ?? started, tail: READ_TAIL });
        if (stopped) return;
        setLines((prev) => mergeLines(prev, r.items));
        setPods(r.pods);
        if (r.truncated) setTruncated(true);
        setPollError(null);
      } catch (err) {
        if (!stopped) setPollError(err);
      }
    };
    const timer = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // target is keyed by targetKey; the poll restarts when what it reads changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [polling, commons, targetKey, o.previous, o.filter]);

  const state: FeedState = !o.follow ? 'paused' : polling ? 'polling' : live === 'connected' ? 'live' : 'connecting';
  return { lines, pods, truncated, state, first, pollError, live };
}
