/**
 * Max pooling's backward pass as an op of its own, so a recorded backward pass (higher order) can
 * be differentiated again. It scatters g to the recorded arg-max of each window: linear in g, so
 * its derivative is its adjoint, the gather from those positions. The arg-max is piecewise
 * constant in the pooled input, so the derivative with respect to that input is zero almost
 * everywhere (ties: wherever the forward put the maximum).
 */
import { record } from "../autograd";
import { allocate } from "../dtype";
import { Tensor } from "../tensor";

/**
 * maxPool2d's backward: g [N, C, OH, OW] added onto a zero tensor of the pooled input's shape
 * at `argmax` (each output's flat input index, from the forward). Recorded, its derivative the gather.
 * @example maxPool2dBackward(g, argmax, x.shape).shape // x.shape
 */
export function maxPool2dBackward(g: Tensor, argmax: Int32Array, inputShape: readonly number[]): Tensor {
  const gv = g.values;
  let size = 1;
  for (const n of inputShape) size *= n;
  const d = allocate(g.dtype, size);
  for (let o = 0; o < gv.length; o++) d[argmax[o]] += gv[o];
  return record("maxPool2dBackward", [g], new Tensor(d, inputShape.slice()), (h) => [maxPool2dGather(h, argmax, g.shape)], true);
}

/** The adjoint of maxPool2dBackward: h (shaped as the pooled input) read at `argmax`, shaped as the pool's output. */
function maxPool2dGather(h: Tensor, argmax: Int32Array, outputShape: readonly number[]): Tensor {
  const hv = h.values;
  const out = allocate(h.dtype, argmax.length);
  for (let o = 0; o < out.length; o++) out[o] = hv[argmax[o]];
  return record("maxPool2dGather", [h], new Tensor(out, outputShape.slice()), (k) => [maxPool2dBackward(k, argmax, h.shape)], true);
}
