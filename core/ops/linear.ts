/**
 * linear(x, w, b) = x·wᵀ + b, fused (PyTorch's F.linear): one GEMM reading w transposed in place
 * (no transpose copy) onto an output pre-filled with the bias. Backward is two GEMMs and a
 * column sum: dx = g·w, dw = gᵀ·x, db = Σ_rows g. This is the op behind nn.Linear.
 */
import { allocate } from "../dtype";
import { fmt } from "../shape";
import { Tensor } from "../tensor";
import { isGradEnabled, record } from "../autograd";
import { matmul } from "./matmul";
import { reshape, transpose } from "./layout";
import { sum } from "./reduce";
import { gemm } from "../kernels/gemm";
import { allocateGradient } from "../gradient-buffer";
import { checkTensor } from "./operand";

/**
 * x [..., in] and w [out, in] (PyTorch's weight layout), optional b [out] → [..., out].
 * @example linear(randn([2, 4]), randn([3, 4]), zeros([3])).shape // [2, 3]
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  checkTensor("linear", "x", x);
  checkTensor("linear", "w", w);
  if (w.rank !== 2) throw new Error(`linear: weight must be 2-D [out, in], got ${fmt(w.shape)}`);
  const [outF, inF] = w.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== inF) {
    throw new Error(`linear: input ${fmt(x.shape)} does not end in ${inF}, the weight's in-features (weight ${fmt(w.shape)})`);
  }
  if (b && (!(b instanceof Tensor) || b.rank !== 1 || b.shape[0] !== outF)) {
    throw new Error(`linear: bias must have shape [${outF}], got ${b instanceof Tensor ? fmt(b.shape) : typeof b}`);
  }
  for (const t of b ? [w, b] : [w]) {
    if (t.dtype !== x.dtype) throw new Error(`linear: dtypes differ: input ${x.dtype}, parameter ${t.dtype}`);
  }
  const rows = x.size / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const out = allocate(x.dtype, rows * outF);
  if (b) {
    const bv = b.values;
    for (let r = 0; r < rows; r++) out.set(bv, r * outF);
  }
  gemm(x.values, 0, inF, false, w.values, 0, inF, true, out, 0, outF, rows, outF, inF, b !== undefined && b !== null);
  const inputs = b ? [x, w, b] : [x, w];
  return record(
    "linear",
    inputs,
    new Tensor(out, outShape),
    (g) => {
      if (isGradEnabled()) {
        // recorded (higher order): dx = g·W, dW = gᵀ·x over the flattened rows, db = Σ g
        const g2 = reshape(g, [rows, outF]);
        const x2 = reshape(x, [rows, inF]);
        const grads = [x.requiresGrad ? reshape(matmul(g2, w), x.shape) : null, w.requiresGrad ? matmul(transpose(g2), x2) : null];
        if (b) grads.push(b.requiresGrad ? sum(g2, { axis: 0 }) : null);
        return grads;
      }
      const gv = g.values;
      let dx: Tensor | null = null,
        dw: Tensor | null = null,
        db: Tensor | null = null;
      if (x.requiresGrad) {
        const d = allocate(x.dtype, x.size);
        gemm(gv, 0, outF, false, w.values, 0, inF, false, d, 0, inF, rows, inF, outF, false);
        dx = new Tensor(d, x.shape);
      }
      if (w.requiresGrad) {
        const d = allocateGradient(w, w.size, false); // the GEMM overwrites it
        gemm(gv, 0, outF, true, x.values, 0, inF, false, d, 0, inF, outF, inF, rows, false);
        dw = new Tensor(d, w.shape);
      }
      if (b && b.requiresGrad) {
        const d = allocateGradient(b, outF);
        for (let r = 0; r < rows; r++) {
          const o = r * outF;
          for (let j = 0; j < outF; j++) d[j] += gv[o + j];
        }
        db = new Tensor(d, b.shape);
      }
      return b ? [dx, dw, db] : [dx, dw];
    },
    true,
  );
}
