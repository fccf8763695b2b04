/** How a tensor prints in console.log and the REPL: numpy-like, elided when large. */

/** What printing needs of a tensor (structural, so this module imports nothing from tensor.ts). */
export interface Printable {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly size: number;
  readonly dtype: string;
  readonly requiresGrad: boolean;
  readonly node: { op: string } | null;
}

const EDGE = 3; // items kept at each end of an elided dimension
const ELIDE_ABOVE = 1000; // total elements beyond which dimensions are elided

function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.`;
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-4)) return x.toExponential(4);
  return Number(x.toPrecision(6)).toString();
}

/** `tensor([[1., 2.], [3., 4.]], shape=[2,2], dtype=float32)` with a grad marker when relevant. */
export function formatTensor(t: Printable): string {
  const v = t.values;
  const elide = t.size > ELIDE_ABOVE;
  const strs: string[] = [];
  for (let i = 0; i < v.length; i++) strs.push(formatNumber(v[i]));
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const strides: number[] = [];
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= t.shape[i];
  }
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === t.shape.length) return strs[offset].padStart(width);
    const n = t.shape[dim];
    const parts: string[] = [];
    const pick = elide && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, k) => n - EDGE + k)] : [...Array(n).keys()];
    for (const i of pick) parts.push(i < 0 ? "..." : render(dim + 1, offset + i * strides[dim], indent + " "));
    const sep = dim === t.shape.length - 1 ? ", " : ",\n" + (dim < t.shape.length - 2 ? "\n" : "") + indent + " ";
    return "[" + parts.join(sep) + "]";
  };
  const body = t.size === 0 ? "[]" : render(0, 0, "       ");
  const extra = t.requiresGrad ? (t.node ? `, grad_fn=${t.node.op}` : ", requiresGrad=true") : "";
  return `tensor(${body}, shape=[${t.shape.join(",")}], dtype=${t.dtype}${extra})`;
}
