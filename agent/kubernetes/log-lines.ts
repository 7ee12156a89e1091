// The lines of a pods/log answer read with timestamps=true: each starts with
// the runtime's RFC 3339 time with nanoseconds ("2026-11-24T08:00:00.123456789Z
// text"), as the kubelet writes them (RFC3339NanoFixed, k8s.io/cri-client
// pkg/logs). Split from a byte stream, times parsed.

/** A line longer than this is cut (a runaway line must not grow the agent's memory). */
export const LINE_CHARS_MAX = 64 * 1024;

export interface TimedLine {
  /** The timestamp as written, fraction padded to 9 digits, so two compare as strings; '' when the line had none. */
  ts: string;
  timeMs: number;
  text: string;
}

const STAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) (.*)$/s;

/** One line of a pods/log answer; a line with no timestamp keeps all its text, timeMs 0. */
export function parseStampedLine(line: string): TimedLine {
  const m = STAMPED.exec(line);
  if (!m) return { ts: '', timeMs: 0, text: line };
  const [, secs, frac = '', zone, text] = m;
  const timeMs = Date.parse(`${secs}.${frac.padEnd(3, '0').slice(0, 3)}${zone}`);
  if (!Number.isFinite(timeMs)) return { ts: '', timeMs: 0, text: line };
  // Normalised to UTC so that string order is time order across zones.
  const ts = `${new Date(timeMs).toISOString().slice(0, 19)}.${frac.padEnd(9, '0')}Z`;
  return { ts: zone === 'Z' ? `${secs}.${frac.padEnd(9, '0')}Z` : ts, timeMs, text };
}

/** RFC 3339 at whole seconds at or before `ms`: what the apiserver passes on as sinceTime (it drops the fraction). */
export function sinceTimeParam(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Splits a byte stream into lines (UTF-8, \n or \r\n), each cut to LINE_CHARS_MAX. */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';
  private cutting = false;

  /** The complete lines in this chunk (the end of the previous one first). */
  push(chunk: Uint8Array): string[] {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    const out: string[] = [];
    for (const p of parts) {
      if (this.cutting) {
        // The end of a line already emitted cut: drop it.
        this.cutting = false;
        continue;
      }
      out.push(p.endsWith('\r') ? p.slice(0, -1) : p);
    }
    if (this.rest.length > LINE_CHARS_MAX) {
      if (!this.cutting) out.push(this.rest.slice(0, LINE_CHARS_MAX));
      this.cutting = true;
      this.rest = '';
    }
    return out.map((l) => (l.length > LINE_CHARS_MAX ? l.slice(0, LINE_CHARS_MAX) : l));
  }

  /** What is left when the stream ends (a last line with no newline). */
  end(): string[] {
    const last = this.rest + this.decoder.decode();
    this.rest = '';
    if (this.cutting) {
      this.cutting = false;
      return [];
    }
    return last ? [last.slice(0, LINE_CHARS_MAX)] : [];
  }
}
