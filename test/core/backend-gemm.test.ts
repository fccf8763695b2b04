/**
 * The GEMM ops (matmul, linear; forward and every input's gradient) in float32 on the
 * wasm backend: they run on the wasm GEMM (counted), agree with the js backend within the
 * documented summation tolerance, |wasm − js| ≤ (K + 2)·2⁻²⁴·Σ|a·b| per element (K the longest
 * reduction of the op), and are deterministic: the same bits on a second run and with 1 or 2
 * threads. (conv2d's own wasm path, staged im2col + GEMM, is tested in wasm-op-paths.test.ts.)
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Tensor } from "../../core";
import { getBackend, setBackend, type Backend } from "../../core/backend";
import { getNumThreads, setNumThreads } from "../../core/kernels/threads";
import { gemmStagedStats } from "../../core/wasm/gemm-staged";
import { BACKENDS } from "../support/backends";

interface Case {
  label: string;
  shapes: number[][];
  /** The longest reduction over the forward and the backward products. */
  K: number;
  run: (xs: Tensor[]) => Tensor;
}

const CASES: Case[] = [
  {
    label: "matmul, batched [3,37,29] @ [29,45]",
    shapes: [
      [3, 37, 29],
      [29, 45],
    ],
    K: 111,
    run: ([a, b]) => nd.matmul(a, b),
  },
  { label: "linear [64,100] · [50,100]ᵀ + [50]", shapes: [[64, 100], [50, 100], [50]], K: 100, run: ([x, w, b]) => nd.linear(x, w, b) },
  {
    label: "matmul 256 × 256 (threaded)",
    shapes: [
      [256, 256],
      [256, 256],
    ],
    K: 256,
    run: ([a, b]) => nd.matmul(a, b),
  },
];

/** The op's output and the gradient of Σ out·G for every input, as plain arrays. */
function forwardBackward(c: Case, backend: Backend, dtype: "float32" | "float64", abs: boolean): number[][] {
  const previous = getBackend();
  setBackend(backend);
  try {
    const inputs = c.shapes.map((s, i) => {
      let t = nd.randn(s, { seed: 7 + i, dtype });
      if (abs) t = t.abs();
      return new Tensor(t.values, s, { requiresGrad: true });
    });
    const out = c.run(inputs);
    let up = nd.randn(out.shape, { seed: 99, dtype });
    if (abs) up = up.abs();
    out.mul(up).sum().backward();
    return [Array.from(out.values), ...inputs.map((t) => Array.from(t.grad!.values))];
  } finally {
    setBackend(previous);
  }
}

describe("GEMM ops on the wasm backend (float32)", function () {
  this.timeout(60000);
  if (!BACKENDS.includes("wasm")) return;

  for (const c of CASES) {
    it(`${c.label}: within the summation tolerance of js, deterministic for 1 and 2 threads`, () => {
      const calls0 = gemmStagedStats.calls;
      const js = forwardBackward(c, "js", "float32", false);
      expect(gemmStagedStats.calls, "the js backend ran the wasm GEMM").to.equal(calls0);
      const wasm = forwardBackward(c, "wasm", "float32", false);
      expect(gemmStagedStats.calls - calls0, "wasm GEMM calls (forward + each gradient)").to.be.at.least(3);
      // Σ|a·b| for every output and gradient: the same bilinear products on |inputs|, exactly enough in float64.
      const bound = forwardBackward(c, "js", "float64", true);
      const unit = (c.K + 2) * 2 ** -24;
      let differ = 0;
      for (let r = 0; r < js.length; r++) {
        expect(wasm[r].length).to.equal(js[r].length);
        for (let i = 0; i < js[r].length; i++) {
          const d = Math.abs(wasm[r][i] - js[r][i]);
          if (!(d <= unit * bound[r][i])) expect.fail(`result ${r}[${i}]: wasm ${wasm[r][i]} vs js ${js[r][i]}, beyond ${unit * bound[r][i]}`);
          if (d !== 0) differ++;
        }
      }
      const threads = getNumThreads();
      try {
        setNumThreads(1);
        const one = forwardBackward(c, "wasm", "float32", false);
        setNumThreads(2);
        const two = forwardBackward(c, "wasm", "float32", false);
        expect(one).to.deep.equal(wasm);
        expect(two).to.deep.equal(wasm);
      } finally {
        setNumThreads(threads);
      }
      // Not a tautology: the float32 accumulation shows somewhere on products this long.
      if (c.K >= 100) expect(differ, "elements where wasm and js differ").to.be.greaterThan(0);
    });
  }
});
