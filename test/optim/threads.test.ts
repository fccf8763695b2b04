/**
 * Threaded optimizer passes (optim/kernels/* through core/kernels/threads.ts `parallelFor`):
 * on parameters of ≥ 1M elements, every rule and pipeline stage gives bit-identical parameters
 * and state with 1 thread, with 2 (main thread + helper), and with the helper doing all the
 * work; and the state of a big parameter is allocated shared, so the passes really are split.
 */
import { expect } from "chai";
import { allocateShared, isShared, FloatArray } from "../../core/dtype";
import { PARALLEL_MIN_ELEMENTS, getNumThreads, setNumThreads, threadStats, threadTesting, waitForThreads } from "../../core/kernels/threads";
import { Parameter } from "../../core/parameter";
import { Tensor } from "../../core/tensor";
import { Adam, AdamW, Lion, LossScaleOptimizer, Optimizer, SGD } from "../../optim";
import { lcg } from "./helpers";
import { getBackend, setBackend } from "../../core/backend";

// Just over the threshold, and not a multiple of any chunk size: the last chunk is ragged.
const N = PARALLEL_MIN_ELEMENTS + 4099;
const STEPS = 3;

const bits = (a: FloatArray): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

function sharedRandom(n: number, seed: number, scale: number, f64: boolean): FloatArray {
  const r = lcg(seed);
  const a = allocateShared(f64 ? "float64" : "float32", n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

interface Case {
  label: string;
  make: () => Optimizer;
  f64?: boolean;
  /** Gradient magnitude (large values make the clip rules bite). */
  scale?: number;
}

const CASES: Case[] = [
  { label: "Lion", make: () => new Lion({ learningRate: 1e-3 }) },
  { label: "Lion, weight decay, EMA", make: () => new Lion({ learningRate: 1e-3, weightDecay: 0.1, useEma: true, emaMomentum: 0.9 }) },
  { label: "AdamW", make: () => new AdamW({ learningRate: 1e-3, weightDecay: 0.004 }) },
  { label: "AdamW amsgrad", make: () => new AdamW({ learningRate: 1e-3, weightDecay: 0.004, amsgrad: true }) },
  { label: "Adam amsgrad, float64", make: () => new Adam({ learningRate: 1e-3, amsgrad: true }), f64: true },
  { label: "AdamW float64, EMA with overwrite", make: () => new AdamW({ learningRate: 1e-3, useEma: true, emaOverwriteFrequency: 2 }), f64: true },
  { label: "SGD momentum", make: () => new SGD({ learningRate: 0.1, momentum: 0.9 }) },
  { label: "SGD nesterov, weight decay", make: () => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }) },
  { label: "SGD plain, float64", make: () => new SGD({ learningRate: 0.1 }), f64: true },
  { label: "SGD clipNorm", make: () => new SGD({ learningRate: 0.1, momentum: 0.5, clipNorm: 1 }), scale: 3 },
  { label: "Adam clipNorm, float64", make: () => new Adam({ learningRate: 1e-3, clipNorm: 1 }), f64: true, scale: 3 },
  { label: "Lion globalClipNorm", make: () => new Lion({ learningRate: 1e-3, globalClipNorm: 2 }), scale: 3 },
  { label: "AdamW clipValue", make: () => new AdamW({ learningRate: 1e-3, clipValue: 0.5 }) },
  { label: "SGD gradient accumulation", make: () => new SGD({ learningRate: 0.1, momentum: 0.9, gradientAccumulationSteps: 2 }) },
  { label: "Lion static loss scale", make: () => new Lion({ learningRate: 1e-3, lossScaleFactor: 128 }), scale: 128 },
  { label: "LossScaleOptimizer(AdamW)", make: () => new LossScaleOptimizer(new AdamW({ learningRate: 1e-3 }), { initialScale: 64 }), scale: 64 },
];

/** STEPS steps of a fresh optimizer on one big and one small parameter; the bits of everything. */
function runCase(c: Case): string[] {
  const f64 = c.f64 ?? false,
    scale = c.scale ?? 1;
  const big = new Parameter(new Tensor(sharedRandom(N, 1, 1, f64), [N]), { name: "big" });
  const small = new Parameter(new Tensor(f64 ? new Float64Array(7).fill(0.5) : new Float32Array(7).fill(0.5), [7]), { name: "small" });
  expect(isShared(big.values)).to.equal(true);
  const opt = c.make();
  for (let s = 0; s < STEPS; s++) {
    const g = new Tensor(sharedRandom(N, 10 + s, scale, f64), [N]);
    const gs = new Tensor(f64 ? new Float64Array(7).fill(0.1 * (s + 1)) : new Float32Array(7).fill(0.1 * (s + 1)), [7]);
    opt.apply([g, gs], [big, small]);
  }
  const state = opt.stateDict();
  const out = [bits(big.values), bits(small.values)];
  for (const [name, ts] of Object.entries(state.slots)) for (const t of ts) out.push(`${name}:${bits(t.values)}`);
  return out;
}

// The JavaScript kernels' threads (the wasm backend's are tested in wasm-threads.test.ts).
describe("optimizers with threads (js backend)", function () {
  this.timeout(120000);
  const initial = getNumThreads();
  const initialBackend = getBackend();
  before(() => setBackend("js"));
  after(() => {
    setBackend(initialBackend);
    threadTesting.helperOnly = false;
    setNumThreads(initial);
  });

  it("allocates the state of a big parameter shared, and the parameter's own copies too", () => {
    const p = new Parameter(new Tensor(new Float32Array(N), [N]));
    expect(isShared(p.values)).to.equal(true);
    expect(isShared(new Parameter(new Float32Array(10)).values)).to.equal(false);
    expect(isShared(new Parameter(p, { dtype: "float64" }).values)).to.equal(true);
    const opt = new AdamW({ amsgrad: true, useEma: true, gradientAccumulationSteps: 2, clipNorm: 1 });
    opt.build([p]);
    const slots = opt as unknown as { slots: Record<string, FloatArray[]>; averages: FloatArray[]; accumulators: FloatArray[] };
    for (const n of ["momentums", "velocities", "velocityHats"]) expect(isShared(slots.slots[n][0]), n).to.equal(true);
    expect(isShared(slots.averages[0])).to.equal(true);
    expect(isShared(slots.accumulators[0])).to.equal(true);
  });

  for (const c of CASES) {
    it(`${c.label}: bit-identical with 1 thread, 2 threads and the helper alone`, () => {
      setNumThreads(1);
      const jobs0 = threadStats.jobs;
      const one = runCase(c);
      expect(threadStats.jobs).to.equal(jobs0, "a job was split with 1 thread");
      setNumThreads(2);
      expect(waitForThreads()).to.equal(1, "the helper thread did not start");
      const jobs1 = threadStats.jobs;
      const two = runCase(c);
      expect(threadStats.jobs - jobs1).to.be.at.least(STEPS, "the update passes were not split");
      threadTesting.helperOnly = true;
      const joined = threadStats.joined;
      let helper: string[];
      try {
        helper = runCase(c);
      } finally {
        threadTesting.helperOnly = false;
      }
      expect(threadStats.joined).to.be.greaterThan(joined, "no job went to the helper");
      expect(two).to.deep.equal(one);
      expect(helper).to.deep.equal(one);
    });
  }
});
