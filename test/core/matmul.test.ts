/**
 * matmul and the GEMM kernel under it: forward against a plain triple loop (edge tiles, the
 * packed path, k/m blocking, transposed operands, accumulation, both dtypes), NumPy batch
 * broadcasting and 1-D promotion, gradients by finite differences, and bad-input errors.
 */
import { expect } from "chai";
import { gemm } from "../../core/kernels/gemm";
import { matmul } from "../../core/ops/matmul";
import { gradCheck } from "../../core/gradcheck";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import { DType, FloatArray } from "../../core/dtype";

function randomArray(dtype: DType, n: number, seed: number): FloatArray {
  const gen = new Generator(seed);
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform() * 2 - 1;
  return a;
}

function rand(shape: number[], dtype: DType = "float64", seed = 1): Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return new Tensor(randomArray(dtype, n, seed), shape);
}

/** Reference matmul with NumPy semantics, written independently with plain index loops. */
function naiveMatmul(as: number[], av: FloatArray, bs: number[], bv: FloatArray): { shape: number[]; values: number[] } {
  const a2 = as.length === 1 ? [1, as[0]] : as;
  const b2 = bs.length === 1 ? [bs[0], 1] : bs;
  const [m, k] = a2.slice(-2);
  const n = b2[b2.length - 1];
  const ba = a2.slice(0, -2);
  const bb = b2.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const pa = Array(r - ba.length)
    .fill(1)
    .concat(ba);
  const pb = Array(r - bb.length)
    .fill(1)
    .concat(bb);
  const batch = pa.map((d: number, i: number) => (d === 1 ? pb[i] : d));
  const count = batch.reduce((p: number, q: number) => p * q, 1);
  const values: number[] = [];
  for (let t = 0; t < count; t++) {
    // unravel t over batch, then ravel into a's and b's batch (index 0 where the dim is 1)
    let rem = t;
    const idx = new Array(r);
    for (let d = r - 1; d >= 0; d--) {
      idx[d] = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
    }
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < r; d++) {
      ia = ia * pa[d] + (pa[d] === 1 ? 0 : idx[d]);
      ib = ib * pb[d] + (pb[d] === 1 ? 0 : idx[d]);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += av[ia * m * k + i * k + p] * bv[ib * k * n + p * n + j];
        values.push(s);
      }
    }
  }
  const shape = batch.slice();
  if (as.length > 1) shape.push(m);
  if (bs.length > 1) shape.push(n);
  return { shape, values };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).to.equal(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * (1 + Math.abs(want[i])))) {
      expect.fail(`element ${i}: got ${got[i]}, want ${want[i]} (|err| ${err})`);
    }
  }
}

describe("gemm kernel", () => {
  // [m, n, k]: 1x1, edge tiles, the small path, the packed path, k > KC (256), m > MC (128)
  const sizes = [
    [1, 1, 1],
    [5, 7, 3],
    [4, 4, 4],
    [17, 33, 9],
    [16, 16, 16],
    [3, 50, 40],
    [67, 45, 300],
    [131, 9, 20],
    [1, 70, 90],
    [70, 1, 90],
  ];
  for (const dtype of ["float32", "float64"] as DType[]) {
    for (const [m, n, k] of sizes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`${dtype} ${m}x${n}x${k} transA=${transA} transB=${transB}, offsets, padded strides, accumulate`, () => {
            // operands stored with an offset and a row stride 2 wider than needed
            const aRows = transA ? k : m;
            const aCols = transA ? m : k;
            const bRows = transB ? n : k;
            const bCols = transB ? k : n;
            const lda = aCols + 2;
            const ldb = bCols + 2;
            const ldc = n + 3;
            const A = randomArray(dtype, 5 + aRows * lda, 11);
            const B = randomArray(dtype, 7 + bRows * ldb, 12);
            const C0 = randomArray(dtype, 4 + m * ldc, 13);
            const aAt = (i: number, p: number) => (transA ? A[5 + p * lda + i] : A[5 + i * lda + p]);
            const bAt = (p: number, j: number) => (transB ? B[7 + j * ldb + p] : B[7 + p * ldb + j]);
            const want = Array.from(C0);
            const wantAcc = Array.from(C0);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let s = 0;
                for (let p = 0; p < k; p++) s += aAt(i, p) * bAt(p, j);
                want[4 + i * ldc + j] = s;
                wantAcc[4 + i * ldc + j] += s;
              }
            }
            const tol = dtype === "float32" ? 1e-5 * Math.sqrt(k) : 1e-12 * k;
            const C = C0.slice();
            gemm(A, 5, lda, transA, B, 7, ldb, transB, C, 4, ldc, m, n, k, false);
            expectClose(C, want, tol); // also checks the padding columns of C were left alone
            const Cacc = C0.slice();
            gemm(A, 5, lda, transA, B, 7, ldb, transB, Cacc, 4, ldc, m, n, k, true);
            expectClose(Cacc, wantAcc, tol);
          });
        }
      }
    }
  }

  it("k = 0 overwrites with zeros, or leaves C alone when accumulating", () => {
    const C = new Float64Array([1, 2, 3, 4]);
    gemm(new Float64Array(0), 0, 0, false, new Float64Array(0), 0, 2, false, C, 0, 2, 2, 2, 0, true);
    expect(Array.from(C)).to.deep.equal([1, 2, 3, 4]);
    gemm(new Float64Array(0), 0, 0, false, new Float64Array(0), 0, 2, false, C, 0, 2, 2, 2, 0, false);
    expect(Array.from(C)).to.deep.equal([0, 0, 0, 0]);
  });

  it("propagates NaN and Infinity like IEEE arithmetic", () => {
    const A = new Float64Array(20 * 20).fill(1);
    const B = new Float64Array(20 * 20).fill(1);
    A[0] = NaN;
    B[3] = Infinity;
    const C = new Float64Array(400);
    gemm(A, 0, 20, false, B, 0, 20, false, C, 0, 20, 20, 20, 20, false);
    expect(C[0]).to.be.NaN; // row 0 has a NaN
    expect(C[20 + 3]).to.equal(Infinity);
    expect(C[20 + 4]).to.equal(20);
  });
});

describe("matmul forward", () => {
  const cases: [number[], number[]][] = [
    [
      [1, 1],
      [1, 1],
    ],
    [
      [5, 7],
      [7, 3],
    ],
    [
      [17, 33],
      [33, 9],
    ],
    [
      [130, 260],
      [260, 70],
    ],
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
    [
      [2, 1, 3, 4],
      [3, 4, 5],
    ],
    [
      [3, 4],
      [2, 4, 5],
    ],
    [
      [2, 3, 4],
      [4, 5],
    ],
    [
      [6, 17, 33],
      [33, 9],
    ],
    [
      [1, 3, 4],
      [2, 4, 5],
    ],
    [
      [2, 1, 5, 6],
      [1, 3, 6, 2],
    ],
    [[4], [4, 5]],
    [[3, 4], [4]],
    [[4], [4]],
    [[4], [2, 4, 5]],
    [[2, 3, 4], [4]],
    [
      [0, 3],
      [3, 2],
    ],
    [
      [2, 0],
      [0, 3],
    ],
    [
      [0, 2, 3],
      [3, 4],
    ],
  ];
  for (const dtype of ["float32", "float64"] as DType[]) {
    for (const [as, bs] of cases) {
      it(`${dtype} ${JSON.stringify(as)} @ ${JSON.stringify(bs)}`, () => {
        const a = rand(as, dtype, 3);
        const b = rand(bs, dtype, 4);
        const c = matmul(a, b);
        const ref = naiveMatmul(as, a.values, bs, b.values);
        expect(c.shape).to.deep.equal(ref.shape);
        expect(c.dtype).to.equal(dtype);
        expect(c.values).to.be.instanceOf(dtype === "float64" ? Float64Array : Float32Array);
        expectClose(c.values, ref.values, dtype === "float32" ? 1e-5 * Math.sqrt(as[as.length - 1] + 1) : 1e-12);
      });
    }
  }

  it("computes a small product exactly", () => {
    const a = new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const b = new Tensor(new Float32Array([5, 6]), [2, 1]);
    expect(Array.from(matmul(a, b).values)).to.deep.equal([17, 39]);
  });

  it("records no node when no input requires grad", () => {
    const c = matmul(rand([2, 3]), rand([3, 2]));
    expect(c.requiresGrad).to.equal(false);
    expect(c.node).to.equal(null);
  });
});

describe("matmul backward (gradCheck, float64)", () => {
  const cases: [number[], number[]][] = [
    [
      [1, 1],
      [1, 1],
    ],
    [
      [5, 7],
      [7, 3],
    ],
    [
      [17, 33],
      [33, 9],
    ],
    [
      [2, 3, 4],
      [2, 4, 5],
    ],
    [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
    [
      [3, 4],
      [2, 4, 5],
    ],
    [
      [2, 3, 4],
      [4, 5],
    ],
    [
      [2, 1, 2, 3],
      [1, 3, 3, 2],
    ],
    [[4], [4, 5]],
    [[3, 4], [4]],
    [[4], [4]],
    [[4], [2, 4, 3]],
    [[2, 3, 4], [4]],
  ];
  for (const [as, bs] of cases) {
    it(`${JSON.stringify(as)} @ ${JSON.stringify(bs)}`, () => {
      const r = gradCheck((a, b) => matmul(a, b), [rand(as, "float64", 5), rand(bs, "float64", 6)]);
      expect(r.ok, JSON.stringify(r)).to.equal(true);
    });
  }

  it("packed-path gradients (k > 256 block, m > 128 block) match the naive formulas", () => {
    const a = new Tensor(rand([2, 130, 270]).values, [2, 130, 270], { requiresGrad: true });
    const b = new Tensor(rand([270, 6], "float64", 9).values, [270, 6], { requiresGrad: true });
    const g = rand([2, 130, 6], "float64", 10);
    matmul(a, b).backward(g);
    // dA = g Bᵀ, dB = Σ_batch Aᵀ g
    const bT = new Float64Array(6 * 270);
    for (let p = 0; p < 270; p++) for (let j = 0; j < 6; j++) bT[j * 270 + p] = b.values[p * 6 + j];
    expectClose(a.grad!.values, naiveMatmul([2, 130, 6], g.values, [6, 270], bT).values, 1e-12);
    const aT = new Float64Array(270 * 260);
    for (let r = 0; r < 260; r++) for (let p = 0; p < 270; p++) aT[p * 260 + r] = a.values[r * 270 + p];
    expectClose(b.grad!.values, naiveMatmul([270, 260], aT, [260, 6], g.values).values, 1e-12);
  });

  it("only computes gradients for inputs that require one", () => {
    const a = new Tensor(rand([3, 4]).values, [3, 4], { requiresGrad: true });
    const b = rand([4, 2]);
    const c = matmul(a, b);
    const grads = c.node!.backward(rand([3, 2]));
    expect(grads[0]!.shape).to.deep.equal([3, 4]);
    expect(grads[1]).to.equal(null);
  });

  it("float32 gradients keep float32", () => {
    const a = new Tensor(rand([3, 4], "float32").values, [3, 4], { requiresGrad: true });
    const b = new Tensor(rand([4, 2], "float32").values, [4, 2], { requiresGrad: true });
    matmul(a, b).backward(rand([3, 2], "float32"));
    expect(a.grad!.dtype).to.equal("float32");
    expect(b.grad!.dtype).to.equal("float32");
  });
});

describe("matmul errors", () => {
  it("names the op and both shapes when inner dimensions differ", () => {
    expect(() => matmul(rand([2, 3]), rand([4, 5]))).to.throw("matmul: inner dimensions differ: [2,3] @ [4,5]");
    expect(() => matmul(rand([2, 2, 3]), rand([4]))).to.throw("matmul: inner dimensions differ: [2,2,3] @ [4]");
  });
  it("rejects batch dims that do not broadcast", () => {
    expect(() => matmul(rand([2, 3, 4]), rand([3, 4, 5]))).to.throw(/matmul: batch dimensions \[2\] and \[3\] cannot be broadcast: \[2,3,4\] @ \[3,4,5\]/);
  });
  it("rejects mixed dtypes", () => {
    expect(() => matmul(rand([2, 3], "float32"), rand([3, 2], "float64"))).to.throw(/matmul: dtypes differ: float32 \[2,3\] @ float64 \[3,2\]/);
  });
  it("rejects scalars and non-tensors", () => {
    expect(() => matmul(rand([]), rand([3]))).to.throw(/matmul: .*at least 1 dimension.*\[\] @ \[3\]/);
    expect(() => matmul(rand([3]), 2 as unknown as Tensor)).to.throw(/matmul: right operand must be a Tensor/);
  });
});
