/**
 * The float32 optimizer passes on the wasm kernels, with the signatures of optim/kernels/*.ts
 * (so wiring them into the dispatch is one choice per kernel) and BIT-identical results. The
 * arrays must live in the wasm heap (`wasmKernels().heap.alloc`): the kernels update them in
 * place. Scalars are rounded here exactly where the JS kernels round them; the ones the JS
 * kernels take "already rounded" (Adam's alpha, a clip scale, an unscale factor) are checked to be
 * float32 values. Passes of ≥ 1M elements are split over the wasm pool (bit-identical).
 *
 * @example
 * const { heap } = wasmKernels();
 * const v = heap.alloc(n), g = heap.alloc(n), m = heap.alloc(n);
 * lionF32(v, g, m, 1e-4, 0.9, 0.99, 0.1);
 */
import { addressOf, requireF32, requireNumber, runElementwise } from "./dispatch";
import { wasmKernels } from "./loader";

const f = Math.fround;
// The stage kinds of stageF32 in asm/optim.ts.
const DECAY = 0,
  EMA = 1,
  ACCUMULATE = 2,
  AVERAGE_INTO = 3,
  UNSCALE_INTO = 4,
  SCALE = 5,
  SCALE_BY_NORM = 6,
  CLIP_BY_VALUE = 7;
const STAGE_PTRS = [1, 2];

/** Lion, in place on v and m (as optim/kernels/lion.ts). @example lionF32(v, g, m, 1e-4, 0.9, 0.99, 0) */
export function lionF32(v: Float32Array, g: Float32Array, m: Float32Array, lr: number, beta1: number, beta2: number, wd: number): void {
  const n = v.length;
  const pv = addressOf("lionF32", "v", v),
    pg = addressOf("lionF32", "g", g, n),
    pm = addressOf("lionF32", "m", m, n);
  for (const [k, x] of [
    ["lr", lr],
    ["beta1", beta1],
    ["beta2", beta2],
    ["wd", wd],
  ] as const)
    requireNumber("lionF32", k, x);
  const b1 = f(beta1),
    b2 = f(beta2);
  runElementwise("lionF32", [pv, pg, pm, n, b1, f(1 - b1), b2, f(1 - b2), f(lr), f(wd), wd === 0 ? 0 : 1], [0, 1, 2], 3);
}

function adam(
  op: string,
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  uh: Float32Array | null,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  wd: number,
  lr: number,
): void {
  const n = v.length;
  const pv = addressOf(op, "v", v),
    pg = addressOf(op, "g", g, n),
    pm = addressOf(op, "m", m, n),
    pu = addressOf(op, "u", u, n);
  const puh = uh ? addressOf(op, "uh", uh, n) : 0;
  for (const [k, x] of [
    ["beta1", beta1],
    ["beta2", beta2],
    ["epsilon", epsilon],
    ["wd", wd],
    ["lr", lr],
  ] as const)
    requireNumber(op, k, x);
  requireF32(op, "alpha", alpha);
  // Keras's `1 - self.beta_1`: float32 of the difference formed from the double β (as optim/kernels/adam.ts).
  runElementwise(
    "adamF32",
    [pv, pg, pm, pu, puh, n, alpha, f(1 - beta1), f(1 - beta2), f(epsilon), f(wd), f(lr), wd === 0 ? 0 : 1, uh ? 1 : 0],
    [0, 1, 2, 3, 4],
    5,
  );
}

/**
 * Adam / AdamW (wd ≠ 0), in place on v, m, u; `alpha` from optim's adamAlphaF32 (optim/kernels/adam.ts).
 * @example adamF32(v, g, m, u, adamAlphaF32(1e-3, 0.9, 0.999, 1), 0.9, 0.999, 1e-7, 0.004, 1e-3)
 */
export function adamF32(
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  wd: number,
  lr: number,
): void {
  adam("adamF32", v, g, m, u, null, alpha, beta1, beta2, epsilon, wd, lr);
}

/**
 * Adam / AdamW with amsgrad (uh: the running max of u).
 * @example adamAmsgradF32(v, g, m, u, uh, adamAlphaF32(1e-3, 0.9, 0.999, 1), 0.9, 0.999, 1e-7, 0, 1e-3)
 */
export function adamAmsgradF32(
  v: Float32Array,
  g: Float32Array,
  m: Float32Array,
  u: Float32Array,
  uh: Float32Array,
  alpha: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  wd: number,
  lr: number,
): void {
  adam("adamAmsgradF32", v, g, m, u, uh, alpha, beta1, beta2, epsilon, wd, lr);
}

/** Plain SGD `v ← v − lr·g`. @example sgdF32(v, g, 0.01, 0) */
export function sgdF32(v: Float32Array, g: Float32Array, lr: number, wd: number): void {
  const n = v.length;
  const pv = addressOf("sgdF32", "v", v),
    pg = addressOf("sgdF32", "g", g, n);
  requireNumber("sgdF32", "lr", lr);
  requireNumber("sgdF32", "wd", wd);
  runElementwise("sgdF32", [pv, pg, 0, n, f(lr), 0, f(wd), wd === 0 ? 0 : 1, 0, 0], [0, 1, 2], 3);
}

/** SGD with momentum (Nesterov optional), in place on v and b. @example sgdMomentumF32(v, g, b, 0.01, 0.9, true, 0) */
export function sgdMomentumF32(v: Float32Array, g: Float32Array, b: Float32Array, lr: number, momentum: number, nesterov: boolean, wd: number): void {
  const n = v.length;
  const pv = addressOf("sgdMomentumF32", "v", v),
    pg = addressOf("sgdMomentumF32", "g", g, n),
    pb = addressOf("sgdMomentumF32", "b", b, n);
  for (const [k, x] of [
    ["lr", lr],
    ["momentum", momentum],
    ["wd", wd],
  ] as const)
    requireNumber("sgdMomentumF32", k, x);
  runElementwise("sgdF32", [pv, pg, pb, n, f(lr), f(momentum), f(wd), wd === 0 ? 0 : 1, 1, nesterov ? 1 : 0], [0, 1, 2], 3);
}

function stage(kind: number, pa: number, pb: number, n: number, s1: number, s2: number): void {
  runElementwise("stageF32", [kind, pa, pb, n, s1, s2], STAGE_PTRS, 3);
}

/** Decoupled weight decay `v ← v − v·wd·lr`. @example decayF32(v, 0.004, 1e-3) */
export function decayF32(v: Float32Array, wd: number, lr: number): void {
  stage(DECAY, addressOf("decayF32", "v", v), 0, v.length, f(requireNumber("decayF32", "wd", wd)), f(requireNumber("decayF32", "lr", lr)));
}

/** EMA of the weights `avg ← m·avg + (1 − m)·v`. @example emaF32(avg, v, 0.99) */
export function emaF32(avg: Float32Array, v: Float32Array, momentum: number): void {
  const n = avg.length,
    m = f(requireNumber("emaF32", "momentum", momentum));
  stage(EMA, addressOf("emaF32", "avg", avg), addressOf("emaF32", "v", v, n), n, m, f(1 - m));
}

/** `acc ← acc + g`. @example accumulateF32(acc, g) */
export function accumulateF32(acc: Float32Array, g: Float32Array): void {
  stage(ACCUMULATE, addressOf("accumulateF32", "acc", acc), addressOf("accumulateF32", "g", g, acc.length), acc.length, 0, 0);
}

/** `acc ← (g + acc) / count` (count: a float32 value, e.g. an integer). @example averageIntoF32(acc, g, 4) */
export function averageIntoF32(acc: Float32Array, g: Float32Array, count: number): void {
  const n = acc.length;
  stage(AVERAGE_INTO, addressOf("averageIntoF32", "acc", acc), addressOf("averageIntoF32", "g", g, n), n, requireF32("averageIntoF32", "count", count), 0);
}

/** `out ← g / factor` (factor already float32). @example unscaleF32(g, Math.fround(1024), out) */
export function unscaleF32(g: Float32Array, factor: number, out: Float32Array): void {
  const n = out.length;
  stage(UNSCALE_INTO, addressOf("unscaleF32", "g", g, n), addressOf("unscaleF32", "out", out), n, requireF32("unscaleF32", "factor", factor), 0);
}

/** True when no element is NaN or ±Infinity. @example if (allFiniteF32(g)) unscaleF32(g, s, out) */
export function allFiniteF32(a: Float32Array): boolean {
  return wasmKernels().exports.allFiniteF32(addressOf("allFiniteF32", "a", a), a.length) === 1;
}

/** Σ g² accumulated in a double, in index order (one thread: a reduction keeps its order). @example sumOfSquaresF32(g) */
export function sumOfSquaresF32(g: Float32Array): number {
  return wasmKernels().exports.sumOfSquaresF32(addressOf("sumOfSquaresF32", "g", g), g.length);
}

/** `max(‖g‖, cr)` with Keras's float32 rounding (cr already float32). @example clipNormDenomF32(g, Math.fround(1)) */
export function clipNormDenomF32(g: Float32Array, cr: number): number {
  return Math.max(f(Math.sqrt(f(sumOfSquaresF32(g)))), requireF32("clipNormDenomF32", "cr", cr));
}

/** `g ← (g·cr) / denom` (both float32 values). @example scaleByNormF32(g, cr, clipNormDenomF32(g, cr)) */
export function scaleByNormF32(g: Float32Array, cr: number, denom: number): void {
  stage(SCALE_BY_NORM, addressOf("scaleByNormF32", "g", g), 0, g.length, requireF32("scaleByNormF32", "cr", cr), requireF32("scaleByNormF32", "denom", denom));
}

/** `g ← g·c / max(‖g‖, c)` with Keras's float32 rounding. @example clipByNormF32(g, 1) */
export function clipByNormF32(g: Float32Array, c: number): void {
  const cr = f(requireNumber("clipByNormF32", "c", c));
  scaleByNormF32(g, cr, clipNormDenomF32(g, cr));
}

/** `g ← g·scale` (scale already float32, as clipByGlobalNorm computes it). @example scaleF32(g, Math.fround(0.5)) */
export function scaleF32(g: Float32Array, scale: number): void {
  stage(SCALE, addressOf("scaleF32", "g", g), 0, g.length, requireF32("scaleF32", "scale", scale), 0);
}

/** `g ← clamp(g, −c, c)`, NaN kept (c already float32). @example clipByValueF32(g, Math.fround(0.5)) */
export function clipByValueF32(g: Float32Array, c: number): void {
  const cr = requireF32("clipByValueF32", "c", c);
  stage(CLIP_BY_VALUE, addressOf("clipByValueF32", "g", g), 0, g.length, cr, -cr);
}
