/**
 * (2) CNN: conv 3×3, 8 filters, padding "same" on 1×28×28 → ReLU → maxpool 2 → flatten (1568)
 * → dense 10, batch 32, one training step with AdamW (the MLP's settings and tfjs substitute).
 *
 * ndgrad: nn.Sequential(Conv2d, ReLU, MaxPool2d, Flatten, Linear), NCHW.
 * tfjs: tf.conv2d / tf.relu / tf.maxPool / tf.matMul, NHWC (its layout), core API.
 * tfjs-wasm cannot train this: 4.22.0 registers no `Conv2DBackpropFilter` kernel for wasm
 * (docs/PERFORMANCE.md). The wasm side is still attempted, and the error it throws is what the table shows.
 */
import * as nd from "../../index";
import type * as TF from "@tensorflow/tfjs";
import { compare, randomArray, randomLabels } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Keep, ndSide, tfSide } from "../lib/sides";
import type { Tf } from "../lib/tf";
import { Context, Row, Workload } from "../lib/types";

const B = 32,
  H = 28,
  W = 28,
  F = 8,
  OUT = 10,
  FLAT = F * 14 * 14;
const LR = 1e-3,
  WD = 0.004;

function ndCnn(): () => void {
  const { nn, optim } = nd;
  const model = new nn.Sequential(
    new nn.Conv2d(1, F, 3, { padding: 1, seed: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(FLAT, OUT, { seed: 2 }),
  );
  const params = model.parameters();
  const opt = new optim.AdamW({ learningRate: LR, weightDecay: WD, epsilon: 1e-7 });
  const x = nd.tensor(randomArray(B * H * W, 31), { shape: [B, 1, H, W] });
  const labels = randomLabels(B, OUT, 32);
  return () => {
    const loss = nn.losses.crossEntropy(model.call(x), labels);
    loss.backward();
    opt.step(params);
    opt.zeroGrad(params);
    if (!Number.isFinite(loss.item())) throw new Error("ndgrad CNN: loss is not finite");
  };
}

function tfCnn(t: Tf, keep: Keep): () => void {
  const K = t.variable(t.tensor4d(randomArray(9 * F, 41, 1 / 3), [3, 3, 1, F]));
  const kb = t.variable(t.zeros([F]));
  const Wd = t.variable(t.tensor2d(randomArray(FLAT * OUT, 42, 1 / Math.sqrt(FLAT)), [FLAT, OUT]));
  const bd = t.variable(t.zeros([OUT]));
  const vars = [K, kb, Wd, bd];
  const x = keep(t.tensor4d(randomArray(B * H * W, 31), [B, H, W, 1]));
  const y = keep(t.tidy(() => t.cast(t.oneHot(t.tensor1d(randomLabels(B, OUT, 32), "int32"), OUT), "float32")));
  const opt = t.train.adam(LR, 0.9, 0.999, 1e-7);
  const f = (): TF.Scalar => {
    const h = t.relu(t.add(t.conv2d(x, K, 1, "same"), kb));
    const p = t.reshape(t.maxPool(h as TF.Tensor4D, 2, 2, "valid"), [B, FLAT]);
    return t.losses.softmaxCrossEntropy(y, t.add(t.matMul(p, Wd), bd)) as TF.Scalar;
  };
  return () => {
    const loss = t.tidy(() => {
      const { value, grads } = t.variableGrads(f, vars);
      for (const v of vars) v.assign(t.mul(v, 1 - LR * WD));
      opt.applyGradients(grads as Record<string, TF.Variable>);
      return value.dataSync()[0];
    });
    if (!Number.isFinite(loss)) throw new Error("tfjs CNN: loss is not finite");
  };
}

export const cnn: Workload = {
  name: "cnn",
  summary: "CNN conv3x3x8-relu-maxpool2-dense10 on 1x28x28, batch 32, one AdamW step",
  async run(ctx: Context): Promise<Row[]> {
    const plan = ctx.quick ? { warmup: 5, rounds: 3, perRound: 8 } : { warmup: 20, rounds: 8, perRound: 15 };
    ctx.log("cnn");
    // tfjs-cpu conv is ~0.4 s a step: fewer calls per turn
    const { timings, errors } = await compare(
      [ndSide(ndCnn), ndSide(ndCnn, {}, "js"), tfSide("cpu", tfCnn, { perRound: ctx.quick ? 1 : 2, warmup: 2 }), tfSide("wasm", tfCnn)],
      plan,
    );
    const wasmErr = errors.get("tfjs-wasm");
    if (wasmErr) errors.set("tfjs-wasm", `cannot train: ${wasmErr}`);
    return [
      rowFrom(
        {
          id: "cnn",
          workload: "cnn",
          label: "CNN conv3x3x8+relu+pool2+fc10 b32 step, AdamW",
          unit: "ms",
          target: { op: "<=", value: 3 }, // issue #14
          detail: "ndgrad nn.Conv2d/ReLU/MaxPool2d/Flatten/Linear + crossEntropy + AdamW; tfjs conv2d 'same' NHWC + tf.train.adam + decay",
        },
        timings,
        errors,
        {},
      ),
    ];
  },
};
