/**
 * Op arguments: the one Tensor-argument check, and turning a JS number into a scalar of the
 * other operand's dtype.
 * @example checkTensor("relu", "x", x); const [a, b] = asPair(x, 2, "add");
 */
import { Tensor } from "../tensor";
import { show } from "../check";

/**
 * Throws `op: arg must be a Tensor, got <value>` unless `v` is a Tensor.
 * @example checkTensor("matmul", "right operand", 2) // throws: matmul: right operand must be a Tensor, got 2
 */
export function checkTensor(op: string, arg: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new Error(`${op}: ${arg} must be a Tensor, got ${show(v)}`);
}

/** An operand of a binary op: a Tensor, or a JS number (a scalar of the other operand's dtype). @example add(x, 1) */
export type TensorLike = Tensor | number;

/** `x` as a tensor; numbers become scalars of `dtype`. */
export function asTensor(x: TensorLike, dtype: Tensor["dtype"], op: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== "number") throw new Error(`${op}: operand must be a Tensor or a number, got ${show(x)}`);
  const v = dtype === "float64" ? new Float64Array(1) : new Float32Array(1);
  v[0] = x;
  return new Tensor(v, []);
}

/** Both operands as tensors of one dtype; throws when two tensors disagree on dtype. */
export function asPair(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : "float32";
  const ta = asTensor(a, dtype, op);
  const tb = asTensor(b, dtype, op);
  if (ta.dtype !== tb.dtype) throw new Error(`${op}: dtypes differ: ${ta.dtype} and ${tb.dtype} (convert one first)`);
  return [ta, tb];
}
