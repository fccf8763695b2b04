/**
 * conv2d: forward against a direct 7-loop convolution (padding, strides, 1×1 fast path, the
 * packed GEMM path, both dtypes), gradients for x, w and b by finite differences and against
 * the naive adjoint on a larger case, and bad-input errors naming conv2d and the shapes.
 */
import { expect } from "chai";
import { conv2d } from "../../core/ops/conv";
import { gradCheck } from "../../core/gradcheck";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import { DType, FloatArray } from "../../core/dtype";

function rand(shape: number[], dtype: DType = "float64", seed = 1, requiresGrad = false): Tensor {
  const gen = new Generator(seed);
  const n = shape.reduce((p, q) => p * q, 1);
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform() * 2 - 1;
  return new Tensor(a, shape, { requiresGrad });
}

interface Spec {
  x: number[];
  w: number[];
  bias?: boolean;
  stride?: number | [number, number];
  padding?: number | [number, number];
}

const asPair = (v: number | [number, number] | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v);

/** Direct convolution; also returns the adjoint (dx, dw, db) for a given output gradient. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor | undefined, s: Spec, gOut?: FloatArray) {
  const [N, C, H, W] = x.shape;
  const [O, , KH, KW] = w.shape;
  const [sh, sw] = asPair(s.stride, 1);
  const [ph, pw] = asPair(s.padding, 0);
  const OH = Math.floor((H + 2 * ph - KH) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - KW) / sw) + 1;
  const out = new Float64Array(N * O * OH * OW);
  const dx = new Float64Array(x.size);
  const dw = new Float64Array(w.size);
  const db = new Float64Array(O);
  const xv = x.values;
  const wv = w.values;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const oi = ((n * O + o) * OH + oh) * OW + ow;
          let s2 = b ? b.values[o] : 0;
          const g = gOut ? gOut[oi] : 0;
          db[o] += g;
          for (let c = 0; c < C; c++)
            for (let i = 0; i < KH; i++)
              for (let j = 0; j < KW; j++) {
                const ih = oh * sh - ph + i;
                const iw = ow * sw - pw + j;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const xi = ((n * C + c) * H + ih) * W + iw;
                const wi = ((o * C + c) * KH + i) * KW + j;
                s2 += xv[xi] * wv[wi];
                dx[xi] += g * wv[wi];
                dw[wi] += g * xv[xi];
              }
          out[oi] = s2;
        }
  return { shape: [N, O, OH, OW], out, dx, dw, db };
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).to.equal(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * (1 + Math.abs(want[i])))) expect.fail(`element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

const specs: Spec[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1] },
  { x: [2, 3, 5, 7], w: [4, 3, 3, 3], bias: true },
  { x: [2, 3, 5, 7], w: [4, 3, 3, 3], padding: 1 },
  { x: [1, 2, 6, 5], w: [2, 2, 3, 2], stride: 2, padding: 1, bias: true },
  { x: [2, 2, 7, 9], w: [3, 2, 2, 3], stride: [2, 1], padding: [0, 2] },
  { x: [1, 2, 8, 8], w: [3, 2, 3, 3], stride: 3, padding: 2 },
  { x: [2, 5, 4, 6], w: [7, 5, 1, 1], bias: true }, // 1×1 fast path
  { x: [1, 2, 5, 5], w: [3, 2, 1, 1], stride: 2 }, // 1×1 but strided: im2col path
  { x: [1, 1, 2, 2], w: [1, 1, 4, 4], padding: 1 }, // kernel exactly the padded input
  { x: [2, 8, 9, 9], w: [16, 8, 3, 3], padding: 1, bias: true }, // packed GEMM path with edge tiles
  { x: [1, 3, 17, 33], w: [5, 3, 5, 4], stride: [1, 2], padding: [2, 1] },
  { x: [3, 1, 28, 28], w: [8, 1, 3, 3], padding: 1, bias: true },
  { x: [0, 2, 4, 4], w: [3, 2, 3, 3] },
];

const label = (s: Spec) =>
  `x ${JSON.stringify(s.x)} w ${JSON.stringify(s.w)}${s.bias ? " +b" : ""} stride ${JSON.stringify(s.stride ?? 1)} padding ${JSON.stringify(s.padding ?? 0)}`;

describe("conv2d forward", () => {
  for (const dtype of ["float32", "float64"] as DType[]) {
    for (const s of specs) {
      it(`${dtype} ${label(s)}`, () => {
        const x = rand(s.x, dtype, 1);
        const w = rand(s.w, dtype, 2);
        const b = s.bias ? rand([s.w[0]], dtype, 3) : undefined;
        const y = conv2d(x, w, b, { stride: s.stride, padding: s.padding });
        const ref = naiveConv(x, w, b, s);
        expect(y.shape).to.deep.equal(ref.shape);
        expect(y.dtype).to.equal(dtype);
        expectClose(y.values, ref.out, dtype === "float32" ? 1e-5 : 1e-12);
      });
    }
  }

  it("defaults: stride 1, no padding, no bias", () => {
    const x = new Tensor(new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), [1, 1, 3, 3]);
    const w = new Tensor(new Float64Array([1, 0, 0, -1]), [1, 1, 2, 2]);
    const y = conv2d(x, w);
    expect(y.shape).to.deep.equal([1, 1, 2, 2]);
    expect(Array.from(y.values)).to.deep.equal([-4, -4, -4, -4]);
  });
});

describe("conv2d backward", () => {
  const small: Spec[] = [
    { x: [2, 2, 5, 5], w: [3, 2, 3, 3], bias: true },
    { x: [1, 2, 6, 5], w: [2, 2, 3, 2], stride: 2, padding: 1, bias: true },
    { x: [2, 2, 5, 6], w: [2, 2, 2, 3], stride: [2, 1], padding: [0, 2] },
    { x: [2, 3, 3, 4], w: [2, 3, 1, 1], bias: true },
    { x: [1, 1, 4, 4], w: [2, 1, 3, 3], stride: 3, padding: 2 },
  ];
  for (const s of small) {
    it(`gradCheck ${label(s)}`, () => {
      const inputs = [rand(s.x, "float64", 4), rand(s.w, "float64", 5)];
      if (s.bias) inputs.push(rand([s.w[0]], "float64", 6));
      const f = (x: Tensor, w: Tensor, b?: Tensor) => conv2d(x, w, b, { stride: s.stride, padding: s.padding });
      const r = gradCheck(f, inputs);
      expect(r.ok, JSON.stringify(r)).to.equal(true);
    });
  }

  for (const s of [specs[9], specs[10], specs[11]]) {
    it(`adjoint matches the naive one: ${label(s)}`, () => {
      const x = rand(s.x, "float64", 7, true);
      const w = rand(s.w, "float64", 8, true);
      const b = s.bias ? rand([s.w[0]], "float64", 9, true) : undefined;
      const y = conv2d(x, w, b, { stride: s.stride, padding: s.padding });
      const g = rand(y.shape as number[], "float64", 10);
      y.backward(g);
      const ref = naiveConv(x, w, b, s, g.values);
      expectClose(x.grad!.values, ref.dx, 1e-12);
      expectClose(w.grad!.values, ref.dw, 1e-12);
      if (b) expectClose(b.grad!.values, ref.db, 1e-12);
    });
  }

  it("returns null for inputs that need no gradient, and keeps float32", () => {
    const x = rand([1, 2, 4, 4], "float32", 1, false);
    const w = rand([3, 2, 3, 3], "float32", 2, true);
    const b = rand([3], "float32", 3, false);
    const y = conv2d(x, w, b);
    const grads = y.node!.backward(rand(y.shape as number[], "float32", 4));
    expect(grads[0]).to.equal(null);
    expect(grads[2]).to.equal(null);
    expect(grads[1]!.dtype).to.equal("float32");
    expect(grads[1]!.shape).to.deep.equal([3, 2, 3, 3]);
  });
});

describe("conv2d errors", () => {
  const x = rand([1, 3, 5, 5]);
  const w = rand([2, 3, 3, 3]);
  it("x or w not 4-D", () => {
    expect(() => conv2d(rand([3, 5, 5]), w)).to.throw(/conv2d: input x must be 4-D .*got \[3,5,5\]/);
    expect(() => conv2d(x, rand([2, 3, 3]))).to.throw(/conv2d: weight w must be 4-D .*got \[2,3,3\]/);
  });
  it("channel mismatch names both shapes", () => {
    expect(() => conv2d(x, rand([2, 2, 3, 3]))).to.throw("conv2d: x has 3 input channels but w expects 2: x [1,3,5,5], w [2,2,3,3]");
  });
  it("kernel larger than the padded input", () => {
    expect(() => conv2d(x, rand([2, 3, 6, 3]))).to.throw(/conv2d: kernel \[6,3\] is larger than the padded input \[5,5\]/);
    expect(() => conv2d(x, rand([2, 3, 6, 3]), undefined, { padding: 1 })).not.to.throw();
    expect(() => conv2d(x, rand([2, 3, 8, 3]), undefined, { padding: [1, 0] })).to.throw(/padded input \[7,5\]/);
  });
  it("bad stride and padding", () => {
    expect(() => conv2d(x, w, undefined, { stride: 0 })).to.throw(/conv2d: stride must be a positive integer.*got 0/);
    expect(() => conv2d(x, w, undefined, { stride: [1, -2] })).to.throw(/conv2d: stride .*got \[1,-2\]/);
    expect(() => conv2d(x, w, undefined, { stride: 1.5 })).to.throw(/conv2d: stride/);
    expect(() => conv2d(x, w, undefined, { padding: -1 })).to.throw(/conv2d: padding must be a non-negative integer.*got -1/);
  });
  it("bias shape and dtypes", () => {
    expect(() => conv2d(x, w, rand([3]))).to.throw(/conv2d: bias b must have shape \[2\].*got \[3\]/);
    expect(() => conv2d(x, rand([2, 3, 3, 3], "float32"))).to.throw(/conv2d: dtypes differ/);
  });
});
