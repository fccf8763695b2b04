/**
 * Shape and layout ops: reshape, transpose, flatten, squeeze, unsqueeze, concat, stack, slice
 * and broadcastTo. Reshapes share storage (tensors are always contiguous, so a new shape is a
 * new view); the others copy with a tight loop.
 */
import { allocate } from "../dtype";
import { checkShape, fmt, normalizeAxis, sameShape, sizeOf, stridesOf, broadcastShapes } from "../shape";
import { Tensor } from "../tensor";
import { isGradEnabled, record } from "../autograd";
import { expandValues, unbroadcast } from "./broadcast";
import { axisView } from "./axes";
import { show } from "../check";
import { checkTensor } from "./operand";

/**
 * Same values, new shape (one entry may be -1: inferred). Shares storage with `x`.
 * @example reshape(arange(6), [2, -1]) // shape [2,3]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", "x", x);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new Error(`reshape: shape must be integers >= -1, got ${show(shape)}`);
  }
  const target = shape.slice();
  const unknown = target.indexOf(-1);
  if (unknown !== target.lastIndexOf(-1)) throw new Error(`reshape: only one -1 allowed, got ${fmt(target)}`);
  if (unknown >= 0) {
    const known = sizeOf(target.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(target)}`);
    }
    target[unknown] = x.size / known;
  }
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) into ${fmt(target)} (${sizeOf(target)} elements)`);
  }
  return record("reshape", [x], new Tensor(x.values, target), (g) => [isGradEnabled() ? reshape(g, x.shape) : new Tensor(g.values, x.shape)], true);
}

/** Permuted copy of the values: out[idx] = x[idx permuted back]. */
function permuteValues(x: Tensor, perm: number[]) {
  const rank = x.rank;
  const outShape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const strides = perm.map((p) => inStrides[p]); // input stride for each output dim
  const xv = x.values;
  const out = allocate(x.dtype, x.size);
  if (x.size === 0) return { out, outShape };
  if (rank === 2 && perm[0] === 1) {
    const [r, c] = x.shape;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = xv[i * c + j];
    return { out, outShape };
  }
  const counter = new Array<number>(rank).fill(0);
  const inner = rank > 0 ? outShape[rank - 1] : 1;
  const innerStride = rank > 0 ? strides[rank - 1] : 0;
  let base = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = xv[base + j * innerStride];
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      base += strides[d];
      if (counter[d] < outShape[d]) break;
      base -= strides[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return { out, outShape };
}

/**
 * Permutes the axes (reverses them when `perm` is omitted, like numpy's `.T`).
 * @example transpose(zeros([2, 3, 4]), [0, 2, 1]) // shape [2,4,3]
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor("transpose", "x", x);
  const p = perm === undefined ? x.shape.map((_, i) => x.rank - 1 - i) : Array.from(perm);
  const valid = p.length === x.rank && p.every((a) => Number.isInteger(a)) && new Set(p.map((a) => (a < 0 ? a + x.rank : a))).size === x.rank;
  if (!valid) throw new Error(`transpose: perm ${show(perm)} is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  const norm = p.map((a) => normalizeAxis(a, x.rank, "transpose"));
  const { out, outShape } = permuteValues(x, norm);
  const inverse = new Array<number>(norm.length);
  norm.forEach((a, i) => (inverse[a] = i));
  return record(
    "transpose",
    [x],
    new Tensor(out, outShape),
    (g) => [isGradEnabled() ? transpose(g, inverse) : new Tensor(permuteValues(g, inverse).out, x.shape)],
    true,
  );
}

/**
 * Collapses axes `startAxis..end` into one.
 * @example flatten(zeros([2, 3, 4]), 1) // shape [2,12]
 */
export function flatten(x: Tensor, startAxis = 0): Tensor {
  checkTensor("flatten", "x", x);
  if (x.rank === 0) return reshape(x, [1]);
  const s = normalizeAxis(startAxis, x.rank, "flatten");
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s))]);
}

/**
 * Removes size-1 axes (all of them, or just `axis`, which must have size 1).
 * @example squeeze(zeros([1, 3, 1])) // shape [3]
 */
export function squeeze(x: Tensor, axis?: number): Tensor {
  checkTensor("squeeze", "x", x);
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normalizeAxis(axis, x.rank, "squeeze");
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} of shape ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

/**
 * Inserts a size-1 axis at `axis` (negative counts from the end of the result).
 * @example unsqueeze(zeros([3]), 0) // shape [1,3]
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor("unsqueeze", "x", x);
  const a = normalizeAxis(axis, x.rank + 1, "unsqueeze");
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/**
 * Joins tensors along an existing axis; all other dims must agree.
 * @example concat([zeros([2, 3]), ones([1, 3])], 0) // shape [3,3]
 */
export function concat(xs: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error("concat: needs a non-empty array of tensors");
  xs.forEach((x) => checkTensor("concat", "every input", x));
  const first = xs[0];
  if (first.rank === 0) throw new Error("concat: cannot concatenate scalars (use stack)");
  const a = normalizeAxis(axis, first.rank, "concat");
  for (const x of xs) {
    const ok = x.rank === first.rank && x.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!ok) throw new Error(`concat: shapes ${xs.map((t) => fmt(t.shape)).join(", ")} differ outside axis ${a}`);
    if (x.dtype !== first.dtype) throw new Error(`concat: dtypes differ: ${first.dtype} and ${x.dtype}`);
  }
  const total = xs.reduce((s, x) => s + x.shape[a], 0);
  const outShape = first.shape.slice();
  outShape[a] = total;
  const { outer, inner } = axisView(outShape, a);
  const out = allocate(first.dtype, sizeOf(outShape));
  let offset = 0;
  for (const x of xs) {
    const len = x.shape[a] * inner;
    const xv = x.values;
    for (let o = 0; o < outer; o++) out.set(xv.subarray(o * len, (o + 1) * len), o * total * inner + offset);
    offset += len;
  }
  return record(
    "concat",
    xs,
    new Tensor(out, outShape),
    (g) => {
      if (isGradEnabled()) {
        // recorded: each input's block of g is a slice, whose derivative is a concat with zeros
        let at = 0;
        return xs.map((x) => {
          const begin = new Array<number>(g.rank).fill(0);
          begin[a] = at;
          at += x.shape[a];
          return x.requiresGrad ? slice(g, begin, x.shape) : null;
        });
      }
      const gv = g.values;
      let off = 0;
      return xs.map((x) => {
        const len = x.shape[a] * inner;
        const start = off;
        off += len;
        if (!x.requiresGrad) return null;
        const d = allocate(x.dtype, x.size);
        for (let o = 0; o < outer; o++) d.set(gv.subarray(o * total * inner + start, o * total * inner + start + len), o * len);
        return new Tensor(d, x.shape);
      });
    },
    true,
  );
}

/**
 * Joins same-shaped tensors along a new axis.
 * @example stack([zeros([3]), ones([3])], 0) // shape [2,3]
 */
export function stack(xs: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error("stack: needs a non-empty array of tensors");
  xs.forEach((x) => checkTensor("stack", "every input", x));
  for (const x of xs) {
    if (!sameShape(x.shape, xs[0].shape)) throw new Error(`stack: all shapes must be equal, got ${xs.map((t) => fmt(t.shape)).join(", ")}`);
  }
  const a = normalizeAxis(axis, xs[0].rank + 1, "stack");
  return concat(
    xs.map((x) => unsqueeze(x, a)),
    a,
  );
}

/**
 * A block of `x` starting at `begin` with `size` (-1: to the end), TF.js style.
 * @example slice(arange(10), [2], [3]) // [2, 3, 4]
 */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  checkTensor("slice", "x", x);
  if (!Array.isArray(begin) || !Array.isArray(size) || begin.length !== x.rank || size.length !== x.rank) {
    throw new Error(`slice: begin and size need ${x.rank} entries for shape ${fmt(x.shape)}, got begin=${show(begin)}, size=${show(size)}`);
  }
  const sz = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  for (let i = 0; i < x.rank; i++) {
    if (!Number.isInteger(begin[i]) || !Number.isInteger(sz[i]) || begin[i] < 0 || sz[i] < 0 || begin[i] + sz[i] > x.shape[i]) {
      throw new Error(`slice: begin ${show(begin)} with size ${show(size)} is out of bounds for shape ${fmt(x.shape)}`);
    }
  }
  const inStrides = stridesOf(x.shape);
  const rank = x.rank;
  const n = sizeOf(sz);
  // offsets[k] = flat input index of the k-th output row (the innermost dim is copied whole)
  const rows = rank === 0 ? 1 : n / Math.max(1, sz[rank - 1]);
  const rowLen = rank === 0 ? 1 : sz[rank - 1];
  const offsets = new Int32Array(n === 0 ? 0 : rows);
  if (n > 0) {
    const counter = new Array<number>(rank).fill(0);
    let base = 0;
    for (let i = 0; i < rank; i++) base += begin[i] * inStrides[i];
    for (let r = 0; r < rows; r++) {
      offsets[r] = base;
      for (let d = rank - 2; d >= 0; d--) {
        counter[d]++;
        base += inStrides[d];
        if (counter[d] < sz[d]) break;
        base -= inStrides[d] * sz[d];
        counter[d] = 0;
      }
    }
  }
  const xv = x.values;
  const out = allocate(x.dtype, n);
  for (let r = 0; r < offsets.length; r++) out.set(xv.subarray(offsets[r], offsets[r] + rowLen), r * rowLen);
  return record(
    "slice",
    [x],
    new Tensor(out, sz),
    (g) => {
      if (isGradEnabled()) return [padInto(g, x, offsets, rowLen)];
      const d = allocate(x.dtype, x.size);
      const gv = g.values;
      for (let r = 0; r < offsets.length; r++) d.set(gv.subarray(r * rowLen, (r + 1) * rowLen), offsets[r]);
      return [new Tensor(d, x.shape)];
    },
    true,
  );
}

/** slice's backward as a recorded op: g placed into zeros of x's shape; its derivative is the slice again. */
function padInto(g: Tensor, x: Tensor, offsets: Int32Array, rowLen: number): Tensor {
  const d = allocate(x.dtype, x.size);
  const gv = g.values;
  for (let r = 0; r < offsets.length; r++) d.set(gv.subarray(r * rowLen, (r + 1) * rowLen), offsets[r]);
  return record("sliceBackward", [g], new Tensor(d, x.shape), (gg) => [sliceRows(gg, g, offsets, rowLen)], true);
}

/** The rows of `src` at `offsets` gathered into `like`'s shape, recorded (padInto's adjoint). */
function sliceRows(src: Tensor, like: Tensor, offsets: Int32Array, rowLen: number): Tensor {
  const out = allocate(like.dtype, like.size);
  const v = src.values;
  for (let r = 0; r < offsets.length; r++) out.set(v.subarray(offsets[r], offsets[r] + rowLen), r * rowLen);
  return record("sliceRows", [src], new Tensor(out, like.shape), (gg) => [padInto(gg, src, offsets, rowLen)], true);
}

/**
 * Repeats `x` along broadcast dims to reach `shape` (NumPy rules).
 * @example broadcastTo(tensor([1, 2]), [3, 2]) // [[1,2],[1,2],[1,2]]
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("broadcastTo", "x", x);
  const target = checkShape(shape, "broadcastTo");
  const common = broadcastShapes(x.shape, target, "broadcastTo");
  if (!sameShape(common, target)) throw new Error(`broadcastTo: ${fmt(x.shape)} cannot be broadcast to ${fmt(target)}`);
  return record("broadcastTo", [x], new Tensor(expandValues(x.values, x.shape, target), target), (g) => [unbroadcast(g, x.shape)], true);
}
