/**
 * Matrix product, NumPy/PyTorch `matmul` semantics: 2-D, batched `(..., m, k) @ (..., k, n)` with
 * the batch dims broadcast, and 1-D operands promoted to a row (left) or column (right) vector
 * whose extra dim is dropped from the result. Forward and backward run on the packed GEMM kernel
 * (`core/kernels/gemm.ts`) over raw arrays; backward uses its transposed-operand modes, so no
 * transpose is ever copied, and sums over broadcast batch dims by accumulating into the gradient.
 */
import { isGradEnabled, record } from "../autograd";
import { unbroadcast } from "./broadcast";
import { reshape, transpose } from "./layout";
import { allocate } from "../dtype";
import { gemm } from "../kernels/gemm";
import { allocateGradient } from "../gradient-buffer";
import { Shape, fmt, sizeOf } from "../shape";
import { Tensor } from "../tensor";
import { checkTensor } from "./operand";

/** Where each batch entry of the (broadcast) result reads `a` and `b`, in elements. */
interface BatchPlan {
  outShape: number[];
  m: number;
  k: number;
  n: number;
  /** Number of matrices in the result. */
  count: number;
  aCount: number;
  bCount: number;
  aOffsets: Int32Array | Float64Array;
  bOffsets: Int32Array | Float64Array;
}

function checkOperand(t: unknown, side: string): asserts t is Tensor {
  checkTensor("matmul", `${side} operand`, t);
}

/** Validates the operands and works out the result shape and every batch entry's offsets. */
function plan(a: Tensor, b: Tensor): BatchPlan {
  const as = a.shape;
  const bs = b.shape;
  if (as.length === 0 || bs.length === 0) {
    throw new Error(`matmul: both operands need at least 1 dimension, got ${fmt(as)} @ ${fmt(bs)} (use mul for scalars)`);
  }
  if (a.dtype !== b.dtype) {
    throw new Error(`matmul: dtypes differ: ${a.dtype} ${fmt(as)} @ ${b.dtype} ${fmt(bs)} (convert one operand)`);
  }
  // 1-D promotion: [k] on the left is [1, k], [k] on the right is [k, 1]
  const a2: Shape = as.length === 1 ? [1, as[0]] : as;
  const b2: Shape = bs.length === 1 ? [bs[0], 1] : bs;
  const m = a2[a2.length - 2];
  const k = a2[a2.length - 1];
  const kb = b2[b2.length - 2];
  const n = b2[b2.length - 1];
  if (k !== kb) {
    throw new Error(`matmul: inner dimensions differ: ${fmt(as)} @ ${fmt(bs)} (${k} vs ${kb})`);
  }
  const batchA = a2.slice(0, -2);
  const batchB = b2.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - batchA.length ? 1 : batchA[i - (rank - batchA.length)];
    const db = i < rank - batchB.length ? 1 : batchB[i - (rank - batchB.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matmul: batch dimensions ${fmt(batchA)} and ${fmt(batchB)} cannot be broadcast: ${fmt(as)} @ ${fmt(bs)}`);
    }
    batch[i] = da === 1 ? db : da;
  }
  const outShape = batch.slice();
  if (as.length > 1) outShape.push(m);
  if (bs.length > 1) outShape.push(n);
  const count = sizeOf(batch);
  const aOffsets = batchOffsets(batchA, batch, m * k);
  const bOffsets = batchOffsets(batchB, batch, k * n);
  return { outShape, m, k, n, count, aCount: sizeOf(batchA), bCount: sizeOf(batchB), aOffsets, bOffsets };
}

/**
 * Offset (in elements) of each matrix of an operand with batch shape `own`, for every index of
 * the broadcast batch shape `full`, in row-major order. Broadcast dims contribute stride 0.
 */
function batchOffsets(own: Shape, full: Shape, matSize: number): Int32Array | Float64Array {
  const count = sizeOf(full);
  const total = sizeOf(own) * matSize;
  const offs = total < 2 ** 31 ? new Int32Array(count) : new Float64Array(count);
  const rank = full.length;
  const lead = rank - own.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = matSize;
  for (let d = own.length - 1; d >= 0; d--) {
    strides[lead + d] = own[d] === 1 ? 0 : acc;
    acc *= own[d];
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < count; i++) {
    offs[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      off += strides[d];
      if (counter[d] < full[d]) break;
      off -= strides[d] * full[d];
      counter[d] = 0;
    }
  }
  return offs;
}

/**
 * Matrix product with broadcasting batch dims, as `numpy.matmul` / `torch.matmul`.
 * Shapes: `[m,k] @ [k,n] → [m,n]`; `[...,m,k] @ [...,k,n] → [...broadcast,m,n]`;
 * `[k] @ [k,n] → [n]`, `[m,k] @ [k] → [m]`, `[k] @ [k] → []`. Both operands must share a dtype.
 * @example matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])) // [[17], [39]]
 * @example matmul(randn([8, 3, 4]), randn([4, 5])).shape // [8, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperand(a, "left");
  checkOperand(b, "right");
  const p = plan(a, b);
  const { m, k, n, count } = p;
  const av = a.values;
  const bv = b.values;
  const out = allocate(a.dtype, count * m * n);
  if (p.bCount === 1) {
    // b is one matrix shared by every batch entry: fold the batch into the rows of one GEMM
    gemm(av, 0, k, false, bv, 0, n, false, out, 0, n, count * m, n, k, false);
  } else {
    for (let i = 0; i < count; i++) {
      gemm(av, p.aOffsets[i], k, false, bv, p.bOffsets[i], n, false, out, i * m * n, n, m, n, k, false);
    }
  }
  const result = new Tensor(out, p.outShape);
  return record(
    "matmul",
    [a, b],
    result,
    (g) => {
      if (isGradEnabled()) return recordedGradients(a, b, g, p);
      const gv = g.values;
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (a.requiresGrad) {
        // dA = dC · Bᵀ, summed over the batch entries that share a matrix of a
        const d = allocateGradient(a, a.size, p.bCount !== 1);
        if (p.bCount === 1) {
          gemm(gv, 0, n, false, bv, 0, n, true, d, 0, k, count * m, k, n, false);
        } else {
          for (let i = 0; i < count; i++) {
            gemm(gv, i * m * n, n, false, bv, p.bOffsets[i], n, true, d, p.aOffsets[i], k, m, k, n, true);
          }
        }
        ga = new Tensor(d, a.shape);
      }
      if (b.requiresGrad) {
        // dB = Aᵀ · dC, summed over the batch entries that share a matrix of b
        const d = allocateGradient(b, b.size, p.bCount !== 1); // one GEMM overwrites it; a batch accumulates
        if (p.bCount === 1) {
          gemm(av, 0, k, true, gv, 0, n, false, d, 0, n, k, n, count * m, false);
        } else {
          for (let i = 0; i < count; i++) {
            gemm(av, p.aOffsets[i], k, true, gv, i * m * n, n, false, d, p.bOffsets[i], n, k, n, m, true);
          }
        }
        gb = new Tensor(d, b.shape);
      }
      return [ga, gb];
    },
    true,
  );
}

/** The last two axes swapped (a batch of matrices transposed), as a recorded op. */
function matrixTranspose(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return transpose(t, perm);
}

/**
 * matmul's backward written with matmul itself (recorded passes, higher order): 1-D operands
 * promoted as in the forward, dA = dC·Bᵀ and dB = Aᵀ·dC summed over broadcast batch dims.
 */
function recordedGradients(a: Tensor, b: Tensor, g: Tensor, p: BatchPlan): (Tensor | null)[] {
  const a2 = a.rank === 1 ? reshape(a, [1, p.k]) : a;
  const b2 = b.rank === 1 ? reshape(b, [p.k, 1]) : b;
  const g2 = reshape(g, [...p.outShape.slice(0, p.outShape.length - (a.rank > 1 ? 1 : 0) - (b.rank > 1 ? 1 : 0)), p.m, p.n]);
  const ga = a.requiresGrad ? reshape(unbroadcast(matmul(g2, matrixTranspose(b2)), a2.shape), a.shape) : null;
  const gb = b.requiresGrad ? reshape(unbroadcast(matmul(matrixTranspose(a2), g2), b2.shape), b.shape) : null;
  return [ga, gb];
}
