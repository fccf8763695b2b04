/**
 * Small-sample statistics for the report: mean with a Student-t confidence interval over seeds,
 * and the paired difference of two optimizers over the same seeds. The t quantile is computed
 * (regularised incomplete beta, inverted by bisection), not looked up, so any number of seeds and
 * any confidence level work.
 */

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta (Lentz's method). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1,
    d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/**
 * The CDF of Student's t with `df` degrees of freedom.
 * @example tCdf(0, 3) // 0.5
 */
export function tCdf(t: number, df: number): number {
  const p = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - p : p;
}

/**
 * The two-sided critical value: P(|T| <= q) = level, for `df` degrees of freedom.
 * @example tQuantile(0.95, 2) // 4.302652729...
 */
export function tQuantile(level: number, df: number): number {
  if (!(df >= 1) || !(level > 0 && level < 1)) throw new Error(`tQuantile: needs df >= 1 and level in (0, 1), got df ${df}, level ${level}`);
  const target = 0.5 + level / 2;
  let lo = 0,
    hi = 1;
  while (tCdf(hi, df) < target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A mean and its confidence interval (`half` = NaN with fewer than 2 values). */
export interface Interval {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator). */
  sd: number;
  /** Half-width of the interval: t(level, n - 1) · sd / √n. */
  half: number;
  lo: number;
  hi: number;
}

/**
 * Mean ± t-interval of a sample (default 95%).
 * @example tInterval([1, 2, 3, 4, 5]) // { mean: 3, half: 1.963243..., lo: 1.036757..., hi: 4.963243... }
 */
export function tInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  const mean = n ? values.reduce((s, v) => s + v, 0) / n : NaN;
  if (n < 2) return { n, mean, sd: NaN, half: NaN, lo: NaN, hi: NaN };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile(level, n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, half, lo: mean - half, hi: mean + half };
}

/**
 * The paired difference a − b over the keys (seeds) both have, with its t-interval.
 * @example pairedDifference(new Map([[0, 0.97], [1, 0.96]]), new Map([[0, 0.96], [1, 0.96]])).mean // 0.005
 */
export function pairedDifference(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>, level = 0.95): Interval {
  const diffs: number[] = [];
  for (const [k, v] of a) if (b.has(k)) diffs.push(v - b.get(k)!);
  return tInterval(diffs, level);
}

/**
 * The verdict in words for a difference of accuracies (fractions), A − B.
 * @example verdict(pairedDifference(lion, adamw), "Lion", "AdamW") // "not distinguishable with 3 seeds (Lion − AdamW = -0.12 ± 0.40 points)"
 */
export function verdict(d: Interval, a: string, b: string): string {
  const pts = (v: number) => (100 * v).toFixed(2);
  const seeds = `${d.n} seed${d.n === 1 ? "" : "s"}`;
  if (d.n < 2) return `no verdict with ${seeds} (a confidence interval needs at least 2; ${a} − ${b} = ${pts(d.mean)} points)`;
  const what = `${a} − ${b} = ${pts(d.mean)} ± ${pts(d.half)} points, 95% CI over ${seeds}`;
  if (d.lo > 0) return `${a} is better (${what})`;
  if (d.hi < 0) return `${b} is better (${what})`;
  return `not distinguishable with ${seeds} (${what})`;
}
