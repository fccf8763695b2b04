/**
 * conv2d through the wasm GEMM (core/wasm/conv.ts) against the conv2d op in float64: forward,
 * dx and dw within the float32-summation bound of the GEMM test, (k + 2)·2^-24·Σ|terms| + 2^-24·|ref|,
 * where Σ|terms| is the same conv over |x|, |w| and |dOut| (so the bound is per element). Strides,
 * padding, 1×1 and kernels as large as the input are covered.
 */
import { expect } from "chai";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import "../../core/ops/methods"; // attaches Tensor.mul / .sum
import { conv2d } from "../../core/ops/conv";
import { noGrad } from "../../core/autograd";
import { wasmKernels } from "../../core/wasm/loader";
import { conv2dBackwardF32, conv2dF32, conv2dGeometry } from "../../core/wasm/conv";

const U = 2 ** -24;
const heap = () => wasmKernels().heap;

function rand(n: number, gen: Generator): Float32Array {
  const a = heap().alloc(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform() * 2 - 1;
  return a;
}
const f64 = (a: Float32Array, shape: number[], grad = false) => new Tensor(Float64Array.from(a), shape, { requiresGrad: grad });
const abs = (a: Float32Array, shape: number[], grad = false) => new Tensor(Float64Array.from(a, Math.abs), shape, { requiresGrad: grad });

function within(got: Float32Array, ref: ArrayLike<number>, absRef: ArrayLike<number>, k: number, label: string): void {
  for (let i = 0; i < got.length; i++) {
    const bound = (k + 2) * U * absRef[i] + U * Math.abs(ref[i]) + 1e-30;
    if (!(Math.abs(got[i] - ref[i]) <= bound)) expect.fail(`${label}[${i}]: wasm ${got[i]} vs ${ref[i]} (bound ${bound})`);
  }
}

describe("wasm conv2d (im2col + GEMM)", function () {
  this.timeout(60000);

  it("forward, dx and dw match conv2d within the float32-summation bound", () => {
    const gen = new Generator(8);
    const cases = [
      [2, 1, 28, 28, 8, 3, 3, 1, 1, 1, 1],
      [3, 4, 9, 7, 5, 3, 2, 2, 1, 1, 0],
      [1, 3, 5, 5, 2, 5, 5, 1, 1, 0, 0],
      [2, 6, 8, 8, 4, 1, 1, 1, 1, 0, 0],
      [2, 2, 10, 6, 3, 3, 3, 3, 2, 2, 1],
      [1, 16, 7, 7, 9, 3, 3, 1, 1, 1, 1],
    ];
    for (const c of cases) {
      const g = conv2dGeometry(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
      const { N, C, H, W, O, KH, KW, OH, OW } = g;
      const xs = [N, C, H, W],
        ws = [O, C, KH, KW],
        os = [N, O, OH, OW];
      const x = rand(N * C * H * W, gen),
        w = rand(O * C * KH * KW, gen),
        b = rand(O, gen),
        dOut = rand(N * O * OH * OW, gen);
      const out = heap().alloc(N * O * OH * OW),
        dx = heap().alloc(x.length),
        dw = heap().alloc(w.length);
      conv2dF32(x, w, b, g, out);
      conv2dBackwardF32(x, w, dOut, g, dx, dw);
      const opts = { stride: [g.SH, g.SW] as [number, number], padding: [g.PH, g.PW] as [number, number] };
      const label = `conv ${JSON.stringify(c)}`;
      // reference values in float64, and the same sums over absolute values for the bound
      const xt = f64(x, xs, true),
        wt = f64(w, ws, true);
      const y = conv2d(xt, wt, f64(b, [O]), opts);
      y.mul(f64(dOut, os)).sum().backward();
      const xa = abs(x, xs, true),
        wa = abs(w, ws, true);
      const ya = conv2d(xa, wa, abs(b, [O]), opts);
      ya.mul(abs(dOut, os)).sum().backward();
      within(out, y.values, ya.values, C * KH * KW + 1, `${label} out`);
      within(dx, xt.grad!.values, xa.grad!.values, O * KH * KW, `${label} dx`);
      within(dw, wt.grad!.values, wa.grad!.values, N * OH * OW, `${label} dw`);
      // and close to the float32 op, as a sanity check of the layout
      const y32 = noGrad(() => conv2d(new Tensor(x.slice(), xs), new Tensor(w.slice(), ws), new Tensor(b.slice(), [O]), opts));
      for (let i = 0; i < out.length; i++) expect(Math.abs(out[i] - y32.values[i])).to.be.below(1e-4);
      for (const a of [x, w, b, dOut, out, dx, dw]) heap().free(a);
    }
  });

  it("rejects a geometry that does not fit and arrays of the wrong size", () => {
    expect(() => conv2dGeometry(1, 1, 2, 2, 1, 3, 3, 1, 1, 0, 0)).to.throw(/conv2dF32 \(wasm\): a 3×3 kernel does not fit a 2×2 input with padding 0×0/);
    expect(() => conv2dGeometry(1, 1, 4, 4, 1, 3, 3, 0, 1, 0, 0)).to.throw(/SH must be an integer ≥ 1, got 0/);
    const g = conv2dGeometry(1, 1, 4, 4, 2, 3, 3, 1, 1, 1, 1);
    const x = heap().alloc(16),
      w = heap().alloc(18),
      out = heap().alloc(31);
    expect(() => conv2dF32(x, w, null, g, out)).to.throw(/conv2dF32 \(wasm\): out has 31 elements, expected 32/);
    for (const a of [x, w, out]) heap().free(a);
  });
});
