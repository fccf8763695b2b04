/**
 * softmax and logSoftmax along one axis, each a single stable kernel (the max is subtracted
 * before exponentiating, so large logits never overflow) with a closed-form backward:
 *   softmax:     dx = y ⊙ (g − Σ g⊙y)
 *   logSoftmax:  dx = g − softmax(x) · Σ g
 */
import { FloatArray, allocate } from "../dtype";
import { normalizeAxis } from "../shape";
import { Tensor } from "../tensor";
import { isGradEnabled, record } from "../autograd";
import { mul, sub } from "./binary";
import { exp } from "./unary";
import { sum } from "./reduce";
import { axisView } from "./axes";
import { checkTensor } from "./operand";
import { expSum, laneMax } from "./logsumexp";

function forEachLane(shape: readonly number[], axis: number, body: (start: number, stride: number, n: number) => void): void {
  const { outer, n, inner } = axisView(shape, axis);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) body(o * n * inner + i, inner, n);
}

function softmaxValues(xv: FloatArray, shape: readonly number[], axis: number, log: boolean): FloatArray {
  const out = allocate(xv instanceof Float64Array ? "float64" : "float32", xv.length);
  forEachLane(shape, axis, (start, stride, n) => {
    const m = laneMax(xv, start, stride, n);
    const s = expSum(xv, start, stride, n, m, out);
    if (log) {
      const lse = Math.log(s) + m;
      for (let k = 0, p = start; k < n; k++, p += stride) out[p] = xv[p] - lse;
    } else {
      for (let k = 0, p = start; k < n; k++, p += stride) out[p] /= s;
    }
  });
  return out;
}

function check(x: Tensor, axis: number, op: string): number {
  checkTensor(op, "x", x);
  if (x.rank === 0) throw new Error(`${op}: needs at least one axis, got a scalar`);
  return normalizeAxis(axis, x.rank, op);
}

/**
 * exp(x) / Σ exp(x) along `axis` (default the last).
 * @example softmax(tensor([[1, 2, 3]])) // [[0.090, 0.245, 0.665]]
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = check(x, axis, "softmax");
  const yv = softmaxValues(x.values, x.shape, a, false);
  const y = new Tensor(yv, x.shape);
  return record(
    "softmax",
    [x],
    y,
    (g) => {
      // recorded (higher order): y·(g − Σ g·y), as ops
      if (isGradEnabled()) return [mul(y, sub(g, sum(mul(g, y), { axis: a, keepDims: true })))];
      const gv = g.values;
      const d = allocate(x.dtype, yv.length);
      forEachLane(x.shape, a, (start, stride, n) => {
        let dot = 0;
        for (let k = 0, p = start; k < n; k++, p += stride) dot += gv[p] * yv[p];
        for (let k = 0, p = start; k < n; k++, p += stride) d[p] = yv[p] * (gv[p] - dot);
      });
      return [new Tensor(d, x.shape)];
    },
    true,
  );
}

/**
 * log(softmax(x)) along `axis`, computed as x − logsumexp(x) (exact for large logits).
 * @example logSoftmax(tensor([0, 0])) // [-0.693, -0.693]
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = check(x, axis, "logSoftmax");
  const yv = softmaxValues(x.values, x.shape, a, true);
  const y = new Tensor(yv, x.shape);
  return record(
    "logSoftmax",
    [x],
    y,
    (g) => {
      // recorded (higher order): g − exp(y)·Σ g, as ops
      if (isGradEnabled()) return [sub(g, mul(exp(y), sum(g, { axis: a, keepDims: true })))];
      const gv = g.values;
      const d = allocate(x.dtype, yv.length);
      forEachLane(x.shape, a, (start, stride, n) => {
        let total = 0;
        for (let k = 0, p = start; k < n; k++, p += stride) total += gv[p];
        for (let k = 0, p = start; k < n; k++, p += stride) d[p] = gv[p] - Math.exp(yv[p]) * total;
      });
      return [new Tensor(d, x.shape)];
    },
    true,
  );
}
