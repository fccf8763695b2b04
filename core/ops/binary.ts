/**
 * Elementwise binary ops with NumPy broadcasting. Operands are expanded to the common shape
 * (a no-op when shapes already agree), the kernel is a flat loop, and each backward sums its
 * gradient back to the operand's shape with the shared `unbroadcast`. When the backward pass is
 * recorded (higher order), each closure computes the same gradient with these very ops instead.
 */
import { FloatArray, allocate } from "../dtype";
import { broadcastShapes, sameShape } from "../shape";
import { Tensor } from "../tensor";
import { isGradEnabled, maskedGradient, record } from "../autograd";
import { expandValues, unbroadcast } from "./broadcast";
import { TensorLike, asPair } from "./operand";

interface Prepared {
  a: Tensor;
  b: Tensor;
  shape: number[];
  av: FloatArray;
  bv: FloatArray;
}

function prepare(x: TensorLike, y: TensorLike, op: string): Prepared {
  const [a, b] = asPair(x, y, op);
  // the common case first: one shape, nothing to broadcast
  if (sameShape(a.shape, b.shape)) return { a, b, shape: a.shape as number[], av: a.values, bv: b.values };
  const shape = broadcastShapes(a.shape, b.shape, op);
  const av = sameShape(a.shape, shape) ? a.values : expandValues(a.values, a.shape, shape);
  const bv = sameShape(b.shape, shape) ? b.values : expandValues(b.values, b.shape, shape);
  return { a, b, shape, av, bv };
}

/** g reduced to `t`'s shape, or null when `t` needs no gradient. */
function gradFor(t: Tensor, values: FloatArray, shape: number[]): Tensor | null {
  return t.requiresGrad ? unbroadcast(new Tensor(values, shape), t.shape) : null;
}

/** a + b. @example add(tensor([[1, 2]]), tensor([10, 20])) // [[11, 22]] */
export function add(x: TensorLike, y: TensorLike): Tensor {
  const { a, b, shape, av, bv } = prepare(x, y, "add");
  const out = allocate(a.dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = av[i] + bv[i];
  return record(
    "add",
    [a, b],
    new Tensor(out, shape),
    (g) => [a.requiresGrad ? unbroadcast(g, a.shape) : null, b.requiresGrad ? unbroadcast(g, b.shape) : null],
    true,
  );
}

/** a - b. @example sub(tensor([3]), 1) // [2] */
export function sub(x: TensorLike, y: TensorLike): Tensor {
  const { a, b, shape, av, bv } = prepare(x, y, "sub");
  const out = allocate(a.dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = av[i] - bv[i];
  return record(
    "sub",
    [a, b],
    new Tensor(out, shape),
    (g) => {
      if (isGradEnabled()) return [a.requiresGrad ? unbroadcast(g, a.shape) : null, b.requiresGrad ? unbroadcast(mul(g, -1), b.shape) : null];
      let gb: Tensor | null = null;
      if (b.requiresGrad) {
        const nv = allocate(a.dtype, g.size);
        const gv = g.values;
        for (let i = 0; i < nv.length; i++) nv[i] = -gv[i];
        gb = unbroadcast(new Tensor(nv, shape), b.shape);
      }
      return [a.requiresGrad ? unbroadcast(g, a.shape) : null, gb];
    },
    true,
  );
}

/** a * b. @example mul(tensor([1, 2]), 3) // [3, 6] */
export function mul(x: TensorLike, y: TensorLike): Tensor {
  const { a, b, shape, av, bv } = prepare(x, y, "mul");
  const out = allocate(a.dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = av[i] * bv[i];
  return record(
    "mul",
    [a, b],
    new Tensor(out, shape),
    (g) => {
      if (isGradEnabled()) return [a.requiresGrad ? unbroadcast(mul(g, b), a.shape) : null, b.requiresGrad ? unbroadcast(mul(g, a), b.shape) : null];
      const gv = g.values;
      let ga: Tensor | null = null,
        gb: Tensor | null = null;
      if (a.requiresGrad) {
        const d = allocate(a.dtype, gv.length);
        for (let i = 0; i < d.length; i++) d[i] = gv[i] * bv[i];
        ga = gradFor(a, d, shape);
      }
      if (b.requiresGrad) {
        const d = allocate(a.dtype, gv.length);
        for (let i = 0; i < d.length; i++) d[i] = gv[i] * av[i];
        gb = gradFor(b, d, shape);
      }
      return [ga, gb];
    },
    true,
  );
}

/** a / b (IEEE: x/0 is ±Infinity, 0/0 NaN, as in PyTorch). @example div(tensor([1]), 4) // [0.25] */
export function div(x: TensorLike, y: TensorLike): Tensor {
  const { a, b, shape, av, bv } = prepare(x, y, "div");
  const out = allocate(a.dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = av[i] / bv[i];
  const result = new Tensor(out, shape);
  return record(
    "div",
    [a, b],
    result,
    (g) => {
      if (isGradEnabled()) {
        return [a.requiresGrad ? unbroadcast(div(g, b), a.shape) : null, b.requiresGrad ? unbroadcast(mul(div(mul(g, result), b), -1), b.shape) : null];
      }
      const gv = g.values;
      let ga: Tensor | null = null,
        gb: Tensor | null = null;
      if (a.requiresGrad) {
        const d = allocate(a.dtype, gv.length);
        for (let i = 0; i < d.length; i++) d[i] = gv[i] / bv[i];
        ga = gradFor(a, d, shape);
      }
      if (b.requiresGrad) {
        // d(a/b)/db = -a/b² = -out/b
        const d = allocate(a.dtype, gv.length);
        for (let i = 0; i < d.length; i++) d[i] = (-gv[i] * out[i]) / bv[i];
        gb = gradFor(b, d, shape);
      }
      return [ga, gb];
    },
    true,
  );
}

/**
 * a ** e, elementwise; `e` a number or a tensor. The gradient with respect to a tensor exponent
 * is out·log(a), taken as 0 where a = 0 and e >= 0 (PyTorch's convention).
 * @example pow(tensor([2, 3]), 2) // [4, 9]
 */
export function pow(x: TensorLike, exponent: TensorLike): Tensor {
  const { a, b, shape, av, bv } = prepare(x, exponent, "pow");
  const out = allocate(a.dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(av[i], bv[i]);
  const result = new Tensor(out, shape);
  return record(
    "pow",
    [a, b],
    result,
    (g) => {
      if (isGradEnabled()) return recordedPowGradients(g, a, b, av, bv, result, shape);
      const gv = g.values;
      let ga: Tensor | null = null,
        gb: Tensor | null = null;
      if (a.requiresGrad) {
        const d = allocate(a.dtype, gv.length);
        for (let i = 0; i < d.length; i++) d[i] = bv[i] === 0 ? 0 : gv[i] * bv[i] * Math.pow(av[i], bv[i] - 1);
        ga = gradFor(a, d, shape);
      }
      if (b.requiresGrad) {
        const d = allocate(a.dtype, gv.length);
        for (let i = 0; i < d.length; i++) d[i] = av[i] === 0 && bv[i] >= 0 ? 0 : gv[i] * out[i] * Math.log(av[i]);
        gb = gradFor(b, d, shape);
      }
      return [ga, gb];
    },
    true,
  );
}

/**
 * pow's gradients as recorded ops, with PyTorch's conventions kept under graph creation: the base
 * gets 0 where e = 0 (also at a = 0, where e·a^(e−1) would be 0·∞), the exponent gets 0 where
 * a = 0 and e ≥ 0 (where out·ln a would be 0·(−∞)). Each is a masked gradient (zero there, its
 * derivatives too, as PyTorch's `where`), over a formula made finite there: e·a^(e'−1) with e' = 1
 * where e = 0, out·ln(a') with a' = 1 where a = 0, so no 0·∞ reaches the higher derivatives either.
 * So d²(x^p)/dx² at 0 is PyTorch's: 2 for p = 2, 0 for p = 1 (not NaN), ±∞ where it diverges.
 */
function recordedPowGradients(g: Tensor, a: Tensor, b: Tensor, av: FloatArray, bv: FloatArray, result: Tensor, shape: number[]): (Tensor | null)[] {
  const n = av.length;
  let ga: Tensor | null = null,
    gb: Tensor | null = null;
  if (a.requiresGrad) {
    const keep = allocate(a.dtype, n);
    for (let i = 0; i < n; i++) keep[i] = bv[i] === 0 ? 0 : 1;
    const finiteExponent = add(
      b,
      new Tensor(
        keep.map((k) => 1 - k),
        shape,
      ),
    ); // e where e ≠ 0, else 1
    ga = unbroadcast(maskedGradient("powBackward", mul(g, mul(b, pow(a, sub(finiteExponent, 1)))), keepWhere(keep)), a.shape);
  }
  if (b.requiresGrad) {
    const keep = allocate(a.dtype, n);
    for (let i = 0; i < n; i++) keep[i] = av[i] === 0 && bv[i] >= 0 ? 0 : 1;
    const finiteBase = add(
      a,
      new Tensor(
        keep.map((k) => 1 - k),
        shape,
      ),
    ); // a, or 1 where the gradient is 0
    gb = unbroadcast(maskedGradient("powExponentBackward", mul(g, mul(result, naturalLog(finiteBase))), keepWhere(keep)), b.shape);
  }
  return [ga, gb];
}

/** Multiplication by a 0/1 mask that gives an exact 0 where the mask is 0 (even for ±∞ or NaN). */
function keepWhere(keep: FloatArray): (t: Tensor) => Tensor {
  return (t) => {
    const tv = t.values;
    const d = allocate(t.dtype, tv.length);
    for (let i = 0; i < d.length; i++) d[i] = keep[i] !== 0 ? tv[i] : 0;
    return new Tensor(d, t.shape);
  };
}

/**
 * ln(a) as a recorded op, for pow's recorded exponent gradient (unary.ts's `log` is the same
 * function, but unary.ts builds on this file, so importing it back would be a cycle).
 */
function naturalLog(a: Tensor): Tensor {
  const av = a.values;
  const out = allocate(a.dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.log(av[i]);
  return record("log", [a], new Tensor(out, a.shape), (g) => [div(g, a)], true);
}

function extremum(name: "maximum" | "minimum", sign: 1 | -1) {
  return (x: TensorLike, y: TensorLike): Tensor => {
    const { a, b, shape, av, bv } = prepare(x, y, name);
    const out = allocate(a.dtype, av.length);
    for (let i = 0; i < out.length; i++) {
      const p = av[i],
        q = bv[i];
      // NaN propagates, as in PyTorch
      out[i] = p !== p || q !== q ? NaN : sign * (p - q) >= 0 ? p : q;
    }
    return record(
      name,
      [a, b],
      new Tensor(out, shape),
      (g) => {
        // ties split the gradient evenly between the operands (PyTorch's rule)
        const share =
          (mine: FloatArray, other: FloatArray) =>
          (gt: Tensor): Tensor => {
            const gv = gt.values;
            const d = allocate(a.dtype, gv.length);
            for (let i = 0; i < d.length; i++) {
              const diff = sign * (mine[i] - other[i]);
              d[i] = diff > 0 ? gv[i] : diff === 0 ? 0.5 * gv[i] : 0;
            }
            return new Tensor(d, shape);
          };
        const masked = (t: Tensor, mine: FloatArray, other: FloatArray): Tensor | null => {
          if (!t.requiresGrad) return null;
          const apply = share(mine, other);
          return unbroadcast(isGradEnabled() ? maskedGradient(`${name}Backward`, g, apply) : apply(g), t.shape);
        };
        return [masked(a, av, bv), masked(b, bv, av)];
      },
      true,
    );
  };
}

/** Elementwise max(a, b). @example maximum(tensor([1, 5]), 3) // [3, 5] */
export const maximum = extremum("maximum", 1);
/** Elementwise min(a, b). @example minimum(tensor([1, 5]), 3) // [1, 3] */
export const minimum = extremum("minimum", -1);
