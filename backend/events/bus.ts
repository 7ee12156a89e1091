// In-process event bus feeding the SSE stream (and through it Grafana Live).
// Each event gets a sequence number so a reconnecting client can say where it
// stopped (Last-Event-ID) and get what it missed from a short ring buffer.
import { EventEmitter } from 'node:events';
import type { DcocEvent, SequencedEvent } from '../../contracts/events';

export type { DcocEvent, SequencedEvent };

/** Where an event came from: this replica, or another one (through backend/cluster). */
export interface EventOrigin {
  remote: boolean;
}

const RING = 1000;
const LOCAL: EventOrigin = { remote: false };

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly ring: SequencedEvent[] = [];
  // Ids keep growing across restarts (they start from the clock), so a client's Last-Event-ID from before a
  // restart never hides events emitted after it.
  private seq = Date.now() * 1000;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: DcocEvent, origin: EventOrigin = LOCAL): SequencedEvent {
    const e = { ...event, id: ++this.seq, at: new Date().toISOString() } as SequencedEvent;
    this.ring.push(e);
    if (this.ring.length > RING) this.ring.shift();
    this.emitter.emit('event', e, origin);
    return e;
  }

  /** Events after `afterId` still in the buffer. */
  since(afterId: number): SequencedEvent[] {
    return this.ring.filter((e) => e.id > afterId);
  }

  subscribe(fn: (e: SequencedEvent, origin: EventOrigin) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}
