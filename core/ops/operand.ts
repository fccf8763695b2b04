/** Turning op arguments into tensors: a JS number becomes a scalar of the other operand's dtype. */
import { Tensor } from "../tensor";

export type TensorLike = Tensor | number;

/** `x` as a tensor; numbers become scalars of `dtype`. */
export function asTensor(x: TensorLike, dtype: Tensor["dtype"], op: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== "number") throw new Error(`${op}: expected a Tensor or a number, got ${x === null ? "null" : typeof x}`);
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
