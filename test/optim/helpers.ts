/** Shared fixtures for the optim tests: deterministic params/grads and the optimizer zoo. */
import { Tensor } from "../../core/tensor";
import { Parameter } from "../../core/parameter";
import { Adam, AdamW, Lion, Optimizer, SGD } from "../../optim";
import type { OptimizerOptions } from "../../optim";

/** A small deterministic generator (LCG), so tests do not depend on core/random. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export const SHAPES = [[3, 2], [4], []];

export function makeParams(seed = 1): Parameter[] {
  const r = lcg(seed);
  return SHAPES.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n).map(() => r() * 2 - 1);
    return new Parameter(new Tensor(v, shape), { name: i === 1 ? "dense/bias" : `w${i}` });
  });
}

export function makeGrads(params: readonly Parameter[], r: () => number, scale = 1): Tensor[] {
  return params.map(
    (p) =>
      new Tensor(
        new Float32Array(p.size).map(() => (r() * 2 - 1) * scale),
        p.shape.slice(),
      ),
  );
}

/** Every rule, in configurations that exercise its slots. */
export const ZOO: { label: string; make: (o?: OptimizerOptions) => Optimizer }[] = [
  { label: "Lion", make: (o) => new Lion({ learningRate: 0.01, ...o }) },
  { label: "AdamW", make: (o) => new AdamW({ learningRate: 0.01, ...o }) },
  { label: "AdamW amsgrad", make: (o) => new AdamW({ learningRate: 0.01, amsgrad: true, ...o }) },
  { label: "Adam", make: (o) => new Adam({ learningRate: 0.01, ...o }) },
  { label: "SGD", make: (o) => new SGD({ learningRate: 0.1, ...o }) },
  { label: "SGD momentum nesterov", make: (o) => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true, ...o }) },
];

export function values(params: readonly Parameter[]): number[][] {
  return params.map((p) => Array.from(p.values));
}

/** Everything observable about an optimizer's state, as plain data. */
export function snapshot(opt: Optimizer): string {
  const s = opt.stateDict();
  return JSON.stringify({
    it: s.iterations,
    micro: s.microSteps,
    slots: Object.fromEntries(Object.entries(s.slots).map(([k, ts]) => [k, ts.map((t) => Array.from(t.values))])),
    ls: s.lossScale,
  });
}
