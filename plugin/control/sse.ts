// A Server-Sent Events parser (the text/event-stream format of the HTML
// standard): lines of `field: value`, an empty line ends an event, lines
// starting with ":" are comments.

export interface SseEvent {
  /** The event's id, or "" when it had none. */
  id: string;
  /** The event type; "message" when unnamed. */
  event: string;
  data: string;
}

export type SseItem = { kind: 'event'; event: SseEvent } | { kind: 'comment'; text: string };

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private id = '';
  private event = '';

  /** Feeds a decoded chunk; returns the events and comments it completed. */
  push(chunk: string): SseItem[] {
    this.buffer += chunk;
    const out: SseItem[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone "\r" at the end may be the first half of "\r\n": wait for more.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: SseItem[]): void {
    if (line === '') {
      if (this.data.length) out.push({ kind: 'event', event: { id: this.id, event: this.event || 'message', data: this.data.join('\n') } });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).trim() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    // "retry" and unknown fields: ignored (the relay has its own backoff).
  }
}
