// AssemblyScript (compiled by `npm run build:wasm`, not by tsc): the float32 optimizer passes.
//
// Every kernel mirrors one in optim/kernels/*.ts and must give BIT-identical results. That holds
// because each f32x4 (and f32) operation rounds its result to float32, which is what the JS code
// gets from `Math.fround` (or a Float32Array store) after each +, −, ·, / or √: computing those
// in double and rounding once to float32 gives the correctly rounded float32 result, so the two
// agree wherever the JS rounds. Where the JS does NOT round (Lion's `c`, `v − s·lr`), the value
// that matters (a sign, a difference of two float32s rounded on store) is the same either way.
//
// Each kernel is one `@inline` step over a v128 of four elements. The main loop runs it on full
// vectors; the tail (n mod 4 elements) runs the SAME step on a vector whose lane 0 holds one
// element (load32_zero / store32_lane), so body and tail can never disagree, and nothing is ever
// written outside the arrays (they may be views into a bigger allocation).
//
// Arguments are byte addresses in the shared memory, an element count and float32 scalars that
// the JS wrapper (../optim.ts) has rounded exactly as the JS kernel rounds them.

// ---------------------------------------------------------------------------------- Lion
@inline function lionStep(pv: usize, pg: usize, pm: usize, tail: bool, decay: bool,
  b1: v128, omb1: v128, b2: v128, omb2: v128, lr: v128, wd: v128): void {
  const g = tail ? v128.load32_zero(pg) : v128.load(pg);
  const m = tail ? v128.load32_zero(pm) : v128.load(pm);
  let v = tail ? v128.load32_zero(pv) : v128.load(pv);
  if (decay) v = f32x4.sub(v, f32x4.mul(f32x4.mul(v, wd), lr));
  const c = f32x4.add(f32x4.mul(m, b1), f32x4.mul(g, omb1));
  // sign(c) as +1 / −1 / +0 (a true comparison lane is −1): lt − gt, converted to float
  const s = f32x4.convert_i32x4_s(i32x4.sub(f32x4.lt(c, f32x4.splat(0)), f32x4.gt(c, f32x4.splat(0))));
  // sign(NaN) is NaN in Keras: the JS multiplies by (1 + 0/(1 − isNaN(c))), i.e. 1 or NaN
  const factor = v128.bitselect(f32x4.splat(NaN), f32x4.splat(1), f32x4.ne(c, c));
  const vn = f32x4.mul(f32x4.sub(v, f32x4.mul(s, lr)), factor);
  const mn = f32x4.add(f32x4.mul(m, b2), f32x4.mul(g, omb2));
  if (tail) { v128.store32_lane(pv, vn, 0); v128.store32_lane(pm, mn, 0); }
  else { v128.store(pv, vn); v128.store(pm, mn); }
}

/** lionF32(v, g, m, lr, beta1, beta2, wd) with b1 = f(beta1), omb1 = f(1 − b1), ... precomputed. */
export function lionF32(pv: usize, pg: usize, pm: usize, n: i32,
  b1s: f32, omb1s: f32, b2s: f32, omb2s: f32, lrs: f32, wds: f32, decay: bool): void {
  const b1 = f32x4.splat(b1s), omb1 = f32x4.splat(omb1s), b2 = f32x4.splat(b2s), omb2 = f32x4.splat(omb2s);
  const lr = f32x4.splat(lrs), wd = f32x4.splat(wds);
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  if (decay) {
    for (; o < body; o += 16) lionStep(pv + o, pg + o, pm + o, false, true, b1, omb1, b2, omb2, lr, wd);
    for (; o < end; o += 4) lionStep(pv + o, pg + o, pm + o, true, true, b1, omb1, b2, omb2, lr, wd);
  } else {
    for (; o < body; o += 16) lionStep(pv + o, pg + o, pm + o, false, false, b1, omb1, b2, omb2, lr, wd);
    for (; o < end; o += 4) lionStep(pv + o, pg + o, pm + o, true, false, b1, omb1, b2, omb2, lr, wd);
  }
}

// ---------------------------------------------------------------------------------- Adam / AdamW
@inline function adamStep(pv: usize, pg: usize, pm: usize, pu: usize, puh: usize, tail: bool, decay: bool, ams: bool,
  alpha: v128, omb1: v128, omb2: v128, eps: v128, wd: v128, lr: v128): void {
  const g = tail ? v128.load32_zero(pg) : v128.load(pg);
  const m0 = tail ? v128.load32_zero(pm) : v128.load(pm);
  const u0 = tail ? v128.load32_zero(pu) : v128.load(pu);
  let v = tail ? v128.load32_zero(pv) : v128.load(pv);
  if (decay) v = f32x4.sub(v, f32x4.mul(f32x4.mul(v, wd), lr));
  const m = f32x4.add(m0, f32x4.mul(f32x4.sub(g, m0), omb1));
  const u = f32x4.add(u0, f32x4.mul(f32x4.sub(f32x4.mul(g, g), u0), omb2));
  let h = u;
  if (ams) {
    const uh0 = tail ? v128.load32_zero(puh) : v128.load(puh);
    // JS: `if (uk > uh[k]) uh[k] = uk` (a NaN on either side keeps uh), not f32x4.max
    h = v128.bitselect(u, uh0, f32x4.gt(u, uh0));
    if (tail) v128.store32_lane(puh, h, 0); else v128.store(puh, h);
  }
  const vn = f32x4.sub(v, f32x4.div(f32x4.mul(m, alpha), f32x4.add(f32x4.sqrt(h), eps)));
  if (tail) { v128.store32_lane(pm, m, 0); v128.store32_lane(pu, u, 0); v128.store32_lane(pv, vn, 0); }
  else { v128.store(pm, m); v128.store(pu, u); v128.store(pv, vn); }
}

@inline function adamLoop(pv: usize, pg: usize, pm: usize, pu: usize, puh: usize, n: i32, decay: bool, ams: bool,
  alpha: v128, omb1: v128, omb2: v128, eps: v128, wd: v128, lr: v128): void {
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < body; o += 16) adamStep(pv + o, pg + o, pm + o, pu + o, puh + o, false, decay, ams, alpha, omb1, omb2, eps, wd, lr);
  for (; o < end; o += 4) adamStep(pv + o, pg + o, pm + o, pu + o, puh + o, true, decay, ams, alpha, omb1, omb2, eps, wd, lr);
}

/** adamF32 / adamAmsgradF32 (puh 0 without amsgrad); decay false when wd is 0. */
export function adamF32(pv: usize, pg: usize, pm: usize, pu: usize, puh: usize, n: i32,
  alphas: f32, omb1s: f32, omb2s: f32, epss: f32, wds: f32, lrs: f32, decay: bool, ams: bool): void {
  const alpha = f32x4.splat(alphas), omb1 = f32x4.splat(omb1s), omb2 = f32x4.splat(omb2s);
  const eps = f32x4.splat(epss), wd = f32x4.splat(wds), lr = f32x4.splat(lrs);
  if (ams) {
    if (decay) adamLoop(pv, pg, pm, pu, puh, n, true, true, alpha, omb1, omb2, eps, wd, lr);
    else adamLoop(pv, pg, pm, pu, puh, n, false, true, alpha, omb1, omb2, eps, wd, lr);
  } else {
    if (decay) adamLoop(pv, pg, pm, pu, puh, n, true, false, alpha, omb1, omb2, eps, wd, lr);
    else adamLoop(pv, pg, pm, pu, puh, n, false, false, alpha, omb1, omb2, eps, wd, lr);
  }
}

// ---------------------------------------------------------------------------------- SGD
@inline function sgdStep(pv: usize, pg: usize, pb: usize, tail: bool, decay: bool, momentum: bool, nesterov: bool,
  lr: v128, mu: v128, wd: v128): void {
  const g = tail ? v128.load32_zero(pg) : v128.load(pg);
  let v = tail ? v128.load32_zero(pv) : v128.load(pv);
  if (decay) v = f32x4.sub(v, f32x4.mul(f32x4.mul(v, wd), lr));
  const step = f32x4.mul(g, lr);
  let vn: v128;
  if (momentum) {
    const b0 = tail ? v128.load32_zero(pb) : v128.load(pb);
    const b = f32x4.sub(f32x4.mul(b0, mu), step);
    if (tail) v128.store32_lane(pb, b, 0); else v128.store(pb, b);
    vn = nesterov ? f32x4.add(v, f32x4.sub(f32x4.mul(b, mu), step)) : f32x4.add(v, b);
  } else {
    vn = f32x4.sub(v, step);
  }
  if (tail) v128.store32_lane(pv, vn, 0); else v128.store(pv, vn);
}

@inline function sgdLoop(pv: usize, pg: usize, pb: usize, n: i32, decay: bool, momentum: bool, nesterov: bool,
  lr: v128, mu: v128, wd: v128): void {
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < body; o += 16) sgdStep(pv + o, pg + o, pb + o, false, decay, momentum, nesterov, lr, mu, wd);
  for (; o < end; o += 4) sgdStep(pv + o, pg + o, pb + o, true, decay, momentum, nesterov, lr, mu, wd);
}

/** sgdF32 (pb 0, momentum false) and sgdMomentumF32. */
export function sgdF32(pv: usize, pg: usize, pb: usize, n: i32, lrs: f32, mus: f32, wds: f32,
  decay: bool, momentum: bool, nesterov: bool): void {
  const lr = f32x4.splat(lrs), mu = f32x4.splat(mus), wd = f32x4.splat(wds);
  if (!momentum) {
    if (decay) sgdLoop(pv, pg, pb, n, true, false, false, lr, mu, wd);
    else sgdLoop(pv, pg, pb, n, false, false, false, lr, mu, wd);
  } else if (nesterov) {
    if (decay) sgdLoop(pv, pg, pb, n, true, true, true, lr, mu, wd);
    else sgdLoop(pv, pg, pb, n, false, true, true, lr, mu, wd);
  } else {
    if (decay) sgdLoop(pv, pg, pb, n, true, true, false, lr, mu, wd);
    else sgdLoop(pv, pg, pb, n, false, true, false, lr, mu, wd);
  }
}

// ---------------------------------------------------------------------------------- pipeline stages
// One "map" kernel per stage. `kind` picks the stage (a uniform branch outside the loop).
const DECAY = 0, EMA = 1, ACCUMULATE = 2, AVERAGE_INTO = 3, UNSCALE_INTO = 4, SCALE = 5, SCALE_BY_NORM = 6, CLIP_BY_VALUE = 7;

@inline function stageStep(kind: i32, pa: usize, pb: usize, tail: bool, s1: v128, s2: v128): void {
  const a = tail ? v128.load32_zero(pa) : v128.load(pa);
  let r: v128;
  let dst = pa;
  if (kind == DECAY) { // v ← v − (v·wd)·lr        (a = v; s1 = wd, s2 = lr)
    r = f32x4.sub(a, f32x4.mul(f32x4.mul(a, s1), s2));
  } else if (kind == EMA) { // avg ← m·avg + (1 − m)·v   (a = avg, b = v; s1 = m, s2 = 1 − m)
    const b = tail ? v128.load32_zero(pb) : v128.load(pb);
    r = f32x4.add(f32x4.mul(s1, a), f32x4.mul(s2, b));
  } else if (kind == ACCUMULATE) { // acc ← acc + g
    const b = tail ? v128.load32_zero(pb) : v128.load(pb);
    r = f32x4.add(a, b);
  } else if (kind == AVERAGE_INTO) { // acc ← (g + acc) / count    (s1 = count)
    const b = tail ? v128.load32_zero(pb) : v128.load(pb);
    r = f32x4.div(f32x4.add(b, a), s1);
  } else if (kind == UNSCALE_INTO) { // out ← g / factor    (a = g, b = out)
    r = f32x4.div(a, s1);
    dst = pb;
  } else if (kind == SCALE) { // g ← g·scale
    r = f32x4.mul(a, s1);
  } else if (kind == SCALE_BY_NORM) { // g ← (g·c) / denom   (s1 = c, s2 = denom)
    r = f32x4.div(f32x4.mul(a, s1), s2);
  } else { // CLIP_BY_VALUE: x > c ? c : x < −c ? −c : x (NaN kept)   (s1 = c, s2 = −c)
    r = v128.bitselect(s1, v128.bitselect(s2, a, f32x4.lt(a, s2)), f32x4.gt(a, s1));
  }
  if (tail) v128.store32_lane(dst, r, 0); else v128.store(dst, r);
}

@inline function stageLoop(kind: i32, pa: usize, pb: usize, n: i32, s1: v128, s2: v128): void {
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let o: usize = 0;
  for (; o < body; o += 16) stageStep(kind, pa + o, pb + o, false, s1, s2);
  for (; o < end; o += 4) stageStep(kind, pa + o, pb + o, true, s1, s2);
}

/** One pipeline stage over n elements of `a` (and `b`); see the kinds above. */
export function stageF32(kind: i32, pa: usize, pb: usize, n: i32, s1s: f32, s2s: f32): void {
  const s1 = f32x4.splat(s1s), s2 = f32x4.splat(s2s);
  if (kind == DECAY) stageLoop(DECAY, pa, pb, n, s1, s2);
  else if (kind == EMA) stageLoop(EMA, pa, pb, n, s1, s2);
  else if (kind == ACCUMULATE) stageLoop(ACCUMULATE, pa, pb, n, s1, s2);
  else if (kind == AVERAGE_INTO) stageLoop(AVERAGE_INTO, pa, pb, n, s1, s2);
  else if (kind == UNSCALE_INTO) stageLoop(UNSCALE_INTO, pa, pb, n, s1, s2);
  else if (kind == SCALE) stageLoop(SCALE, pa, pb, n, s1, s2);
  else if (kind == SCALE_BY_NORM) stageLoop(SCALE_BY_NORM, pa, pb, n, s1, s2);
  else stageLoop(CLIP_BY_VALUE, pa, pb, n, s1, s2);
}

/** Σ g² accumulated in a double, in index order (the JS order: a reduction must not reorder). */
export function sumOfSquaresF32(pg: usize, n: i32): f64 {
  let s: f64 = 0;
  const end = pg + (<usize>n << 2);
  for (let p = pg; p < end; p += 4) {
    const x = <f64>load<f32>(p);
    s += x * x;
  }
  return s;
}

/** 1 when no element is NaN or ±Infinity (x − x is 0 exactly for finite x), else 0. */
export function allFiniteF32(pa: usize, n: i32): i32 {
  const body = <usize>(n & ~3) << 2, end = <usize>n << 2;
  let bad = i32x4.splat(0);
  let o: usize = 0;
  for (; o < body; o += 16) {
    const x = v128.load(pa + o);
    bad = v128.or(bad, f32x4.ne(f32x4.sub(x, x), f32x4.splat(0)));
    // check now and then, so a NaN early in a long gradient stops the scan soon
    if ((o & 0xfff0) == 0 && v128.any_true(bad)) return 0;
  }
  if (v128.any_true(bad)) return 0;
  for (; o < end; o += 4) {
    const x = load<f32>(pa + o);
    if (x - x != 0) return 0;
  }
  return 1;
}
