/**
 * (6) Small-op overhead: 1,000 chained elementwise ops on a 1×1 tensor (alternating y·c and
 * y + d, c and d constant 1×1 tensors), then the backward pass to the input. Reported per op
 * (total / 1000), in µs: the cost of the framework itself (allocation, tape, dispatch), not of math.
 * A second row times the forward chain alone (with the tape recording), for the split.
 *
 * tfjs: the same chain inside tf.grad (fwd+bwd) / tf.tidy (fwd), result read with dataSync.
 */
import * as nd from "../../index";
import type * as TF from "@tensorflow/tfjs";
import { compare } from "../lib/harness";
import { rowFrom } from "../lib/compare-row";
import { Keep, ndSide, tfSide } from "../lib/sides";
import type { Tf } from "../lib/tf";
import { Context, Row, Workload } from "../lib/types";

const OPS = 1000;

function ndChain(backward: boolean): () => () => void {
  return () => {
    const x = nd.tensor([[0.5]], { requiresGrad: true });
    const c = nd.tensor([[1.0001]]);
    const d = nd.tensor([[0.0001]]);
    return () => {
      let y = x;
      for (let i = 0; i < OPS; i++) y = i & 1 ? y.add(d) : y.mul(c);
      if (backward) {
        y.backward();
        if (!Number.isFinite(x.grad!.item())) throw new Error("ndgrad overhead: bad gradient");
        x.grad = null;
      } else if (!Number.isFinite(y.item())) throw new Error("ndgrad overhead: bad value");
    };
  };
}

function tfChain(backward: boolean): (t: Tf, keep: Keep) => () => void {
  return (t, keep) => {
    const x = keep(t.tensor2d([[0.5]]));
    const c = keep(t.tensor2d([[1.0001]]));
    const d = keep(t.tensor2d([[0.0001]]));
    const chain = (v: TF.Tensor): TF.Tensor => {
      let y = v;
      for (let i = 0; i < OPS; i++) y = i & 1 ? t.add(y, d) : t.mul(y, c);
      return y;
    };
    const g = t.grad(chain);
    return () => {
      const v = t.tidy(() => (backward ? g(x) : chain(x)).dataSync()[0]);
      if (!Number.isFinite(v)) throw new Error("tfjs overhead: bad value");
    };
  };
}

export const overhead: Workload = {
  name: "overhead",
  summary: "1,000 chained elementwise ops on 1x1 + backward, per op",
  async run(ctx: Context): Promise<Row[]> {
    const rows: Row[] = [];
    const plan = ctx.quick ? { warmup: 20, rounds: 4, perRound: 10 } : { warmup: 50, rounds: 10, perRound: 20 };
    for (const backward of [true, false]) {
      ctx.log(`overhead ${backward ? "fwd+bwd" : "fwd"}`);
      const { timings, errors } = await compare(
        [ndSide(ndChain(backward)), ndSide(ndChain(backward), {}, "js"), tfSide("cpu", tfChain(backward)), tfSide("wasm", tfChain(backward))],
        plan,
      );
      rows.push(
        rowFrom(
          {
            id: backward ? "overhead" : "overhead-fwd",
            workload: "overhead",
            label: backward ? "small-op overhead fwd+bwd, per op" : "small-op overhead fwd only (taped), per op",
            unit: "us/op",
            target: backward ? { op: "<=", value: 1.4 } : undefined, // issue #14: no worse than ~1.4 us
            detail: "1000 x (mul | add) on [1,1]; ndgrad tape + backward; tfjs tf.grad / tf.tidy",
          },
          timings,
          errors,
          {},
          (ms) => (ms * 1000) / OPS,
        ),
      );
    }
    return rows;
  },
};
