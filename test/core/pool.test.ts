/**
 * maxPool2d / avgPool2d: forward against naive window loops (square and rectangular windows,
 * default and explicit strides, partial trailing windows dropped), gradients by finite
 * differences, PyTorch's tie rule (first maximum gets the gradient), and bad-input errors.
 */
import { expect } from "chai";
import { avgPool2d, maxPool2d } from "../../core/ops/pool";
import { gradCheck } from "../../core/gradcheck";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import { DType } from "../../core/dtype";

function rand(shape: number[], dtype: DType = "float64", seed = 1, requiresGrad = false): Tensor {
  const gen = new Generator(seed);
  const n = shape.reduce((p, q) => p * q, 1);
  const a = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = gen.uniform() * 2 - 1;
  return new Tensor(a, shape, { requiresGrad });
}

type K = number | [number, number];
const asPair = (v: K): [number, number] => (typeof v === "number" ? [v, v] : v);

function naivePool(kind: "max" | "avg", x: Tensor, k: K, stride?: K): { shape: number[]; out: number[] } {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = asPair(k);
  const [sh, sw] = asPair(stride ?? k);
  const OH = Math.floor((H - kh) / sh) + 1;
  const OW = Math.floor((W - kw) / sw) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const win: number[] = [];
          for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) win.push(x.values[((n * C + c) * H + oh * sh + i) * W + ow * sw + j]);
          out.push(kind === "max" ? Math.max(...win) : win.reduce((p, q) => p + q, 0) / win.length);
        }
  return { shape: [N, C, OH, OW], out };
}

const cases: { x: number[]; k: K; stride?: K }[] = [
  { x: [1, 1, 1, 1], k: 1 },
  { x: [2, 3, 4, 4], k: 2 },
  { x: [2, 3, 5, 7], k: 2 }, // trailing row/column dropped
  { x: [1, 2, 5, 5], k: 3, stride: 1 },
  { x: [1, 2, 7, 8], k: 3, stride: 2 },
  { x: [2, 1, 6, 9], k: [2, 3] },
  { x: [1, 2, 9, 6], k: [3, 2], stride: [2, 1] },
  { x: [1, 1, 4, 4], k: 4 },
  { x: [3, 8, 28, 28], k: 2 },
  { x: [0, 2, 4, 4], k: 2 },
];

const label = (c: { x: number[]; k: K; stride?: K }) => `x ${JSON.stringify(c.x)} k ${JSON.stringify(c.k)} stride ${JSON.stringify(c.stride ?? "default")}`;

for (const [name, op, kind] of [
  ["maxPool2d", maxPool2d, "max"],
  ["avgPool2d", avgPool2d, "avg"],
] as const) {
  describe(`${name} forward`, () => {
    for (const dtype of ["float32", "float64"] as DType[]) {
      for (const c of cases) {
        it(`${dtype} ${label(c)}`, () => {
          const x = rand(c.x, dtype, 2);
          const y = c.stride === undefined ? op(x, c.k) : op(x, c.k, { stride: c.stride });
          const ref = naivePool(kind, x, c.k, c.stride);
          expect(y.shape).to.deep.equal(ref.shape);
          expect(y.dtype).to.equal(dtype);
          expect(y.values.length).to.equal(ref.out.length);
          const tol = dtype === "float32" ? 1e-6 : 1e-14;
          ref.out.forEach((v, i) => expect(Math.abs(y.values[i] - v)).to.be.at.most(tol));
        });
      }
    }
  });

  describe(`${name} backward`, () => {
    for (const c of [cases[1], cases[2], cases[3], cases[4], cases[6]]) {
      it(`gradCheck ${label(c)}`, () => {
        const f = (x: Tensor) => (c.stride === undefined ? op(x, c.k) : op(x, c.k, { stride: c.stride }));
        const r = gradCheck(f, [rand(c.x, "float64", 3)]);
        expect(r.ok, JSON.stringify(r)).to.equal(true);
      });
    }
  });
}

describe("maxPool2d ties, NaN and gradient routing", () => {
  it("sends the gradient to the first maximum of a window, as PyTorch", () => {
    const x = new Tensor(new Float64Array([1, 3, 3, 0, 2, 3, 3, 1, 5, 5, 5, 5, 5, 5, 5, 5]), [1, 1, 4, 4], { requiresGrad: true });
    const y = maxPool2d(x, 2);
    expect(Array.from(y.values)).to.deep.equal([3, 3, 5, 5]);
    y.backward(new Tensor(new Float64Array([1, 10, 100, 1000]), [1, 1, 2, 2]));
    expect(Array.from(x.grad!.values)).to.deep.equal([0, 1, 10, 0, 0, 0, 0, 0, 100, 0, 1000, 0, 0, 0, 0, 0]);
  });
  it("overlapping windows accumulate onto a shared maximum", () => {
    const x = new Tensor(new Float64Array([0, 0, 0, 0, 9, 0, 0, 0, 0]), [1, 1, 3, 3], { requiresGrad: true });
    const y = maxPool2d(x, 2, { stride: 1 });
    y.backward(new Tensor(new Float64Array([1, 2, 3, 4]), [1, 1, 2, 2]));
    expect(Array.from(x.grad!.values)).to.deep.equal([0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });
  it("propagates NaN and handles all -Infinity windows", () => {
    const x = new Tensor(new Float64Array([1, NaN, 2, 3, -Infinity, -Infinity, -Infinity, -Infinity]), [1, 2, 2, 2]);
    const y = maxPool2d(x, 2);
    expect(y.values[0]).to.be.NaN;
    expect(y.values[1]).to.equal(-Infinity);
  });
  it("avgPool2d spreads the gradient evenly over each window", () => {
    const x = rand([1, 1, 2, 4], "float64", 1, true);
    avgPool2d(x, 2).backward(new Tensor(new Float64Array([4, 8]), [1, 1, 1, 2]));
    expect(Array.from(x.grad!.values)).to.deep.equal([1, 1, 2, 2, 1, 1, 2, 2]);
  });
  it("float32 in, float32 gradients out", () => {
    const x = rand([1, 2, 4, 4], "float32", 1, true);
    maxPool2d(x, 2).backward(rand([1, 2, 2, 2], "float32"));
    expect(x.grad!.dtype).to.equal("float32");
  });
});

describe("pooling errors", () => {
  for (const name of ["maxPool2d", "avgPool2d"] as const) {
    const op = name === "maxPool2d" ? maxPool2d : avgPool2d;
    it(`${name}: input not 4-D, bad window or stride, window larger than input`, () => {
      expect(() => op(rand([3, 4, 4]), 2)).to.throw(new RegExp(`${name}: input x must be 4-D .*got \\[3,4,4\\]`));
      expect(() => op(rand([1, 1, 4, 4]), 0)).to.throw(new RegExp(`${name}: kernel size k must be a positive integer.*got 0`));
      expect(() => op(rand([1, 1, 4, 4]), [2, 2.5] as [number, number])).to.throw(new RegExp(`${name}: kernel size k`));
      expect(() => op(rand([1, 1, 4, 4]), 2, { stride: 0 })).to.throw(new RegExp(`${name}: stride must be a positive integer.*got 0`));
      expect(() => op(rand([1, 1, 4, 3]), [2, 4])).to.throw(new RegExp(`${name}: kernel \\[2,4\\] is larger than the input \\[4,3\\] \\(x \\[1,1,4,3\\]`));
    });
  }
});
