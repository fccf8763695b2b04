/**
 * The stable max-then-exp-sum loop over one lane, shared by softmax, logSoftmax and the fused
 * cross-entropy: the lane's max is subtracted before exponentiating, so large logits never
 * overflow. A lane of only −∞ uses 0 as its max, keeping exp() NaN-free (as PyTorch).
 *
 * @example const m = laneMax(x, 0, 1, n); const s = expSum(x, 0, 1, n, m, null); const lse = Math.log(s) + m;
 */
import type { FloatArray } from "../dtype";

/** max over `x[start + k·stride]`, k < n; 0 when every element is −∞ (or n is 0). */
export function laneMax(x: FloatArray, start: number, stride: number, n: number): number {
  let m = -Infinity;
  for (let k = 0, p = start; k < n; k++, p += stride) if (x[p] > m) m = x[p];
  return m === -Infinity ? 0 : m;
}

/** Σ exp(x − m) over the lane; also stores each exp(x − m) into `out` at the same index when given. */
export function expSum(x: FloatArray, start: number, stride: number, n: number, m: number, out: FloatArray | null): number {
  let s = 0;
  if (out === null) {
    for (let k = 0, p = start; k < n; k++, p += stride) s += Math.exp(x[p] - m);
    return s;
  }
  for (let k = 0, p = start; k < n; k++, p += stride) {
    const e = Math.exp(x[p] - m);
    out[p] = e;
    s += e;
  }
  return s;
}
