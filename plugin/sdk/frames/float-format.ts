// Number formatting for the JSON frame form.

/**
 * The shortest decimal that reads back as the same float32, as Go's
 * strconv.FormatFloat(v, 'g', -1, 32) chooses it: 1e-45, not 1.401298464324817e-45.
 */
export function formatFloat32(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new Error(`${v} has no JSON form`);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return String(candidate);
  }
  return String(Number(f.toPrecision(9))); // 9 significant digits always round-trip a float32
}

/** JS already prints the shortest round-trip form of a double. */
export function formatFloat64(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`${v} has no JSON form`);
  return String(v);
}
