/**
 * The backward helpers that are ops of their own (conv2dInputGrad / conv2dWeightGrad in
 * core/ops/conv.ts, avgPool2dBackward in pool.ts, maxPool2dBackward in maxpool-backward.ts):
 * each one's recorded derivative through gradCheck and gradGradCheck (float64), which is what a
 * third derivative through conv2d or a pool runs; and each equals its op's first-order gradient.
 */
import { expect } from "chai";
import * as nd from "../../core";
import { conv2dInputGrad, conv2dWeightGrad } from "../../core/ops/conv";
import { avgPool2dBackward } from "../../core/ops/pool";
import { maxPool2dBackward } from "../../core/ops/maxpool-backward";
import type { Geometry } from "../../core/ops/conv-kernels";
import type { PoolGeometry } from "../../core/ops/pool";

type Tensor = nd.Tensor;
const r = (shape: number[], seed: number) => nd.randn(shape, { dtype: "float64", seed });

/** Geometries covering the three conv kernels: direct (stride 1, small), GEMM (strided), pointwise. */
const CONVS: { label: string; geo: Geometry }[] = [
  { label: "direct 3x3 padding 1", geo: { N: 2, C: 2, H: 4, W: 4, O: 3, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, OH: 4, OW: 4 } },
  { label: "gemm stride [2,1] padding [1,0]", geo: { N: 1, C: 8, H: 5, W: 4, O: 2, KH: 3, KW: 3, SH: 2, SW: 1, PH: 1, PW: 0, OH: 3, OW: 2 } },
  { label: "pointwise 1x1", geo: { N: 2, C: 3, H: 2, W: 3, O: 2, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0, OH: 2, OW: 3 } },
];

function close(a: Tensor, b: Tensor): void {
  expect(a.shape).to.deep.equal(b.shape);
  a.values.forEach((v, i) => expect(v).to.be.closeTo(b.values[i], 1e-12));
}

describe("conv2d's gradient ops", () => {
  for (const { label, geo } of CONVS) {
    const xShape = [geo.N, geo.C, geo.H, geo.W];
    const wShape = [geo.O, geo.C, geo.KH, geo.KW];
    const gShape = [geo.N, geo.O, geo.OH, geo.OW];
    const opts = { stride: [geo.SH, geo.SW] as [number, number], padding: [geo.PH, geo.PW] as [number, number] };

    it(`${label}: they are conv2d's first-order gradients`, () => {
      const x = r(xShape, 1),
        w = r(wShape, 2),
        g = r(gShape, 3);
      const [dx, dw] = nd.grad((a: Tensor, b: Tensor) => nd.conv2d(a, b, null, opts).mul(g).sum())(x, w);
      close(conv2dInputGrad(g, w, geo), dx);
      close(conv2dWeightGrad(x, g, geo), dw);
    });

    it(`${label}: conv2dInputGrad's derivative (gradCheck, gradGradCheck)`, () => {
      const f = (g: Tensor, w: Tensor) => conv2dInputGrad(g, w, geo).square();
      const inputs = [r(gShape, 4), r(wShape, 5)];
      expect(nd.gradCheck(f, inputs).ok).to.equal(true);
      expect(nd.gradGradCheck(f, inputs).ok).to.equal(true);
    });

    it(`${label}: conv2dWeightGrad's derivative (gradCheck, gradGradCheck)`, () => {
      const f = (x: Tensor, g: Tensor) => conv2dWeightGrad(x, g, geo).square();
      const inputs = [r(xShape, 6), r(gShape, 7)];
      expect(nd.gradCheck(f, inputs).ok).to.equal(true);
      expect(nd.gradGradCheck(f, inputs).ok).to.equal(true);
    });
  }
});

describe("the pooling gradient ops", () => {
  it("maxPool2dBackward scatters to the arg-max (ties: the first, as the forward) and differentiates as a gather", () => {
    // x = [[1, 3], [3, 0]]: the maximum 3 is tied, the forward's first (row-major) one takes g
    const x = nd.tensor(
      [
        [
          [
            [1, 3],
            [3, 0],
          ],
        ],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    nd.maxPool2d(x, 2).mul(5).sum().backward();
    expect((x.grad as Tensor).toArray()).to.deep.equal([
      [
        [
          [0, 5],
          [0, 0],
        ],
      ],
    ]);
    const argmax = Int32Array.of(1);
    const f = (g: Tensor) =>
      maxPool2dBackward(g, argmax, [1, 1, 2, 2])
        .mul(
          nd.tensor(
            [
              [
                [
                  [1, 2],
                  [3, 4],
                ],
              ],
            ],
            { dtype: "float64" },
          ),
        )
        .sum();
    expect(
      nd
        .grad(f)(nd.tensor([[[[7]]]], { dtype: "float64" }))[0]
        .toArray(),
    ).to.deep.equal([[[[2]]]]); // the gather
    const sq = (g: Tensor) => maxPool2dBackward(g, Int32Array.of(0, 3, 3, 5), [1, 1, 2, 3]).square();
    expect(nd.gradGradCheck(sq, [r([1, 1, 2, 2], 8)]).ok).to.equal(true);
  });

  it("avgPool2dBackward differentiates as avgPool2d (overlapping windows, uneven stride)", () => {
    const geo: PoolGeometry = { N: 1, C: 2, H: 5, W: 6, KH: 3, KW: 2, SH: 2, SW: 1, OH: 2, OW: 5 };
    const g = r([1, 2, 2, 5], 9);
    const x = r([1, 2, 5, 6], 10);
    const [dx] = nd.grad((t: Tensor) =>
      nd
        .avgPool2d(t, [3, 2], { stride: [2, 1] })
        .mul(g)
        .sum(),
    )(x);
    close(avgPool2dBackward(g, geo), dx);
    const f = (t: Tensor) => avgPool2dBackward(t, geo).square();
    expect(nd.gradCheck(f, [g]).ok).to.equal(true);
    expect(nd.gradGradCheck(f, [g]).ok).to.equal(true);
  });
});
