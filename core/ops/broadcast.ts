/**
 * The two halves of broadcasting, shared by every op: `expandValues` materialises a tensor at a
 * broadcast shape (forward), and `unbroadcast` sums a gradient back down to an input's shape
 * (backward): the sum over every axis that broadcasting stretched or prepended.
 */
import { FloatArray, allocate } from "../dtype";
import { Shape, broadcastStrides, fmt, sameShape, sizeOf, stridesOf } from "../shape";
import { Tensor } from "../tensor";
import { record } from "../autograd";

/** Values of `src` (shape `from`) laid out contiguously at the broadcast shape `to`. */
export function expandValues(src: FloatArray, from: Shape, to: Shape): FloatArray {
  const n = sizeOf(to);
  const out = allocate(src instanceof Float64Array ? "float64" : "float32", n);
  if (sameShape(from, to)) {
    out.set(src);
    return out;
  }
  if (src.length === 1) {
    out.fill(src[0]);
    return out;
  }
  const rank = to.length;
  const strides = broadcastStrides(from, to);
  const inner = to[rank - 1];
  const innerStride = strides[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let base = 0;
  for (let o = 0; o < n; o += inner) {
    if (innerStride === 0) out.fill(src[base], o, o + inner);
    else for (let j = 0; j < inner; j++) out[o + j] = src[base + j * innerStride];
    // advance the counter over all but the innermost dim
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      base += strides[d];
      if (counter[d] < to[d]) break;
      base -= strides[d] * to[d];
      counter[d] = 0;
    }
  }
  return out;
}

/** `expandValues` on a tensor: a new tensor (no tape node) of shape `to`. */
export function expandTensor(t: Tensor, to: Shape): Tensor {
  return new Tensor(expandValues(t.values, t.shape, to), to);
}

/**
 * Sums `values` (laid out at shape `from`) down to shape `to`, which must broadcast to `from`.
 * This is the reverse of broadcasting: every gradient of a broadcast input goes through it.
 */
export function sumToShape(values: FloatArray, from: Shape, to: Shape): FloatArray {
  const out = allocate(values instanceof Float64Array ? "float64" : "float32", sizeOf(to));
  if (sameShape(from, to)) {
    out.set(values);
    return out;
  }
  if (out.length === 1) {
    let s = 0;
    for (let i = 0; i < values.length; i++) s += values[i];
    out[0] = s;
    return out;
  }
  const rank = from.length;
  const strides = broadcastStrides(to, from); // where each `from` index lands in `out`
  const inner = from[rank - 1];
  const innerStride = strides[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let base = 0;
  const n = values.length;
  for (let o = 0; o < n; o += inner) {
    if (innerStride === 0) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += values[o + j];
      out[base] += s;
    } else {
      for (let j = 0; j < inner; j++) out[base + j * innerStride] += values[o + j];
    }
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      base += strides[d];
      if (counter[d] < from[d]) break;
      base -= strides[d] * from[d];
      counter[d] = 0;
    }
  }
  return out;
}

/**
 * The gradient `g` (shape of a broadcast result) reduced to `shape` (an input's shape).
 * Returns `g` itself when no broadcasting happened. An op of its own (recorded only when the
 * backward pass is): its derivative is the broadcast back, whose derivative is this again.
 */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  if (shape.length > g.shape.length) {
    throw new Error(`unbroadcast: gradient of shape ${fmt(g.shape)} cannot reduce to the larger shape ${fmt(shape)}`);
  }
  const from = g.shape;
  return record("sumToShape", [g], new Tensor(sumToShape(g.values, from, shape), shape), (gg) => [expandRecorded(gg, from)], true);
}

/** `expandTensor` recorded as an op (the derivative of `unbroadcast`). */
export function expandRecorded(t: Tensor, to: Shape): Tensor {
  if (sameShape(t.shape, to)) return t;
  const from = t.shape;
  return record("expand", [t], expandTensor(t, to), (g) => [unbroadcast(g, from)], true);
}

export { stridesOf };
