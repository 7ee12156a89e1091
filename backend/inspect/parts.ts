// An answer for another replica, as NOTIFY can carry it: its JSON cut into
// pieces of at most PART_BYTES (PostgreSQL refuses a payload of 8000 bytes),
// and put back together, in order, on the replica that asked.
/** Bytes of answer JSON per piece; with the envelope, a NOTIFY stays under ~7000 bytes. */
export const PART_BYTES = 5500;
/** One answer (a log chunk of ≤64 KiB, 1000 events) reassembled is never larger than this. */
export const ANSWER_MAX_BYTES = 8 * 1024 * 1024;

/** The JSON of `value`, in pieces whose JSON-string form is at most PART_BYTES bytes. */
export function splitParts(value: unknown): string[] {
  const json = JSON.stringify(value);
  const parts: string[] = [];
  let at = 0;
  while (at < json.length) {
    let n = Math.min(PART_BYTES, json.length - at);
    // Escapes and multi-byte characters make a piece larger than its length: shrink until it fits.
    while (n > 1 && Buffer.byteLength(JSON.stringify(json.slice(at, at + n))) > PART_BYTES) n = Math.floor(n * 0.75);
    // Never split a surrogate pair (each half alone would not survive the round trip intact).
    const code = json.charCodeAt(at + n - 1);
    if (n > 1 && at + n < json.length && code >= 0xd800 && code <= 0xdbff) n--;
    parts.push(json.slice(at, at + n));
    at += n;
  }
  return parts.length ? parts : [''];
}

/** Pieces of answers arriving for this replica, by request id. */
export class PartsAssembler {
  private readonly open = new Map<string, { next: number; pieces: string[]; bytes: number }>();

  /**
   * Adds a piece; returns the parsed answer when it was the last, undefined
   * while more are to come, or an Error when the pieces are out of order,
   * too large, or not JSON (the answer is then dropped).
   */
  add(id: string, seq: number, last: boolean, data: string): unknown {
    const a = this.open.get(id) ?? { next: 0, pieces: [], bytes: 0 };
    if (seq !== a.next) {
      this.open.delete(id);
      return new Error(`piece ${seq} of an answer arrived when ${a.next} was expected`);
    }
    a.next++;
    a.bytes += data.length;
    if (a.bytes > ANSWER_MAX_BYTES) {
      this.open.delete(id);
      return new Error(`an answer from another replica exceeds ${ANSWER_MAX_BYTES} bytes`);
    }
    a.pieces.push(data);
    if (!last) {
      this.open.set(id, a);
      return undefined;
    }
    this.open.delete(id);
    try {
      return JSON.parse(a.pieces.join('')) as unknown;
    } catch {
      return new Error('an answer from another replica is not JSON');
    }
  }

  forget(id: string): void {
    this.open.delete(id);
  }
}
