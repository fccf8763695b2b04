/**
 * The training run shared by resume.test.ts (parent) and resume-child.ts (a fresh process):
 * a seeded float32 MLP, a tiny dataset whose targets identify the samples (so the shuffle order
 * can be recorded), and one optimizer per rule with EMA and gradient accumulation on.
 */
import * as fs from "fs";
import * as path from "path";
import { Tensor, randn } from "../../core";
import { Module } from "../../nn/module";
import { Linear } from "../../nn/layers/linear";
import { Tanh } from "../../nn/layers/activations";
import { Sequential } from "../../nn/layers/sequential";
import { fit } from "../../nn/fit";
import { mse } from "../../nn/losses";
import { loadWeights, saveWeights } from "../../nn/weights-file";
import type { Callback } from "../../nn/callbacks";
import type { Labels } from "../../nn/data";
import { AdamW, Lion, Optimizer, SGD, stateFromJSON, stateToJSON } from "../../optim";

export const KINDS = ["SGD", "AdamW", "Lion"] as const;
export type Kind = (typeof KINDS)[number];

/** 10 samples, batch 3 → 4 batches per epoch; accumulation 3 → micro-steps carry across epochs. */
export const N = 10;
export const BATCH = 3;
export const SEED = 7;

export function makeModel(): Module {
  return new Sequential(new Linear(3, 5, { seed: 11 }), new Tanh(), new Linear(5, 1, { seed: 12 }));
}

export function makeData(): { x: Tensor; y: Tensor } {
  const x = randn([N, 3], { seed: 5 });
  // y_i = i + 0.5 + small: distinct per sample, so the loss can record which samples came in which order
  const y = new Float32Array(N).map((_, i) => i + 0.5);
  return { x, y: new Tensor(y, [N, 1]) };
}

export function makeOptimizer(kind: Kind): Optimizer {
  const common = { useEma: true, emaMomentum: 0.9, gradientAccumulationSteps: 3 };
  if (kind === "SGD") return new SGD({ learningRate: 0.05, momentum: 0.9, ...common });
  if (kind === "AdamW") return new AdamW({ learningRate: 0.01, weightDecay: 0.01, ...common });
  return new Lion({ learningRate: 0.003, weightDecay: 0.01, ...common });
}

/** fit with a loss that records each batch's sample ids (epoch → ids in the order seen). */
export function train(model: Module, opt: Optimizer, epochs: number, initialEpoch: number, callbacks: Callback[] = []): number[][] {
  const seen: number[][] = [];
  let epoch = initialEpoch;
  const loss = (pred: Tensor, y: Labels) => {
    const t = y as Tensor;
    (seen[epoch - initialEpoch] ??= []).push(...Array.from(t.values, (v) => Math.floor(v)));
    return mse(pred, t);
  };
  const track: Callback = { onEpochEnd: () => void epoch++ };
  fit(model, makeData(), { optimizer: opt, loss, epochs, initialEpoch, batchSize: BATCH, seed: SEED, verbose: 0, callbacks: [track, ...callbacks] });
  return seen;
}

export function files(dir: string, kind: Kind): { weights: string; state: string; out: string; outState: string; order: string } {
  const f = (s: string) => path.join(dir, `${kind}.${s}`);
  return { weights: f("safetensors"), state: f("opt.json"), out: f("final.safetensors"), outState: f("final.opt.json"), order: f("order.json") };
}

/** A checkpoint at the end of epoch index `at` (before fit's EMA finalisation): weights + optimizer state. */
export function checkpointAt(at: number, dir: string, kind: Kind, model: Module, opt: Optimizer): Callback {
  const f = files(dir, kind);
  return {
    onEpochEnd(epoch) {
      if (epoch !== at) return;
      saveWeights(model, f.weights);
      fs.writeFileSync(f.state, JSON.stringify(stateToJSON(opt.stateDict())));
    },
  };
}

/** The child's half: load weights + optimizer state in this (fresh) process, train epoch index 2. */
export function resumeInThisProcess(dir: string, kind: Kind): void {
  const f = files(dir, kind);
  const model = makeModel();
  loadWeights(model, f.weights);
  const opt = makeOptimizer(kind);
  opt.loadStateDict(stateFromJSON(fs.readFileSync(f.state, "utf8")));
  const seen = train(model, opt, 3, 2);
  saveWeights(model, f.out);
  fs.writeFileSync(f.outState, JSON.stringify(stateToJSON(opt.stateDict())));
  fs.writeFileSync(f.order, JSON.stringify(seen));
}
