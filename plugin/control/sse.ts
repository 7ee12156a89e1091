// Server-Sent Events (the text/event-stream format of the HTML standard),
// parsed by eventsource-parser; this adapter hands back, per decoded chunk,
// the events and comments it completed, so a reader can pull them in order
// (the relay needs comments too: keepalives and the end-of-replay mark).
import { createParser, type EventSourceParser } from 'eventsource-parser';

export interface SseEvent {
  /** The event's id, or "" when it had none. */
  id: string;
  /** The event type; "message" when unnamed. */
  event: string;
  data: string;
}

export type SseItem = { kind: 'event'; event: SseEvent } | { kind: 'comment'; text: string };

export class SseParser {
  private pending: SseItem[] = [];
  private readonly parser: EventSourceParser = createParser({
    onEvent: (e) => this.pending.push({ kind: 'event', event: { id: e.id ?? '', event: e.event || 'message', data: e.data } }),
    onComment: (text) => this.pending.push({ kind: 'comment', text: text.trim() }),
    // "retry" and unknown fields are ignored: the relay has its own backoff.
  });

  /** Feeds a decoded chunk; returns the events and comments it completed. */
  push(chunk: string): SseItem[] {
    this.parser.feed(chunk);
    const done = this.pending;
    this.pending = [];
    return done;
  }
}
