// One log request's way from the platform's LogSource to the control service:
// the request's bounds applied here, on the agent (filter, until, lines, bytes,
// a cap per line, and for a follow request a rate bound), lines batched into
// LogChunks, and never more held than PENDING_MAX_BYTES while the stream is
// slow: what does not fit is dropped and the next chunk says truncated.
import { LOG_BYTES_MAX, LOG_FOLLOW_LINES_PER_S, LOG_LINES_MAX } from '../../contracts/api';
import type { LogChunkMsg, LogLineMsg, LogRequestMsg } from '../../contracts/agent-messages';
import type { LogLineFacts, LogSink } from './types';

/** A longer line is cut here and marked (a JSON blob, a base64 dump: no one reads past this in a log view). */
export const LINE_CAP_BYTES = 16 * 1024;
/** A chunk goes out at this size, or after FLUSH_MS. */
export const CHUNK_BYTES = 64 * 1024;
/** At most this many lines in one chunk (the gateway refuses more). */
export const CHUNK_LINES = 1000;
export const FLUSH_MS = 100;
/** Held while the stream to the control service is backed up; beyond it lines are dropped. */
export const PENDING_MAX_BYTES = 1024 * 1024;

export interface RelayOptions {
  request: LogRequestMsg;
  /** Sends a chunk up the stream; false when the stream is gone. */
  send(chunk: LogChunkMsg): boolean;
  /** The stream cannot take more now (its write buffer is full). */
  backedUp(): boolean;
  /** The request's line or byte bound is reached (not follow): the source can stop reading. */
  onFull?(): void;
  now?: () => number;
}

const cutMark = (dropped: number) => ` … [line cut: ${dropped} more bytes]`;

/** The text within LINE_CAP_BYTES, marked when cut. */
export function capLine(text: string): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= LINE_CAP_BYTES) return text;
  const kept = Buffer.from(text).subarray(0, LINE_CAP_BYTES).toString('utf8').replace(/\uFFFD$/, '');
  return kept + cutMark(bytes - Buffer.byteLength(kept));
}

export class LogRelay implements LogSink {
  private readonly id: string;
  private readonly filter: string;
  private readonly untilMs: number;
  private readonly follow: boolean;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private pending: LogLineMsg[] = [];
  private pendingBytes = 0;
  private podsToSend: string[] | null = null;
  private lastPods = '';
  private truncatedSinceSent = false;
  private everTruncated = false;
  private lineCount = 0;
  private byteCount = 0;
  private full = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Follow: tokens of the rate bound; the first pods() adds the tail allowance (tail_lines of each pod). */
  private tokens: number;
  private allowanceGiven = false;
  private refilledAt: number;

  constructor(private readonly o: RelayOptions) {
    const r = o.request;
    this.id = r.id;
    this.filter = (r.filter ?? '').toLowerCase();
    this.untilMs = Number(r.until_ms) || 0;
    this.follow = r.follow;
    this.maxLines = Math.min(r.max_lines > 0 ? r.max_lines : LOG_LINES_MAX, LOG_LINES_MAX);
    this.maxBytes = Math.min(Number(r.max_bytes) > 0 ? Number(r.max_bytes) : LOG_BYTES_MAX, LOG_BYTES_MAX);
    this.now = o.now ?? Date.now;
    this.tokens = LOG_FOLLOW_LINES_PER_S;
    this.refilledAt = this.now();
  }

  get truncated(): boolean {
    return this.everTruncated;
  }

  pods(names: string[]): void {
    if (this.stopped) return;
    if (this.follow && !this.allowanceGiven) {
      // The tail a follow request starts with is not held to the rate bound (at most max_lines).
      this.allowanceGiven = true;
      this.tokens += Math.min(this.maxLines, Math.max(0, this.o.request.tail_lines) * names.length);
    }
    const key = names.join('\n');
    if (key === this.lastPods) return;
    this.lastPods = key;
    this.podsToSend = [...names];
    this.schedule();
  }

  lines(batch: LogLineFacts[]): void {
    if (this.stopped) return;
    for (const l of batch) {
      if (this.untilMs && l.timeMs && l.timeMs >= this.untilMs) continue;
      if (this.filter && !l.text.toLowerCase().includes(this.filter)) continue;
      this.take(l);
      // A full chunk goes out now, so a large batch (a long tail) is not held whole.
      if (this.pendingBytes >= CHUNK_BYTES || this.pending.length >= CHUNK_LINES) this.flush();
      if (this.stopped) return;
    }
    this.schedule();
  }

  private dropped(): void {
    this.truncatedSinceSent = true;
    this.everTruncated = true;
  }

  private take(l: LogLineFacts): void {
    const text = capLine(l.text);
    const size = Buffer.byteLength(text) + l.pod.length + l.container.length + 16;
    if (this.follow) {
      if (!this.token()) return this.dropped();
    } else if (this.full || this.lineCount + 1 > this.maxLines || this.byteCount + size > this.maxBytes) {
      this.dropped();
      if (!this.full) {
        this.full = true;
        this.o.onFull?.();
      }
      return;
    }
    if (this.pendingBytes + size > PENDING_MAX_BYTES) return this.dropped();
    this.lineCount++;
    this.byteCount += size;
    this.pending.push({ pod: l.pod, container: l.container, time_ms: l.timeMs, text });
    this.pendingBytes += size;
  }

  /** Token bucket of LOG_FOLLOW_LINES_PER_S; holds at most one second's lines once the initial allowance is spent. */
  private token(): boolean {
    const now = this.now();
    const cap = LOG_FOLLOW_LINES_PER_S;
    if (this.tokens < cap) this.tokens = Math.min(cap, this.tokens + ((now - this.refilledAt) * LOG_FOLLOW_LINES_PER_S) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, FLUSH_MS);
  }

  /** Sends what is pending, in chunks, unless the stream is backed up (then it waits for the next tick). */
  private flush(final = false): boolean {
    if (this.stopped) return false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.o.backedUp()) {
      if (!final) this.schedule();
      return false;
    }
    while (this.pending.length || this.podsToSend || this.truncatedSinceSent) {
      const batch: LogLineMsg[] = [];
      let size = 0;
      while (this.pending.length && batch.length < CHUNK_LINES) {
        const l = this.pending[0];
        const s = Buffer.byteLength(l.text) + l.pod.length + l.container.length + 16;
        if (batch.length && size + s > CHUNK_BYTES) break;
        batch.push(this.pending.shift()!);
        size += s;
      }
      this.pendingBytes = Math.max(0, this.pendingBytes - size);
      const chunk: LogChunkMsg = { id: this.id, lines: batch, pods: this.podsToSend ?? [], done: false, error: '', truncated: this.truncatedSinceSent };
      this.podsToSend = null;
      this.truncatedSinceSent = false;
      if (!this.o.send(chunk)) {
        this.stop();
        return false;
      }
      if (this.o.backedUp() && this.pending.length) {
        if (!final) this.schedule();
        return false;
      }
    }
    return true;
  }

  /**
   * Ends the request: what is pending goes out (waiting while the stream is
   * backed up), then `done`, or `error` when the source failed.
   */
  async end(error?: string): Promise<void> {
    while (!this.stopped && !this.flush(true)) await new Promise((r) => setTimeout(r, FLUSH_MS));
    if (this.stopped) return;
    this.stop();
    this.o.send({ id: this.id, lines: [], pods: [], done: !error, error: error ?? '', truncated: this.everTruncated });
  }

  /** Stopped (stop_logs, the stream closed, or ended): nothing more is sent, nothing held. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
