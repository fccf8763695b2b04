/** Comparisons (0/1 results, no gradient), `where` and `clip`. */
import { allocate } from "../dtype";
import { broadcastShapes } from "../shape";
import { Tensor } from "../tensor";
import { isGradEnabled, maskedGradient, record } from "../autograd";
import { expandValues, unbroadcast } from "./broadcast";
import { TensorLike, asPair, asTensor } from "./operand";
import { checkTensor } from "./operand";

function compare(name: string, test: (p: number, q: number) => boolean) {
  const op = (x: TensorLike, y: TensorLike): Tensor => {
    const [a, b] = asPair(x, y, name);
    const shape = broadcastShapes(a.shape, b.shape, name);
    const av = expandValues(a.values, a.shape, shape);
    const bv = expandValues(b.values, b.shape, shape);
    const out = allocate(a.dtype, av.length);
    for (let i = 0; i < out.length; i++) out[i] = test(av[i], bv[i]) ? 1 : 0;
    return new Tensor(out, shape); // piecewise constant: no gradient flows through a comparison
  };
  Object.defineProperty(op, "name", { value: name });
  return op;
}

/** 1 where a == b, else 0. @example equal(tensor([1, 2]), 2) // [0, 1] */
export const equal = compare("equal", (p, q) => p === q);
/** 1 where a != b. */
export const notEqual = compare("notEqual", (p, q) => p !== q);
/** 1 where a > b. @example greater(tensor([1, 3]), 2) // [0, 1] */
export const greater = compare("greater", (p, q) => p > q);
/** 1 where a >= b. */
export const greaterEqual = compare("greaterEqual", (p, q) => p >= q);
/** 1 where a < b. */
export const less = compare("less", (p, q) => p < q);
/** 1 where a <= b. */
export const lessEqual = compare("lessEqual", (p, q) => p <= q);

/**
 * Picks `a` where `cond` is nonzero, else `b`, broadcasting all three. Gradients flow to the
 * branch that was picked; `cond` gets none.
 * @example where(tensor([1, 0]), tensor([1, 2]), tensor([9, 9])) // [1, 9]
 */
export function where(cond: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = asPair(x, y, "where");
  const c = asTensor(cond, a.dtype, "where");
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape, "where"), b.shape, "where");
  const cv = expandValues(c.values, c.shape, shape);
  const av = expandValues(a.values, a.shape, shape);
  const bv = expandValues(b.values, b.shape, shape);
  const out = allocate(a.dtype, cv.length);
  for (let i = 0; i < out.length; i++) out[i] = cv[i] !== 0 ? av[i] : bv[i];
  return record(
    "where",
    [a, b],
    new Tensor(out, shape),
    (g) => {
      const pick = (t: Tensor, whenTrue: boolean): Tensor | null => {
        if (!t.requiresGrad) return null;
        const apply = (gt: Tensor): Tensor => {
          const gv = gt.values;
          const d = allocate(a.dtype, gv.length);
          for (let i = 0; i < d.length; i++) d[i] = (cv[i] !== 0) === whenTrue ? gv[i] : 0;
          return new Tensor(d, shape);
        };
        return unbroadcast(isGradEnabled() ? maskedGradient("whereBackward", g, apply) : apply(g), t.shape);
      };
      return [pick(a, true), pick(b, false)];
    },
    true,
  );
}

/**
 * Clamps into [min, max] (either bound may be null for none). The gradient passes where
 * min <= x <= max, as in PyTorch.
 * @example clip(tensor([-2, 0.5, 3]), -1, 1) // [-1, 0.5, 1]
 */
export function clip(x: Tensor, min: number | null, max: number | null): Tensor {
  checkTensor("clip", "x", x);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (typeof lo !== "number" || typeof hi !== "number" || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new Error(`clip: need numbers min <= max, got min=${min}, max=${max}`);
  }
  const xv = x.values;
  const out = allocate(x.dtype, xv.length);
  for (let i = 0; i < out.length; i++) {
    const v = xv[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  const passes = (gt: Tensor): Tensor => {
    const gv = gt.values;
    const d = allocate(x.dtype, gv.length);
    for (let i = 0; i < d.length; i++) d[i] = xv[i] >= lo && xv[i] <= hi ? gv[i] : 0;
    return new Tensor(d, x.shape);
  };
  return record("clip", [x], new Tensor(out, x.shape), (g) => [isGradEnabled() ? maskedGradient("clipBackward", g, passes) : passes(g)], true);
}
