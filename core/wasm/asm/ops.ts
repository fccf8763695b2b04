// AssemblyScript (compiled by `npm run build:wasm`): the hot elementwise ops of a training step.
// relu and its backward and the bias add/gradient are bit-identical to the JS loops in
// core/ops/unary.ts and core/ops/linear.ts (one float32 operation per element, same order).
// The softmax cross-entropy works in float32 with its own exp (so it is close to, not identical
// with, the JS loop, which works in double); sumF32 sums in four lanes (pairwise-like, a
// different order than the JS running sum). Their tolerances are in test/core/wasm-ops.test.ts.

/** y = max(x, 0): f32x4.max propagates NaN and gives +0 for −0, as Math.max does. */
export function reluF32(px: usize, py: usize, n: i32): void {
  const zero = f32x4.splat(0);
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < body; o += 16) v128.store(py + o, f32x4.max(v128.load(px + o), zero));
  for (; o < end; o += 4) v128.store32_lane(py + o, f32x4.max(v128.load32_zero(px + o), zero), 0);
}

/** dx = (x > 0)·g + 0, as the JS (0·NaN and 0·∞ give NaN; + 0 turns −0 into +0). */
export function reluBackwardF32(px: usize, pg: usize, pdx: usize, n: i32): void {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < body; o += 16) {
    const on = v128.and(f32x4.gt(v128.load(px + o), zero), one);
    v128.store(pdx + o, f32x4.add(f32x4.mul(on, v128.load(pg + o)), zero));
  }
  for (; o < end; o += 4) {
    const on = v128.and(f32x4.gt(v128.load32_zero(px + o), zero), one);
    v128.store32_lane(pdx + o, f32x4.add(f32x4.mul(on, v128.load32_zero(pg + o)), zero), 0);
  }
}

/** y[r, j] += b[j] for r < rows, j < cols (y is rows × cols, contiguous). */
export function addBiasRowsF32(py: usize, pb: usize, rows: i32, cols: i32): void {
  const body = <usize>(cols & ~3) << 2, end = <usize>cols << 2, rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const y = py + <usize>r * rowBytes;
    let o: usize = 0;
    for (; o < body; o += 16) v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(pb + o)));
    for (; o < end; o += 4) store<f32>(y + o, load<f32>(y + o) + load<f32>(pb + o));
  }
}

/** db[j] = Σ_r g[r, j], rows in order (the bias gradient of linear, as its JS loop sums). */
export function sumRowsF32(pg: usize, pdb: usize, rows: i32, cols: i32): void {
  memory.fill(pdb, 0, <usize>cols << 2);
  const body = <usize>(cols & ~3) << 2, end = <usize>cols << 2, rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const g = pg + <usize>r * rowBytes;
    let o: usize = 0;
    for (; o < body; o += 16) v128.store(pdb + o, f32x4.add(v128.load(pdb + o), v128.load(g + o)));
    for (; o < end; o += 4) store<f32>(pdb + o, load<f32>(pdb + o) + load<f32>(g + o));
  }
}

/** Σ x in float32, four interleaved lane sums combined at the end. */
export function sumF32(px: usize, n: i32): f32 {
  const body = <usize>(n & ~15) << 2, end = <usize>n << 2;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let o: usize = 0;
  for (; o < body; o += 64) {
    s0 = f32x4.add(s0, v128.load(px + o));
    s1 = f32x4.add(s1, v128.load(px + o, 16));
    s2 = f32x4.add(s2, v128.load(px + o, 32));
    s3 = f32x4.add(s3, v128.load(px + o, 48));
  }
  const s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let t: f32 = (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
  for (; o < end; o += 4) t += load<f32>(px + o);
  return t;
}

/**
 * e^x for four floats: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for an exact reduction),
 * e^r by a degree-6 polynomial (Cephes' expf coefficients), times 2^k built in the exponent
 * bits. Relative error within 3 float32 ulp; below −87.34 (where e^x would be subnormal) it gives 0,
 * above 88.73 +∞; NaN stays NaN.
 */
@inline function exp4(x: v128): v128 {
  const hi = f32x4.splat(88.72283), lo = f32x4.splat(-87.33654);
  const big = f32x4.gt(x, hi), tiny = f32x4.lt(x, lo);
  const xc = f32x4.min(f32x4.max(x, lo), hi);
  const k = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504)));
  let r = f32x4.sub(xc, f32x4.mul(k, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  // 2^k: k + 127 in the exponent field (k in [−126, 128]: split in two factors to stay normal)
  const ki = i32x4.trunc_sat_f32x4_s(k);
  const k1 = i32x4.shr_s(ki, 1), k2 = i32x4.sub(ki, k1);
  const e1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23), e2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  const y = f32x4.mul(f32x4.mul(p, e1), e2);
  return v128.bitselect(f32x4.splat(Infinity), v128.bitselect(f32x4.splat(0), y, tiny), big);
}

/** Row max and lse = log Σ e^(x − max) + max for one row of C logits; returns lse. */
function rowLse(row: usize, C: i32, scratch: usize): f32 {
  let m: f32 = -Infinity;
  for (let j = 0; j < C; j++) { const x = load<f32>(row + (<usize>j << 2)); if (x > m) m = x; }
  if (m == -Infinity) m = 0; // an all −∞ row: keep exp() NaN-free, as logSoftmax does
  const mv = f32x4.splat(m), body = <usize>(C & ~3) << 2, end = <usize>C << 2;
  let acc = f32x4.splat(0);
  let o: usize = 0;
  for (; o < body; o += 16) acc = f32x4.add(acc, exp4(f32x4.sub(v128.load(row + o), mv)));
  let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; o < end; o += 4) s += f32x4.extract_lane(exp4(f32x4.splat(load<f32>(row + o) - m)), 0);
  return <f32>Math.log(<f64>s) + m;
}

/**
 * Fused softmax cross-entropy forward over logits [N, C] and int32 labels [N]: lse[i] (kept for
 * the backward) and loss[i] = lse[i] − x[i, y_i].
 */
export function softmaxCrossEntropyF32(px: usize, plabels: usize, N: i32, C: i32, ploss: usize, plse: usize): void {
  for (let i = 0; i < N; i++) {
    const row = px + (<usize>i * C << 2);
    const l = rowLse(row, C, 0);
    store<f32>(plse + (<usize>i << 2), l);
    const y = load<i32>(plabels + (<usize>i << 2));
    store<f32>(ploss + (<usize>i << 2), l - load<f32>(row + (<usize>y << 2)));
  }
}

/** Its backward: d[i, j] = g_i · e^(x[i, j] − lse_i), minus g_i at the label. */
export function softmaxCrossEntropyBackwardF32(px: usize, plabels: usize, N: i32, C: i32, plse: usize, pg: usize, pd: usize): void {
  const body = <usize>(C & ~3) << 2, end = <usize>C << 2;
  for (let i = 0; i < N; i++) {
    const off = <usize>i * C << 2, row = px + off, d = pd + off;
    const gi = load<f32>(pg + (<usize>i << 2)), l = load<f32>(plse + (<usize>i << 2));
    const gv = f32x4.splat(gi), lv = f32x4.splat(l);
    let o: usize = 0;
    for (; o < body; o += 16) v128.store(d + o, f32x4.mul(gv, exp4(f32x4.sub(v128.load(row + o), lv))));
    for (; o < end; o += 4) store<f32>(d + o, gi * f32x4.extract_lane(exp4(f32x4.splat(load<f32>(row + o) - l)), 0));
    const at = d + (<usize>load<i32>(plabels + (<usize>i << 2)) << 2);
    store<f32>(at, load<f32>(at) - gi);
  }
}
