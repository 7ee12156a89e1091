// Identity assertions are single use: the plugin signs a fresh one for every
// request, so a jti seen before is a replay (a captured header sent again
// within its lifetime). Remembered until the assertion expires (plus skew);
// one control service's memory, so with several replicas a replay to another
// replica is not caught.

export class SeenAssertions {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly skewMs = 30_000,
    /** A bound on memory; only valid signed assertions get here, so only the plugin can fill it. */
    private readonly max = 200_000,
  ) {}

  /** True the first time `jti` is offered before it expires; false for a replay. */
  firstUse(jti: string, expSeconds: number, nowMs = Date.now()): boolean {
    this.forgetExpired(nowMs);
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expSeconds * 1000 + this.skewMs);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  // Insertion order is close to expiry order (lifetimes are at most 300 s): drop from the front while expired.
  private forgetExpired(nowMs: number): void {
    for (const [jti, until] of this.seen) {
      if (until > nowMs) break;
      this.seen.delete(jti);
    }
  }
}
