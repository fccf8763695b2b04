/**
 * The wasm hot ops (core/wasm/ops.ts) against the JS: relu forward (the op itself) and backward,
 * the bias add and bias gradient of linear, bit for bit; the float32 sum within its summation
 * bound; the fused softmax cross-entropy against nn's crossEntropy (forward and backward, in
 * double) within float32 tolerances, its exp over the whole float32 range within 3 ulp.
 */
import { expect } from "chai";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import { relu } from "../../core/ops/unary";
import { crossEntropy } from "../../nn/losses";
import { wasmKernels } from "../../core/wasm/loader";
import * as W from "../../core/wasm/ops";

const heap = () => wasmKernels().heap;
const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3e38];

function data(n: number, seed: number, special = true): Float32Array {
  const gen = new Generator(seed),
    a = heap().alloc(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform() * 4 - 2;
  if (special) for (let i = 0; i < n; i += 5) a[i] = SPECIAL[(i / 5) % SPECIAL.length];
  return a;
}
function expectSame(a: Float32Array, b: ArrayLike<number>, label: string): void {
  for (let k = 0; k < a.length; k++) {
    const x = a[k],
      y = b[k];
    if (!((x !== x && y !== y) || Object.is(x, y))) expect.fail(`${label}[${k}]: wasm ${x} vs js ${y}`);
  }
}

describe("wasm hot ops", () => {
  it("relu and its backward: bit-identical to the JS op (NaN, ±0, ±Infinity included)", () => {
    for (const n of [1, 3, 4, 37, 1000]) {
      const x = data(n, n),
        g = data(n, n + 1),
        y = heap().alloc(n),
        dx = heap().alloc(n);
      W.reluF32(x, y);
      expectSame(y, relu(new Tensor(x.slice(), [n])).values, `relu n=${n}`);
      W.reluBackwardF32(x, g, dx);
      const ref = new Float32Array(n);
      for (let i = 0; i < n; i++) ref[i] = +(x[i] > 0) * g[i] + 0; // core/ops/unary.ts's backward
      expectSame(dx, ref, `relu backward n=${n}`);
      for (const a of [x, g, y, dx]) heap().free(a);
    }
  });

  it("bias add and bias gradient (column sums in row order): bit-identical to linear's loops", () => {
    for (const [rows, cols] of [
      [1, 1],
      [3, 5],
      [64, 128],
      [7, 10],
    ]) {
      const y = data(rows * cols, rows, false),
        b = data(cols, cols, false),
        g = data(rows * cols, 9, false);
      const yj = y.slice();
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) yj[r * cols + j] += b[j];
      W.addBiasRowsF32(y, b, rows, cols);
      expectSame(y, yj, `bias add ${rows}×${cols}`);
      const db = heap().alloc(cols),
        dj = new Float32Array(cols);
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) dj[j] += g[r * cols + j];
      W.sumRowsF32(g, db, rows, cols);
      expectSame(db, dj, `bias grad ${rows}×${cols}`);
      for (const a of [y, b, g, db]) heap().free(a);
    }
  });

  it("sum: within (n + 1)·2^-24·Σ|x| of the exact sum", () => {
    for (const n of [0, 1, 15, 16, 17, 1000, 100003]) {
      const x = data(n, n, false);
      let exact = 0,
        abs = 0;
      for (let i = 0; i < n; i++) {
        exact += x[i];
        abs += Math.abs(x[i]);
      }
      expect(Math.abs(W.sumF32(x) - exact), `n=${n}`).to.be.at.most((n + 1) * 2 ** -24 * abs);
      heap().free(x);
    }
  });

  it("fused softmax cross-entropy: loss and gradient within float32 tolerance of nn.crossEntropy", () => {
    for (const [N, C, scale] of [
      [1, 1, 1],
      [4, 3, 1],
      [64, 10, 4],
      [5, 37, 30],
      [3, 1000, 10],
    ]) {
      const gen = new Generator(N * C);
      const x = heap().alloc(N * C),
        labels = heap().allocInt32(N),
        g = heap().alloc(N);
      for (let i = 0; i < N * C; i++) x[i] = (gen.uniform() * 2 - 1) * scale;
      for (let i = 0; i < N; i++) {
        labels[i] = Math.floor(gen.uniform() * C);
        g[i] = gen.uniform() + 0.5;
      }
      const loss = heap().alloc(N),
        lse = heap().alloc(N),
        d = heap().alloc(N * C);
      W.softmaxCrossEntropyF32(x, labels, N, C, loss, lse);
      W.softmaxCrossEntropyBackwardF32(x, labels, N, C, lse, g, d);
      const xt = new Tensor(Float64Array.from(x), [N, C], { requiresGrad: true });
      const ref = crossEntropy(xt, Array.from(labels), { reduction: "none" });
      ref
        .mul(new Tensor(Float64Array.from(g), [N]))
        .sum()
        .backward();
      for (let i = 0; i < N; i++) expect(Math.abs(loss[i] - ref.values[i]), `loss ${N}×${C} row ${i}`).to.be.at.most(4e-6 * (1 + Math.abs(lse[i])));
      const dx = xt.grad!.values;
      for (let i = 0; i < N * C; i++)
        expect(Math.abs(d[i] - dx[i]), `grad ${N}×${C} [${i}]`).to.be.at.most(2e-6 * (1 + Math.abs(lse[Math.floor(i / C)])) * g[Math.floor(i / C)]);
      for (const a of [x, labels, g, loss, lse, d]) heap().free(a);
    }
  });

  it("its exp: within 3 float32 ulp of Math.exp on [−87, 88], 0 where e^x is subnormal (below −87.34), ∞ above 88.73, NaN kept", () => {
    // the backward with lse = 0 and g = 1 is exactly exp(x) off the label column
    const xs: number[] = [];
    for (let v = -87; v <= 88; v += 0.0137) xs.push(Math.fround(v));
    xs.push(-1e-8, 0, 1e-8, -87.5, -105, -200, 89.5, 1000, NaN);
    const C = xs.length + 1,
      x = heap().alloc(C),
      labels = heap().allocInt32(1),
      lse = heap().alloc(1),
      g = heap().fromArray([1]),
      d = heap().alloc(C);
    x.set(xs);
    labels[0] = C - 1;
    W.softmaxCrossEntropyBackwardF32(x, labels, 1, C, lse, g, d);
    for (let i = 0; i < xs.length; i++) {
      const want = Math.exp(xs[i]);
      if (xs[i] < -87.34) expect(d[i], `exp(${xs[i]})`).to.equal(0);
      else if (xs[i] > 89) expect(d[i], `exp(${xs[i]})`).to.equal(Infinity);
      else if (xs[i] !== xs[i]) expect(d[i]).to.be.NaN;
      else if (want >= 2 ** -126) expect(Math.abs(d[i] - want) / want, `exp(${xs[i]})`).to.be.at.most(3 * 2 ** -23);
      else expect(Math.abs(d[i] - want), `exp(${xs[i]})`).to.be.at.most(2 ** -149 * 4);
    }
    for (const a of [x, labels, lse, g, d]) heap().free(a);
  });

  it("rejects a label out of range and arrays outside the heap, writing nothing", () => {
    const x = heap().fromArray([1, 2, 3, 4]),
      labels = heap().allocInt32(2),
      loss = heap().fromArray([7, 7]),
      lse = heap().alloc(2);
    labels[1] = 2;
    expect(() => W.softmaxCrossEntropyF32(x, labels, 2, 2, loss, lse)).to.throw(
      /softmaxCrossEntropyF32 \(wasm\): label 2 at index 1 is not a class in \[0, 1\]/,
    );
    expect(() => W.reluF32(new Float32Array(4), x)).to.throw(/reluF32 \(wasm\): x must live in the wasm memory/);
    expect(() => W.addBiasRowsF32(x, lse, 2, 3)).to.throw(/addBiasRowsF32 \(wasm\): y has 4 elements, expected 6/);
    expect(Array.from(loss)).to.deep.equal([7, 7]);
    for (const a of [x, labels, loss, lse]) heap().free(a);
  });
});
