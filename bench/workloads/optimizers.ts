/**
 * (3)(4)(+) One optimizer step over 10M float32 parameters (one tensor), gradient fixed (made
 * once by a backward() in setup): Lion, AdamW, SGD with momentum 0.9. Optimizer only: no
 * forward/backward in the timed step.
 *
 * ndgrad: `opt.apply([g], [p])` (Keras's apply; the base pipeline + the subclass's fused loop).
 * tfjs: AdamW = tf.train.adam + the decoupled decay as one assign; SGD+momentum =
 * tf.train.momentum(lr, 0.9); Lion has no tfjs optimizer, so it is built from tf ops in a tidy
 * with two assigns (docs/PERFORMANCE.md's "Lion from tf ops").
 */
import * as nd from "../../index";
import type * as TF from "@tensorflow/tfjs";
import { compare, randomArray } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Keep, ndSide, tfSide } from "../lib/sides";
import type { Tf } from "../lib/tf";
import { Context, Row, Workload } from "../lib/types";

const N = 10_000_000;
const ROWS = 1000;
type Kind = "lion" | "adamw" | "sgd";
const LR = 1e-4,
  WD = 0.004;

function ndOpt(kind: Kind): () => () => void {
  return () => {
    const { optim } = nd;
    // The gradient comes from a real backward(), as in training: a linear layer's weight
    // gradient dW = cᵀ·x (random signs), which the wasm backend writes into the parameter's heap
    // gradient buffer (core/gradient-buffer.ts), where the optimizer reads it in place.
    const p = new nd.Parameter(nd.tensor(randomArray(N, 51), { shape: [ROWS, N / ROWS] }), { name: "w" });
    const x = nd.tensor(randomArray(N / ROWS, 52, 0.1), { shape: [1, N / ROWS] });
    const c = nd.tensor(randomArray(ROWS, 53, 0.1), { shape: [1, ROWS] });
    nd.linear(x, p).mul(c).sum().backward();
    const g = p.grad!;
    const opt =
      kind === "lion"
        ? new optim.Lion({ learningRate: LR })
        : kind === "adamw"
          ? new optim.AdamW({ learningRate: LR, weightDecay: WD, epsilon: 1e-7 })
          : new optim.SGD({ learningRate: LR, momentum: 0.9 });
    return () => opt.apply([g], [p]);
  };
}

function tfOpt(kind: Kind): (t: Tf, keep: Keep) => () => void {
  return (t, keep) => {
    const p = t.variable(t.tensor1d(randomArray(N, 51)));
    const g = keep(t.tensor1d(randomArray(N, 52, 0.01)));
    if (kind === "lion") {
      const m = t.variable(t.zeros([N]), false);
      const b1 = 0.9,
        b2 = 0.99;
      return () =>
        t.tidy(() => {
          const c = t.add(t.mul(m, b1), t.mul(g, 1 - b1));
          p.assign(t.sub(p, t.mul(t.sign(c), LR)));
          m.assign(t.add(t.mul(m, b2), t.mul(g, 1 - b2)));
        });
    }
    const opt: TF.Optimizer = kind === "adamw" ? t.train.adam(LR, 0.9, 0.999, 1e-7) : t.train.momentum(LR, 0.9);
    const grads = { [p.name]: g };
    return () =>
      t.tidy(() => {
        if (kind === "adamw") p.assign(t.mul(p, 1 - LR * WD));
        opt.applyGradients(grads);
      });
  };
}

const META: Record<Kind, { id: string; label: string; target: number; detail: string }> = {
  lion: { id: "lion-10m", label: "Lion step, 10M params", target: 12, detail: "ndgrad optim.Lion.apply; tfjs: Lion from tf ops (no tfjs Lion)" },
  adamw: { id: "adamw-10m", label: "AdamW step, 10M params", target: 18, detail: "ndgrad optim.AdamW.apply (wd 0.004); tfjs tf.train.adam + decay assign" },
  sgd: { id: "sgdm-10m", label: "SGD+momentum 0.9 step, 10M", target: 20, detail: "ndgrad optim.SGD({momentum: 0.9}).apply; tfjs tf.train.momentum(lr, 0.9)" },
};

function optimizerWorkload(kind: Kind): Workload {
  const meta = META[kind];
  return {
    name: kind === "sgd" ? "sgd" : kind,
    summary: meta.label,
    async run(ctx: Context): Promise<Row[]> {
      ctx.log(meta.id);
      const plan = ctx.quick ? { warmup: 2, rounds: 3, perRound: 1 } : { warmup: 3, rounds: 5, perRound: 1 };
      const { timings, errors } = await compare(
        [
          ndSide(ndOpt(kind), { perRound: ctx.quick ? 3 : 4 }),
          ndSide(ndOpt(kind), { perRound: ctx.quick ? 3 : 4 }, "js"),
          tfSide("cpu", tfOpt(kind), { warmup: 1 }),
          tfSide("wasm", tfOpt(kind), { perRound: 2 }),
        ],
        plan,
      );
      return [
        rowFrom(
          { id: meta.id, workload: kind, label: meta.label, unit: "ms", target: { op: "<=", value: meta.target }, detail: meta.detail },
          timings,
          errors,
          {},
        ),
      ];
    },
  };
}

export const lion = optimizerWorkload("lion");
export const adamw = optimizerWorkload("adamw");
export const sgd = optimizerWorkload("sgd");
