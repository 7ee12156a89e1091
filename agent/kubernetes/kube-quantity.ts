// Kubernetes resource quantities ("250m", "1.5Gi", "129M", "12345n", "1e3")
// as numbers: CPU in cores, memory in bytes. The suffixes of
// k8s.io/apimachinery/pkg/api/resource (quantity.go): binary Ki..Ei, decimal
// n u m k M G T P E, and decimal exponents.
/** Fractions are divided, not multiplied by 1e-9, so "123456789n" is exactly 0.123456789. */
const DIVISOR: Record<string, number> = { n: 1e9, u: 1e6, m: 1e3 };
const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The quantity's value, or 0 when absent or not a quantity (never throws: an odd value must not fail the answer). */
export function quantity(q: string | number | undefined | null): number {
  if (typeof q === 'number') return Number.isFinite(q) ? q : 0;
  if (!q) return 0;
  const m = QUANTITY.exec(q.trim());
  if (!m) return 0;
  const [, num, exp, suffix = ''] = m;
  const v = exp ? Number(num + exp) : suffix in DIVISOR ? Number(num) / DIVISOR[suffix] : Number(num) * SUFFIX[suffix];
  return Number.isFinite(v) ? v : 0;
}
