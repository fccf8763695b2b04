/**
 * Reductions over axes: sum, mean, max, min and logsumexp, each with `axis` (a number, a list,
 * or none for all) and `keepDims`. Multi-axis reductions reduce one axis at a time over the
 * [outer, n, inner] view, which keeps every inner loop contiguous. Recorded backward passes
 * (higher order) spread the gradient back with `reshape` + the recorded expand instead of raw loops.
 */
import { FloatArray, allocate } from "../dtype";
import { fmt, normalizeAxes } from "../shape";
import { Tensor } from "../tensor";
import { isGradEnabled, maskedGradient, record } from "../autograd";
import { expandRecorded, expandValues, sumToShape } from "./broadcast";
import { reshape } from "./layout";
import { div, mul, sub } from "./binary";
import { exp } from "./unary";
import { axisView } from "./axes";
import { checkOptionKeys } from "../check";
import { checkTensor } from "./operand";

/** Options of the reductions: which axes (default all) and whether to keep them as size 1. @example sum(x, { axis: 1, keepDims: true }) */
export interface ReduceOptions {
  axis?: number | number[];
  keepDims?: boolean;
}

type Kind = "sum" | "max" | "min";

function reduceOneAxis(v: FloatArray, shape: number[], axis: number, kind: Kind): FloatArray {
  const { outer, n, inner } = axisView(shape, axis);
  const out = allocate(v instanceof Float64Array ? "float64" : "float32", outer * inner);
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    const ib = o * n * inner;
    if (kind === "sum") {
      for (let k = 0; k < n; k++) {
        const row = ib + k * inner;
        for (let i = 0; i < inner; i++) out[ob + i] += v[row + i];
      }
    } else {
      // An empty axis (n = 0; only logsumexp gets here, max/min throw first) starts from the identity ∓∞.
      for (let i = 0; i < inner; i++) out[ob + i] = n > 0 ? v[ib + i] : kind === "max" ? -Infinity : Infinity;
      for (let k = 1; k < n; k++) {
        const row = ib + k * inner;
        for (let i = 0; i < inner; i++) {
          const x = v[row + i];
          const cur = out[ob + i];
          // NaN wins, as in PyTorch (x !== x is the NaN test)
          if (kind === "max" ? x > cur || x !== x : x < cur || x !== x) out[ob + i] = x;
        }
      }
    }
  }
  return out;
}

/** Reduces `x` over `axes`; returns values with the keepDims shape, plus both shapes. */
function reduceValues(x: Tensor, axes: number[], kind: Kind): { values: FloatArray; keptShape: number[] } {
  let values: FloatArray = x.values;
  const shape = x.shape.slice();
  for (let j = axes.length - 1; j >= 0; j--) {
    values = reduceOneAxis(values, shape, axes[j], kind);
    shape[axes[j]] = 1;
  }
  if (axes.length === 0) values = values.slice();
  return { values, keptShape: shape };
}

function outputShape(x: Tensor, axes: number[], keepDims: boolean): number[] {
  return keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

function resolve(x: Tensor, opts: ReduceOptions, op: string): number[] {
  checkTensor(op, "x", x);
  // A misspelled key ({ axes: 1 }) would otherwise silently reduce over every axis.
  checkOptionKeys(op, opts, ["axis", "keepDims"]);
  return normalizeAxes(opts.axis, x.rank, op);
}

/** A reduced tensor spread back over the reduced axes, as recorded ops (higher-order backward). */
function spread(t: Tensor, keptShape: readonly number[], shape: readonly number[]): Tensor {
  return expandRecorded(reshape(t, keptShape), shape);
}

/**
 * Sum over `axis` (all axes when omitted).
 * @example sum(tensor([[1, 2], [3, 4]]), { axis: 0 }) // [4, 6]
 */
export function sum(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = resolve(x, opts, "sum");
  const { values, keptShape } = reduceValues(x, axes, "sum");
  const out = new Tensor(values, outputShape(x, axes, opts.keepDims ?? false));
  return record(
    "sum",
    [x],
    out,
    (g) => {
      if (isGradEnabled()) return [spread(g, keptShape, x.shape)];
      return [new Tensor(expandValues(g.values, keptShape, x.shape), x.shape)];
    },
    true,
  );
}

/**
 * Mean over `axis` (all axes when omitted); the mean of nothing is NaN, as in PyTorch.
 * @example mean(tensor([1, 2, 3, 4])) // 2.5
 */
export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = resolve(x, opts, "mean");
  const { values, keptShape } = reduceValues(x, axes, "sum");
  let count = 1;
  for (const a of axes) count *= x.shape[a];
  for (let i = 0; i < values.length; i++) values[i] /= count;
  const out = new Tensor(values, outputShape(x, axes, opts.keepDims ?? false));
  return record(
    "mean",
    [x],
    out,
    (g) => {
      if (isGradEnabled()) return [div(spread(g, keptShape, x.shape), count)];
      const d = expandValues(g.values, keptShape, x.shape);
      for (let i = 0; i < d.length; i++) d[i] /= count;
      return [new Tensor(d, x.shape)];
    },
    true,
  );
}

function extremum(kind: "max" | "min") {
  return (x: Tensor, opts: ReduceOptions = {}): Tensor => {
    const axes = resolve(x, opts, kind);
    for (const a of axes) {
      if (x.shape[a] === 0) throw new Error(`${kind}: cannot reduce over axis ${a} of size 0 (shape ${fmt(x.shape)})`);
    }
    const { values, keptShape } = reduceValues(x, axes, kind);
    const out = new Tensor(values, outputShape(x, axes, opts.keepDims ?? false));
    return record(
      kind,
      [x],
      out,
      (g) => {
        // The gradient goes to the elements equal to the extremum, split evenly among ties
        // (PyTorch's amax/amin rule).
        const xv = x.values;
        const best = expandValues(values, keptShape, x.shape);
        const mask = allocate(x.dtype, xv.length);
        for (let i = 0; i < xv.length; i++) mask[i] = xv[i] === best[i] ? 1 : 0;
        const counts = expandValues(sumToShape(mask, x.shape, keptShape), keptShape, x.shape);
        const pick = (gt: Tensor): Tensor => {
          const gv = gt.values;
          const d = allocate(x.dtype, gv.length);
          for (let i = 0; i < d.length; i++) d[i] = mask[i] !== 0 ? gv[i] / counts[i] : 0;
          return new Tensor(d, x.shape);
        };
        if (isGradEnabled()) return [maskedGradient(`${kind}Backward`, spread(g, keptShape, x.shape), pick)];
        return [pick(new Tensor(expandValues(g.values, keptShape, x.shape), x.shape))];
      },
      true,
    );
  };
}

/** Maximum over `axis`. @example max(tensor([[1, 5], [7, 2]]), { axis: 1 }) // [5, 7] */
export const max = extremum("max");
/** Minimum over `axis`. @example min(tensor([3, 1, 2])) // 1 */
export const min = extremum("min");

/**
 * log(sum(exp(x))) over `axis`, computed stably as m + log(sum(exp(x - m))) with m the max.
 * Its gradient is softmax(x) along the reduced axes.
 * @example logsumexp(tensor([0, 0])) // log 2
 */
export function logsumexp(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = resolve(x, opts, "logsumexp");
  const { values: m, keptShape } = reduceValues(x, axes, "max");
  for (let i = 0; i < m.length; i++) if (!Number.isFinite(m[i])) m[i] = m[i] !== m[i] ? m[i] : 0; // all -inf rows: shift by 0
  const xv = x.values;
  const shifted = expandValues(m, keptShape, x.shape);
  const e = allocate(x.dtype, xv.length);
  for (let i = 0; i < e.length; i++) e[i] = Math.exp(xv[i] - shifted[i]);
  const s = sumToShape(e, x.shape, keptShape);
  const values = allocate(x.dtype, s.length);
  for (let i = 0; i < s.length; i++) values[i] = Math.log(s[i]) + m[i];
  const out = new Tensor(values, outputShape(x, axes, opts.keepDims ?? false));
  return record(
    "logsumexp",
    [x],
    out,
    (g) => {
      if (isGradEnabled()) return [mul(spread(g, keptShape, x.shape), exp(sub(x, spread(out, keptShape, x.shape))))];
      const lse = expandValues(values, keptShape, x.shape);
      const gv = expandValues(g.values, keptShape, x.shape);
      const d = allocate(x.dtype, xv.length);
      for (let i = 0; i < d.length; i++) d[i] = gv[i] * Math.exp(xv[i] - lse[i]);
      return [new Tensor(d, x.shape)];
    },
    true,
  );
}
