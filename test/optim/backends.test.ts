/**
 * The two backends give the same bits: random optimizer programs (every rule, weight decay,
 * EMA with overwrites, clipping of each kind, gradient accumulation, loss scaling) run once on
 * the "js" backend and once on "wasm", on parameters of random sizes (ragged tails, and one past
 * the threading threshold, so both the 1-thread and the split passes run), then every weight and
 * every slot is compared bit for bit (any NaN as NaN). Also: on "wasm" the state lives in the wasm heap and the
 * passes really ran there.
 */
import { expect } from "chai";
import { Tensor } from "../../core/tensor";
import { Parameter } from "../../core/parameter";
import { getBackend, inWasmHeap, setBackend, type Backend } from "../../core/backend";
import { PARALLEL_MIN_ELEMENTS } from "../../core/kernels/threads";
import { wasmColumnStats } from "../../core/wasm/column";
import { Adam, AdamW, Lion, LossScaleOptimizer, Optimizer, SGD } from "../../optim";
import { BACKENDS } from "../support/backends";
import { lcg } from "./helpers";

const PROGRAMS = 24;
const STEPS = 5;

type Maker = (r: () => number) => Optimizer;

/** Random hyper-parameters over the features the pipeline has; each program draws one. */
const MAKERS: Maker[] = [
  (r) =>
    new Lion({
      learningRate: 1e-3 + r() * 0.05,
      beta1: 0.5 + 0.49 * r(),
      weightDecay: r() < 0.5 ? 0.1 * r() : null,
      useEma: r() < 0.5,
      emaOverwriteFrequency: r() < 0.3 ? 2 : null,
      clipNorm: r() < 0.3 ? 0.5 : null,
    }),
  (r) =>
    new AdamW({
      learningRate: 1e-3 + r() * 0.05,
      weightDecay: 0.004 + 0.1 * r(),
      amsgrad: r() < 0.5,
      clipValue: r() < 0.4 ? 0.3 : null,
      gradientAccumulationSteps: r() < 0.3 ? 2 : null,
    }),
  (r) =>
    new Adam({
      learningRate: 1e-3 + r() * 0.05,
      epsilon: r() < 0.5 ? 1e-7 : 1e-3,
      amsgrad: r() < 0.5,
      globalClipNorm: r() < 0.4 ? 1 : null,
      useEma: r() < 0.4,
    }),
  (r) =>
    new SGD({
      learningRate: 0.01 + r() * 0.1,
      momentum: r() < 0.3 ? 0 : 0.9 * r(),
      nesterov: r() < 0.5,
      weightDecay: r() < 0.5 ? 0.01 : null,
      clipNorm: r() < 0.3 ? 1 : null,
    }),
  (r) => new Lion({ learningRate: 1e-3, lossScaleFactor: r() < 0.5 ? 128 : 1024, gradientAccumulationSteps: r() < 0.5 ? 3 : null }),
  (r) => new LossScaleOptimizer(new AdamW({ learningRate: 1e-3 + r() * 0.01 }), { initialScale: 64 }),
];

// NaN is compared as NaN: its sign and payload are not part of float32 semantics (x86's
// JavaScript arithmetic makes 0xffc00000 where wasm makes the canonical 0x7fc00000).
const NAN_BITS = 0x7fc00000;

function bitsOf(a: ArrayLike<number>): number[] {
  const f = Float32Array.from(a),
    u = new Uint32Array(f.buffer);
  return Array.from(u, (b, i) => (f[i] !== f[i] ? NAN_BITS : b));
}

/** One program on `backend`: the bits of the weights and of every slot after STEPS steps. */
function runProgram(seed: number, backend: Backend, big: boolean): { bits: number[][]; inHeap: boolean } {
  const previous = getBackend();
  setBackend(backend);
  try {
    const r = lcg(seed);
    const opt = MAKERS[seed % MAKERS.length](r);
    const sizes = [1 + Math.floor(r() * 40), 4 * Math.floor(1 + r() * 300) + Math.floor(r() * 4), big ? PARALLEL_MIN_ELEMENTS + 1027 : 7];
    const params = sizes.map((n, k) => {
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = r() * 2 - 1;
      return new Parameter(new Tensor(v, [n]), { name: `p${k}` });
    });
    const scale = opt instanceof LossScaleOptimizer ? 64 : opt.getConfig().loss_scale_factor ? Number(opt.getConfig().loss_scale_factor) : 1;
    for (let s = 0; s < STEPS; s++) {
      const grads = sizes.map((n) => {
        const g = new Float32Array(n);
        for (let i = 0; i < n; i++) g[i] = (r() * 2 - 1) * scale * (s === 2 && i === 0 && r() < 0.2 ? Infinity : 1);
        return new Tensor(g, [n]);
      });
      opt.apply(grads, params);
    }
    const state = opt.stateDict();
    const bits = params.map((p) => bitsOf(p.values));
    for (const ts of Object.values(state.slots)) for (const t of ts) bits.push(bitsOf(t.values));
    return { bits, inHeap: params.every((p) => inWasmHeap(p.values)) };
  } finally {
    setBackend(previous);
  }
}

describe("optim: js and wasm backends agree bit for bit on random programs", function () {
  this.timeout(120000);
  if (!BACKENDS.includes("wasm")) return;

  for (let seed = 1; seed <= PROGRAMS; seed++) {
    const big = seed % 8 === 0;
    it(`program ${seed} (${MAKERS[seed % MAKERS.length](lcg(seed)).className}${big ? ", a parameter past the threading threshold" : ""})`, () => {
      const calls0 = wasmColumnStats.calls;
      const js = runProgram(seed, "js", big);
      expect(wasmColumnStats.calls, "the js backend ran a wasm pass").to.equal(calls0);
      const wasm = runProgram(seed, "wasm", big);
      expect(wasmColumnStats.calls, "the wasm backend ran no wasm pass").to.be.greaterThan(calls0);
      expect(js.inHeap, "js parameters in the wasm heap").to.equal(false);
      expect(wasm.inHeap, "wasm parameters outside the wasm heap").to.equal(true);
      expect(wasm.bits.length).to.equal(js.bits.length);
      for (let k = 0; k < js.bits.length; k++) {
        const a = js.bits[k],
          b = wasm.bits[k];
        expect(b.length).to.equal(a.length);
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) expect.fail(`array ${k}[${i}]: js bits ${a[i].toString(16)} vs wasm ${b[i].toString(16)}`);
      }
    });
  }
});

describe("setBackend / getBackend", () => {
  it("rejects a name other than js or wasm, naming it and changing nothing", () => {
    const before = getBackend();
    expect(() => setBackend("gpu" as Backend)).to.throw('setBackend: backend must be one of "js", "wasm", got "gpu"');
    expect(() => setBackend(NaN as unknown as Backend)).to.throw("got NaN");
    expect(getBackend()).to.equal(before);
  });

  it("defaults to wasm where the module validates (unless NDGRAD_BACKEND says otherwise)", () => {
    const env = process.env.NDGRAD_BACKEND;
    if (env === undefined || env === "") expect(getBackend()).to.equal(BACKENDS.includes("wasm") ? "wasm" : "js");
    else expect(getBackend()).to.equal(env);
  });
});
