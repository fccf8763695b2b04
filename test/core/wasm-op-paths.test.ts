/**
 * The ops that run wasm kernels on the wasm backend for ordinary (tape) arrays, staged through
 * kept heap blocks: conv2d forward and backward (not 1 × 1, which is a plain GEMM), relu and its
 * backward, 2 × 2 / stride 2 max pooling. Each is checked against the js backend on the same
 * inputs, after checking that the wasm path really ran (its call counter moved):
 * - conv2d within the GEMM's summation tolerance, |wasm − js| ≤ (K + 2)·2⁻²⁴·Σ|terms| per element
 *   (K the longest reduction, Σ|terms| the same op on |inputs| in float64: CONTRIBUTING's GEMM
 *   bound), and bit-identical across 1 and 2 threads and across two runs;
 * - relu, its backward and max pooling (values and the gradient routed by the arg-max)
 *   bit-identical, on inputs with NaN, ±0, ±∞ and ties.
 */
import { expect } from "chai";
import * as nd from "../../core";
import { Tensor } from "../../core";
import { getBackend, setBackend, type Backend } from "../../core/backend";
import { getNumThreads, setNumThreads } from "../../core/kernels/threads";
import { convStagedStats } from "../../core/wasm/conv-staged";
import { opStagedStats } from "../../core/wasm/op-staged";
import { maxPoolStagedStats } from "../../core/wasm/maxpool";
import { StagingFull, scratchBlock, unlessFull } from "../../core/wasm/stage";
import { BACKENDS } from "../support/backends";

type Run = (xs: Tensor[]) => Tensor;

/** Output and the gradient of Σ out·G for every input (plain arrays), on `backend`. */
function forwardBackward(shapes: number[][], run: Run, backend: Backend, dtype: "float32" | "float64", abs = false, inputs?: Float32Array[]): number[][] {
  const previous = getBackend();
  setBackend(backend);
  try {
    const xs = shapes.map((s, i) => {
      let t = inputs ? new Tensor(dtype === "float64" ? Float64Array.from(inputs[i]) : Float32Array.from(inputs[i]), s) : nd.randn(s, { seed: 7 + i, dtype });
      if (abs) t = t.abs();
      return new Tensor(t.values, s, { requiresGrad: true });
    });
    const out = run(xs);
    let up = nd.randn(out.shape, { seed: 99, dtype });
    if (abs) up = up.abs();
    out.mul(up).sum().backward();
    return [Array.from(out.values), ...xs.map((t) => Array.from(t.grad!.values))];
  } finally {
    setBackend(previous);
  }
}

/** Runs `f` with `n` threads, restoring the count after. */
function withThreads<T>(n: number, f: () => T): T {
  const before = getNumThreads();
  try {
    setNumThreads(n);
    return f();
  } finally {
    setNumThreads(before);
  }
}

interface ConvCase {
  x: number[];
  w: number[];
  bias: boolean;
  opts: nd.Conv2dOptions;
}

const CONV_CASES: ConvCase[] = [
  { x: [6, 1, 28, 28], w: [8, 1, 3, 3], bias: true, opts: { padding: 1 } }, // the bench CNN's first layer
  { x: [2, 16, 14, 14], w: [32, 16, 3, 3], bias: true, opts: { padding: 1 } }, // cnn-mnist's second layer
  { x: [2, 3, 13, 11], w: [4, 3, 3, 3], bias: false, opts: { padding: [1, 0] } }, // direct 3 × 3, a 9-pixel row (tail)
  { x: [3, 4, 9, 7], w: [5, 4, 3, 2], bias: false, opts: { stride: [2, 1], padding: [1, 0] } },
  { x: [2, 3, 11, 10], w: [4, 3, 5, 5], bias: true, opts: { stride: 3, padding: 2 } },
  { x: [300, 1, 28, 28], w: [8, 1, 3, 3], bias: true, opts: { padding: 1 } }, // more than one chunk of images
];

describe("ops on the wasm kernels for tape arrays (staged)", function () {
  this.timeout(120000);
  if (!BACKENDS.includes("wasm")) return;

  for (const c of CONV_CASES) {
    const shapes = c.bias ? [c.x, c.w, [c.w[0]]] : [c.x, c.w];
    const run: Run = ([x, w, b]) => nd.conv2d(x, w, b, c.opts);
    it(`conv2d x ${JSON.stringify(c.x)} w ${JSON.stringify(c.w)} ${JSON.stringify(c.opts)}: within the GEMM bound of js, same bits for 1 and 2 threads`, () => {
      const f0 = convStagedStats.forward,
        b0 = convStagedStats.backward;
      const js = forwardBackward(shapes, run, "js", "float32");
      expect(convStagedStats.forward, "the js backend took the wasm path").to.equal(f0);
      const wasm = forwardBackward(shapes, run, "wasm", "float32");
      expect(convStagedStats.forward - f0, "wasm forward calls").to.equal(1);
      expect(convStagedStats.backward - b0, "wasm backward calls").to.equal(1);
      const bound = forwardBackward(shapes, run, "js", "float64", true);
      const [N, C] = c.x,
        [O, , KH, KW] = c.w;
      const ohw = wasm[0].length / (N * O);
      // forward sums C·KH·KW products and the bias, dx O·KH·KW, dw and db N·OH·OW
      const K = Math.max(C * KH * KW + 1, O * KH * KW, N * ohw);
      const unit = (K + 2) * 2 ** -24;
      let differ = 0;
      for (let r = 0; r < js.length; r++) {
        expect(wasm[r].length).to.equal(js[r].length);
        for (let i = 0; i < js[r].length; i++) {
          const d = Math.abs(wasm[r][i] - js[r][i]);
          if (!(d <= unit * bound[r][i] + 2 ** -24 * Math.abs(js[r][i]))) {
            expect.fail(`result ${r}[${i}]: wasm ${wasm[r][i]} vs js ${js[r][i]}, beyond ${unit * bound[r][i]}`);
          }
          if (d !== 0) differ++;
        }
      }
      expect(differ, "elements where the float32 GEMM differs from js (the wasm path computes on its own)").to.be.greaterThan(0);
      expect(withThreads(1, () => forwardBackward(shapes, run, "wasm", "float32"))).to.deep.equal(wasm);
      expect(withThreads(2, () => forwardBackward(shapes, run, "wasm", "float32"))).to.deep.equal(wasm);
    });
  }

  /** Random values with the awkward ones sprinkled in: NaN, ±0, ±∞, a subnormal, repeats. */
  function awkward(n: number, seed: number): Float32Array {
    const r = nd.randn([n], { seed }).values as Float32Array;
    const special = [NaN, -NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 1, 1];
    for (let i = 0; i < n; i += 7) r[i] = special[(i / 7) % special.length];
    // quantised stretch: many exact ties, as after a relu
    for (let i = n >> 1; i < n; i++) r[i] = Math.max(0, Math.round(r[i] * 2));
    return r;
  }
  const same = (a: number[][], b: number[][]) => {
    for (let r = 0; r < a.length; r++) {
      for (let i = 0; i < a[r].length; i++) {
        if (!Object.is(a[r][i], b[r][i])) expect.fail(`result ${r}[${i}]: wasm ${a[r][i]} vs js ${b[r][i]}`);
      }
    }
  };

  it("relu and its backward: the same bits as js (NaN, ±0, ±∞, subnormals), any thread count", () => {
    for (const n of [4099, 3 << 19]) {
      const x = awkward(n, n);
      const r0 = opStagedStats.relu,
        b0 = opStagedStats.reluBackward;
      const js = forwardBackward([[n]], ([t]) => nd.relu(t), "js", "float32", false, [x]);
      expect(opStagedStats.relu, "js ran the wasm relu").to.equal(r0);
      const wasm = forwardBackward([[n]], ([t]) => nd.relu(t), "wasm", "float32", false, [x]);
      expect([opStagedStats.relu - r0, opStagedStats.reluBackward - b0]).to.deep.equal([1, 1]);
      same(wasm, js);
      same(
        withThreads(1, () => forwardBackward([[n]], ([t]) => nd.relu(t), "wasm", "float32", false, [x])),
        js,
      );
    }
  });

  it("maxPool2d 2 × 2: the same maxima and the same arg-max routing of the gradient as js", () => {
    for (const shape of [
      [2, 3, 28, 28],
      [4, 4, 9, 13],
      [2, 5, 6, 30],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = awkward(n, n + 1);
      const c0 = maxPoolStagedStats.calls;
      const js = forwardBackward([shape], ([t]) => nd.maxPool2d(t, 2), "js", "float32", false, [x]);
      const wasm = forwardBackward([shape], ([t]) => nd.maxPool2d(t, 2), "wasm", "float32", false, [x]);
      expect(maxPoolStagedStats.calls - c0, `wasm max pooling calls for ${JSON.stringify(shape)}`).to.equal(1);
      same(wasm, js);
      // inference (no arg-max kept) gives the same maxima
      const previous = getBackend();
      setBackend("wasm");
      try {
        const y = nd.noGrad(() => nd.maxPool2d(new Tensor(Float32Array.from(x), shape), 2));
        same([Array.from(y.values)], [js[0]]);
      } finally {
        setBackend(previous);
      }
    }
  });

  it("a staging block the heap cannot hold makes the kernel decline (StagingFull), other errors still throw", () => {
    // 2^30 elements = 4 GiB, beyond the heap's 2 GiB maximum: refused before the memory grows
    expect(() => scratchBlock("test.huge", 2 ** 30)).to.throw(StagingFull, /no room for 1073741824 elements \(test\.huge\)/);
    let ran = false;
    expect(unlessFull(() => (scratchBlock("test.huge", 2 ** 30), (ran = true)))).to.equal(false);
    expect(ran).to.equal(false);
    expect(() =>
      unlessFull(() => {
        throw new Error("a bug");
      }),
    ).to.throw("a bug");
    expect(unlessFull(() => true)).to.equal(true);
  });

  it("a conv2d's bias gradient is its own when another conv's backward ran on the same dOut array (a reshape shares it)", () => {
    // conv A (direct 3×3 dW kernel, which sums a bias gradient along) and conv B (frozen weights,
    // only its bias trains: its backward runs no dW kernel) get one gradient array through add/reshape
    const run = (backend: Backend, aFirst: boolean) => {
      const previous = getBackend();
      setBackend(backend);
      try {
        const x = nd.randn([2, 1, 4, 4], { seed: 1 });
        const wA = new Tensor(nd.randn([8, 1, 3, 3], { seed: 2 }).values, [8, 1, 3, 3], { requiresGrad: true });
        const x2 = nd.randn([2, 1, 10, 10], { seed: 3 });
        const wB = nd.randn([2, 1, 3, 3], { seed: 4 });
        const bB = new Tensor(nd.randn([2], { seed: 5 }).values, [2], { requiresGrad: true });
        const a = nd.reshape(nd.conv2d(x, wA, null, { padding: 1 }), [2, 2, 8, 8]);
        const c = nd.conv2d(x2, wB, bB);
        const r = nd.randn([2, 2, 8, 8], { seed: 6 });
        (aFirst ? a.add(c) : c.add(a)).mul(r).sum().backward();
        // the bias gradient is Σ r over images and pixels, per channel
        const expected = [0, 1].map((o) => {
          let s = 0;
          for (let n = 0; n < 2; n++) for (let q = 0; q < 64; q++) s += r.values[(n * 2 + o) * 64 + q];
          return s;
        });
        return { got: Array.from(bB.grad!.values), expected };
      } finally {
        setBackend(previous);
      }
    };
    for (const backend of BACKENDS) {
      for (const aFirst of [true, false]) {
        const { got, expected } = run(backend, aFirst);
        got.forEach((v, o) => expect(v, `${backend}, ${aFirst ? "a + c" : "c + a"}, channel ${o}`).to.be.closeTo(expected[o], 1e-4));
      }
    }
  });
});
