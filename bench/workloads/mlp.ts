/**
 * (1) MLP 784-128-10 (ReLU), batch 64, one full training step: forward, softmax cross-entropy
 * (mean), backward, optimizer update. Both sides run **AdamW** (lr 1e-3, β 0.9/0.999, ε 1e-7,
 * decoupled weight decay 0.004 applied as v ← v·(1 − lr·wd) before the Adam update, Keras's order).
 * tfjs has no AdamW: its side is `tf.train.adam` plus that decay as one `assign` per variable.
 * A second row runs plain SGD (lr 0.01) on both sides.
 *
 * ndgrad side: nn.Sequential(Linear, ReLU, Linear) + nn.losses.crossEntropy + optim.AdamW.step.
 * tfjs side: the core API (tf.variableGrads + tf.losses.softmaxCrossEntropy), as docs/PERFORMANCE.md's
 * tfjs_mlp.js, weights [in, out] (tfjs's natural layout). jax-js side: one jit of valueAndGrad +
 * the update (./jax-mlp.ts). ndgrad-wasm: the same step from ndgrad's wasm kernels composed by hand,
 * no tape (./wasm-mlp.ts): a lower bound for the library once its ops dispatch to wasm.
 */
import * as nd from "../../index";
import { compare, randomArray, randomLabels } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Keep, ndSide, ndWasmSide, tfSide } from "../lib/sides";
import { wasmMlp } from "./wasm-mlp";
import { jaxSide } from "../lib/jax";
import { jaxMlp } from "./jax-mlp";
import type { Tf } from "../lib/tf";
import type * as TF from "@tensorflow/tfjs";
import { Context, Row, Workload } from "../lib/types";

const B = 64,
  IN = 784,
  HID = 128,
  OUT = 10;
const LR = 1e-3,
  WD = 0.004;

function ndMlp(kind: "adamw" | "sgd"): () => () => void {
  return () => {
    const { nn, optim } = nd;
    const model = new nn.Sequential(new nn.Linear(IN, HID, { seed: 1 }), new nn.ReLU(), new nn.Linear(HID, OUT, { seed: 2 }));
    const params = model.parameters();
    const opt =
      kind === "adamw"
        ? new optim.AdamW({ learningRate: LR, weightDecay: WD, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 })
        : new optim.SGD({ learningRate: 0.01 });
    const x = nd.tensor(randomArray(B * IN, 11), { shape: [B, IN] });
    const labels = randomLabels(B, OUT, 12);
    return () => {
      const loss = nn.losses.crossEntropy(model.call(x), labels);
      loss.backward();
      opt.step(params);
      opt.zeroGrad(params);
      if (!Number.isFinite(loss.item())) throw new Error("ndgrad MLP: loss is not finite");
    };
  };
}

function tfMlp(kind: "adamw" | "sgd"): (t: Tf, keep: Keep) => () => void {
  return (t, keep) => {
    const W1 = t.variable(t.tensor2d(randomArray(IN * HID, 21, 1 / Math.sqrt(IN)), [IN, HID]));
    const b1 = t.variable(t.zeros([HID]));
    const W2 = t.variable(t.tensor2d(randomArray(HID * OUT, 22, 1 / Math.sqrt(HID)), [HID, OUT]));
    const b2 = t.variable(t.zeros([OUT]));
    const vars = [W1, b1, W2, b2];
    const x = keep(t.tensor2d(randomArray(B * IN, 11), [B, IN]));
    const y = keep(t.tidy(() => t.cast(t.oneHot(t.tensor1d(randomLabels(B, OUT, 12), "int32"), OUT), "float32")));
    const opt = kind === "adamw" ? t.train.adam(LR, 0.9, 0.999, 1e-7) : t.train.sgd(0.01);
    const f = (): TF.Scalar => {
      const h = t.relu(t.add(t.matMul(x, W1), b1));
      return t.losses.softmaxCrossEntropy(y, t.add(t.matMul(h, W2), b2)) as TF.Scalar;
    };
    return () => {
      const loss = t.tidy(() => {
        const { value, grads } = t.variableGrads(f, vars);
        if (kind === "adamw") for (const v of vars) v.assign(t.mul(v, 1 - LR * WD));
        opt.applyGradients(grads as Record<string, TF.Variable>);
        return value.dataSync()[0];
      });
      if (!Number.isFinite(loss)) throw new Error("tfjs MLP: loss is not finite");
    };
  };
}

export const mlp: Workload = {
  name: "mlp",
  summary: "MLP 784-128-10, batch 64, one training step (AdamW; and SGD)",
  async run(ctx: Context): Promise<Row[]> {
    const plan = ctx.quick ? { warmup: 10, rounds: 4, perRound: 10 } : { warmup: 30, rounds: 10, perRound: 20 };
    const rows: Row[] = [];
    for (const kind of ["adamw", "sgd"] as const) {
      ctx.log(`mlp ${kind}`);
      const { timings, errors } = await compare(
        [
          ndSide(ndMlp(kind)),
          ndSide(ndMlp(kind), {}, "js"),
          ndWasmSide(wasmMlp(kind)),
          tfSide("cpu", tfMlp(kind), { perRound: Math.max(2, plan.perRound >> 2), warmup: 5 }),
          tfSide("wasm", tfMlp(kind)),
          jaxSide(jaxMlp(kind)),
        ],
        plan,
      );
      rows.push(
        rowFrom(
          {
            id: kind === "adamw" ? "mlp" : "mlp-sgd",
            workload: "mlp",
            label: `MLP 784-128-10 b64 step, ${kind === "adamw" ? "AdamW" : "SGD"}`,
            unit: "ms",
            target: kind === "adamw" ? { timesBetter: { "jax-js": 1 } } : undefined, // issue #14: faster than jax-js's jit step
            detail:
              kind === "adamw"
                ? "ndgrad nn.Linear/ReLU + crossEntropy + optim.AdamW; tfjs tf.train.adam + decoupled decay assign (tfjs has no AdamW); jax-js jit(valueAndGrad + AdamW); ndgrad-wasm: the wasm kernels composed by hand, no tape (./wasm-mlp.ts)"
                : "ndgrad optim.SGD(lr 0.01); tfjs tf.train.sgd(0.01)",
          },
          timings,
          errors,
          {},
        ),
      );
    }
    return rows;
  },
};
