/**
 * Support for the randomized op tests: a seeded generator of the tests' own (independent of
 * core/random), float64 reference arrays with naive index arithmetic, a shrinker over case
 * dimensions, and the runner that reports the seed and the minimal failing case.
 */
import { Tensor } from "../../core";
import { gradCheck } from "../../core/gradcheck";

/** Cases per op in `npm test`; `NDGRAD_FUZZ_RUNS=2000 npm test` for a long run. */
export const RUNS = Math.max(1, Number(process.env.NDGRAD_FUZZ_RUNS ?? 25) | 0);
/** Base seed; `NDGRAD_FUZZ_SEED=...` replays a reported failure. */
export const BASE_SEED = Number(process.env.NDGRAD_FUZZ_SEED ?? 20240611) >>> 0;

/** xorshift32-based generator (own implementation, so the tests do not share code with core/random). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0 || 1;
    for (let i = 0; i < 4; i++) this.next();
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** A float64 reference array: shape + row-major data. */
export interface Arr {
  shape: number[];
  data: Float64Array;
}

export const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

export function arr(shape: readonly number[], f: (idx: number[]) => number = () => 0): Arr {
  const out: Arr = { shape: shape.slice(), data: new Float64Array(sizeOf(shape)) };
  let k = 0;
  forEachIndex(shape, (idx) => (out.data[k++] = f(idx)));
  return out;
}

/** Calls f for every multi-index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], f: (idx: number[]) => void): void {
  if (sizeOf(shape) === 0) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (;;) {
    f(idx);
    let d = shape.length - 1;
    while (d >= 0 && ++idx[d] === shape[d]) idx[d--] = 0;
    if (d < 0) return;
  }
}

/** Element of `a` at a multi-index (row-major arithmetic). */
export function at(a: Arr, idx: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < a.shape.length; d++) off = off * a.shape[d] + idx[d];
  return a.data[off];
}

/** Element of `a` read at an index of a (larger) broadcast shape: NumPy's right alignment, size-1 dims repeat. */
export function atB(a: Arr, idx: readonly number[]): number {
  const lead = idx.length - a.shape.length;
  let off = 0;
  for (let d = 0; d < a.shape.length; d++) off = off * a.shape[d] + (a.shape[d] === 1 ? 0 : idx[lead + d]);
  return a.data[off];
}

export function bshape(...shapes: number[][]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = i < r - s.length ? 1 : s[i - (r - s.length)];
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}

/** erf in float64 to ~1e-15: Taylor series for |x| < 3, Lentz-free continued fraction for erfc beyond. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = ax;
  for (let n = 80; n >= 1; n--) k = ax + n / 2 / k;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / k;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** One randomized op: how to draw a case, shrink it, build inputs, compute the reference and call the op. */
export interface Spec<P> {
  name: string;
  /** Draws a case: `dims` are the shrinkable sizes, `p` the op's other parameters. */
  gen(r: Rng): { dims: number[]; p: P };
  /** Input shapes of a case (must be valid for every dims the shrinker proposes that `valid` accepts). */
  shapes(dims: number[], p: P): number[][];
  valid?(dims: number[], p: P): boolean;
  /** Smallest allowed value of each dim when shrinking (default 1; 0 where empty tensors are allowed). */
  minDim?: number;
  /** Maps a standard normal draw into the op's domain (per input). */
  domain?(v: number, input: number, p: P): number;
  /** The reference in float64, or a RegExp the op must throw. */
  ref(xs: Arr[], dims: number[], p: P): Arr | RegExp;
  op(xs: Tensor[], dims: number[], p: P): Tensor;
  /** Check gradients with gradCheck (default true). */
  grad?: boolean;
  /** float32 tolerance factor (default 1). */
  tol32?: number;
}

export interface Case<P> {
  dims: number[];
  p: P;
  valueSeed: number;
}

export function makeInputs<P>(spec: Spec<P>, c: Case<P>): Arr[] {
  const r = new Rng(c.valueSeed);
  return spec.shapes(c.dims, c.p).map((s, i) => arr(s, () => (spec.domain ? spec.domain(r.normal(), i, c.p) : r.normal())));
}

const toTensor = (a: Arr, dtype: "float32" | "float64") => new Tensor(dtype === "float64" ? Float64Array.from(a.data) : Float32Array.from(a.data), a.shape);

/** float32-rounded copy of a reference input (so the float32 run and its reference see the same numbers). */
const round32 = (a: Arr): Arr => ({ shape: a.shape, data: Float64Array.from(Float32Array.from(a.data)) });

function compare(got: Tensor, want: Arr, rtol: number, atol: number, what: string): string | null {
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return `${what}: shape [${got.shape}] but the reference is [${want.shape}]`;
  }
  for (let i = 0; i < want.data.length; i++) {
    const a = got.values[i];
    const b = want.data[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue; // also equal infinities
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return `${what}: element ${i} is ${a}, reference ${b}`;
  }
  return null;
}

/** Runs one case; returns a failure description or null. */
export function runCase<P>(spec: Spec<P>, c: Case<P>): string | null {
  const xs = makeInputs(spec, c);
  try {
    for (const dtype of ["float64", "float32"] as const) {
      const ins = dtype === "float64" ? xs : xs.map(round32);
      const want = spec.ref(ins, c.dims, c.p);
      const ts = ins.map((a) => toTensor(a, dtype));
      if (want instanceof RegExp) {
        let msg = "";
        try {
          spec.op(ts, c.dims, c.p);
        } catch (e) {
          msg = e instanceof Error ? e.message : String(e);
        }
        if (!want.test(msg)) return `${dtype}: expected an Error matching ${want}, got ${msg ? JSON.stringify(msg) : "no error"}`;
        continue;
      }
      const out = spec.op(ts, c.dims, c.p);
      if (out.dtype !== dtype) return `${dtype}: output dtype is ${out.dtype}`;
      if (out.values.length !== out.size) return `${dtype}: ${out.values.length} values for size ${out.size}`;
      const t = spec.tol32 ?? 1;
      const err = dtype === "float64" ? compare(out, want, 1e-9, 1e-11, dtype) : compare(out, want, 2e-5 * t, 2e-5 * t, dtype);
      if (err) return err;
    }
    const want = spec.ref(xs, c.dims, c.p);
    if (spec.grad !== false && !(want instanceof RegExp)) {
      const total = xs.reduce((s, a) => s + a.data.length, 0);
      if (total <= 160) {
        const g = gradCheck(
          (...ts) => spec.op(ts, c.dims, c.p),
          xs.map((a) => toTensor(a, "float64")),
          { atol: 1e-5, rtol: 1e-4 },
        );
        if (!g.ok) return `gradCheck: maxError ${g.maxError}, worst ${JSON.stringify(g.worst)}`;
      }
    }
  } catch (e) {
    return `threw ${(e as Error).stack ?? e}`;
  }
  return null;
}

/** Greedy shrinking over dims: keep any smaller valid case that still fails; stop at a fixed point. */
export function shrink<P>(spec: Spec<P>, c: Case<P>, failure: string): { c: Case<P>; failure: string } {
  let best = c;
  let bestFailure = failure;
  const min = spec.minDim ?? 1;
  for (let round = 0; round < 50; round++) {
    let improved = false;
    for (let k = 0; k < best.dims.length && !improved; k++) {
      for (const v of [min, 1, Math.floor(best.dims[k] / 2), best.dims[k] - 1]) {
        if (v < min || v >= best.dims[k]) continue;
        const dims = best.dims.slice();
        dims[k] = v;
        if (spec.valid && !spec.valid(dims, best.p)) continue;
        const cand = { ...best, dims };
        const f = runCase(spec, cand);
        if (f !== null) {
          best = cand;
          bestFailure = f;
          improved = true;
          break;
        }
      }
    }
    if (!improved) break;
  }
  return { c: best, failure: bestFailure };
}

/** Runs `RUNS` random cases of a spec; throws with the seed and the shrunk case on the first failure. */
export function fuzz<P>(spec: Spec<P>, specIndex: number): void {
  for (let run = 0; run < RUNS; run++) {
    const seed = (BASE_SEED + specIndex * 1_000_003 + run * 7919) >>> 0;
    const r = new Rng(seed);
    let g = spec.gen(r);
    for (let tries = 0; spec.valid && !spec.valid(g.dims, g.p) && tries < 100; tries++) g = spec.gen(r);
    if (spec.valid && !spec.valid(g.dims, g.p)) continue;
    const c: Case<P> = { dims: g.dims, p: g.p, valueSeed: (seed ^ 0x5bd1e995) >>> 0 };
    const failure = runCase(spec, c);
    if (failure !== null) {
      const s = shrink(spec, c, failure);
      const xs = makeInputs(spec, s.c);
      const shown = xs.map((a) => (a.data.length <= 24 ? `[${Array.from(a.data, (v) => +v.toPrecision(6)).join(", ")}]` : `(${a.data.length} values)`));
      throw new Error(
        `${spec.name} failed (seed ${seed}; replay with NDGRAD_FUZZ_SEED=${BASE_SEED} and run ${run}):\n` +
          `  original: dims ${JSON.stringify(c.dims)} params ${JSON.stringify(c.p)}\n    ${failure}\n` +
          `  shrunk:   dims ${JSON.stringify(s.c.dims)} params ${JSON.stringify(s.c.p)} shapes ${JSON.stringify(spec.shapes(s.c.dims, s.c.p))} valueSeed ${s.c.valueSeed}\n` +
          `    inputs ${shown.join(" ")}\n    ${s.failure}`,
      );
    }
  }
}
