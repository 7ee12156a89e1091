// What the control service itself says its event buffer holds: GET
// /api/v1/events with Last-Event-ID just above 0 replays the whole buffer and
// marks the end of the replay with a ": connected" comment.
import { createParser } from 'eventsource-parser';
import { ADMIN_TOKEN, type TestFleet } from '../../support/fleet';

export interface ControlEventData {
  id: number;
  at: string;
  type: string;
  commons?: string;
  service?: string;
  command?: string;
  state?: string;
  [k: string]: unknown;
}

export async function bufferedControlEvents(fleet: TestFleet): Promise<ControlEventData[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 10_000);
  try {
    const res = await fetch(`${fleet.control.url}/api/v1/events`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, Accept: 'text/event-stream', 'Last-Event-ID': '0.5' },
      signal: ac.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`GET /api/v1/events: ${res.status}`);
    const decoder = new TextDecoder();
    const events: ControlEventData[] = [];
    let replayed = false;
    const parser = createParser({
      // Only the replay: events after the mark may arrive in the same chunk.
      onEvent: (e) => void (replayed || events.push(JSON.parse(e.data) as ControlEventData)),
      onComment: (text) => (replayed ||= text.trim() === 'connected'),
    });
    const reader = res.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (replayed) return events;
    }
    throw new Error('the event stream ended before its replay did');
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
