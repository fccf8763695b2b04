/**
 * (7) Optimizer state, bytes per parameter, read from the optimizers' stateDict() after one
 * step on the MLP's parameters (784·128 + 128 + 128·10 + 10 = 101,770 float32 values): every
 * slot tensor's size × bytes per element, summed, ÷ parameter count. The iteration counter is not
 * per-parameter state and is left out. tfjs: `tf.train.adam(...).getWeights()` minus its `iter`
 * scalar (so "AdamW" there is Adam: the decay keeps no state); Lion has no tfjs optimizer — the
 * from-ops version keeps one momentum per parameter, 4 B, not measured.
 */
import * as nd from "../../index";
import type { Tensor } from "../../index";
import { randomArray } from "../lib/harness";
import { tf, useBackend } from "../lib/tf";
import { Context, Row, Workload } from "../lib/types";

const SHAPES = [[128, 784], [128], [10, 128], [10]];

function ndBytesPerParam(make: () => nd.optim.Optimizer): { bpp: number; slots: string } {
  const params = SHAPES.map(
    (s, i) =>
      new nd.Parameter(
        nd.tensor(
          randomArray(
            s.reduce((a, b) => a * b, 1),
            70 + i,
          ),
          { shape: s },
        ),
      ),
  );
  const grads = params.map((p, i) => nd.tensor(randomArray(p.size, 80 + i, 0.01), { shape: p.shape.slice() }));
  const opt = make();
  opt.apply(grads, params);
  const sd = opt.stateDict();
  const count = params.reduce((a, p) => a + p.size, 0);
  let bytes = 0;
  const names: string[] = [];
  for (const [name, ts] of Object.entries(sd.slots as Record<string, Tensor[]>)) {
    if (ts.length > 0) names.push(name);
    for (const t of ts) bytes += t.size * (t.dtype === "float64" ? 8 : 4);
  }
  return { bpp: bytes / count, slots: names.join("+") || "none" };
}

async function tfAdamBytesPerParam(): Promise<number | string> {
  if (!(await useBackend("cpu"))) return "tfjs cpu unavailable";
  const t = tf();
  const vars = SHAPES.map((s, i) =>
    t.variable(
      t.tensor(
        randomArray(
          s.reduce((a, b) => a * b, 1),
          70 + i,
        ),
        s,
      ),
    ),
  );
  const opt = t.train.adam(1e-3);
  const grads: Record<string, ReturnType<typeof t.tensor>> = {};
  vars.forEach((v, i) => (grads[v.name] = t.tensor(randomArray(v.size, 80 + i, 0.01), v.shape)));
  opt.applyGradients(grads as unknown as Record<string, ReturnType<typeof t.variable>>);
  const ws = await opt.getWeights();
  let bytes = 0;
  for (const w of ws) if (w.name !== "iter") bytes += w.tensor.size * 4;
  const count = vars.reduce((a, v) => a + v.size, 0);
  for (const g of Object.values(grads)) g.dispose();
  opt.dispose();
  for (const v of vars) v.dispose();
  return bytes / count;
}

export const state: Workload = {
  name: "state",
  summary: "optimizer state bytes per parameter (stateDict), Lion vs AdamW",
  async run(ctx: Context): Promise<Row[]> {
    ctx.log("state");
    const { optim } = nd;
    const lion = ndBytesPerParam(() => new optim.Lion());
    const adamw = ndBytesPerParam(() => new optim.AdamW());
    const sgdm = ndBytesPerParam(() => new optim.SGD({ momentum: 0.9 }));
    const tfAdam = await tfAdamBytesPerParam();
    const row = (id: string, label: string, r: { bpp: number; slots: string }, target: number, tfv: number | string | null, tfNote: string): Row => ({
      id,
      workload: "state",
      label,
      unit: "B/param",
      values: { ndgrad: r.bpp, "tfjs-cpu": typeof tfv === "number" ? tfv : null, "tfjs-wasm": null },
      notes: { "tfjs-cpu": typeof tfv === "number" ? undefined : tfNote, "tfjs-wasm": "same optimizer code as cpu" },
      target: { op: "<=", value: target },
      detail: `ndgrad stateDict slots: ${r.slots}`,
    });
    return [
      row("state-lion", "optimizer state, Lion", lion, 4, null, "no tfjs Lion (from-ops: 1 slot = 4)"),
      row("state-adamw", "optimizer state, AdamW", adamw, 8, tfAdam, String(tfAdam)),
      row("state-sgdm", "optimizer state, SGD+momentum", sgdm, 4, null, "not measured"),
    ];
  },
};
