/**
 * End to end: the wasm kernels composed into one MLP 784-128-10 step (linear, relu, linear, fused
 * softmax cross-entropy, and the backward: its gradient, three GEMMs, two bias gradients, relu's
 * backward) give the loss and the four parameter gradients of ndgrad's float64 autograd on the
 * same weights, to float32 accuracy.
 */
import { expect } from "chai";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import { linear } from "../../core/ops/linear";
import { relu } from "../../core/ops/unary";
import { crossEntropy } from "../../nn/losses";
import { wasmKernels } from "../../core/wasm/loader";
import { gemmF32 } from "../../core/wasm/gemm";
import * as ops from "../../core/wasm/ops";

describe("wasm kernels: an MLP step", () => {
  it("loss and gradients of 784-128-10 on a batch of 64 match float64 autograd", () => {
    const B = 64,
      IN = 784,
      HID = 128,
      OUT = 10;
    const { heap } = wasmKernels(),
      gen = new Generator(4);
    const owned: (Float32Array | Int32Array)[] = [];
    const f = (n: number, scale = 0): Float32Array => {
      const a = heap.alloc(n);
      for (let i = 0; i < n; i++) a[i] = scale * (gen.uniform() * 2 - 1);
      owned.push(a);
      return a;
    };
    const w1 = f(HID * IN, 0.05),
      b1 = f(HID, 0.1),
      w2 = f(OUT * HID, 0.1),
      b2 = f(OUT, 0.1),
      x = f(B * IN, 1);
    const labels = heap.allocInt32(B);
    owned.push(labels);
    for (let i = 0; i < B; i++) labels[i] = Math.floor(gen.uniform() * OUT);
    const hPre = f(B * HID),
      h = f(B * HID),
      logits = f(B * OUT),
      loss = f(B),
      lse = f(B),
      gLoss = f(B).fill(1 / B);
    const dLogits = f(B * OUT),
      dh = f(B * HID),
      dhPre = f(B * HID),
      dw1 = f(HID * IN),
      db1 = f(HID),
      dw2 = f(OUT * HID),
      db2 = f(OUT);

    gemmF32(x, 0, IN, false, w1, 0, IN, true, hPre, 0, HID, B, HID, IN, false);
    ops.addBiasRowsF32(hPre, b1, B, HID);
    ops.reluF32(hPre, h);
    gemmF32(h, 0, HID, false, w2, 0, HID, true, logits, 0, OUT, B, OUT, HID, false);
    ops.addBiasRowsF32(logits, b2, B, OUT);
    ops.softmaxCrossEntropyF32(logits, labels, B, OUT, loss, lse);
    const value = ops.sumF32(loss) / B;
    ops.softmaxCrossEntropyBackwardF32(logits, labels, B, OUT, lse, gLoss, dLogits);
    gemmF32(dLogits, 0, OUT, true, h, 0, HID, false, dw2, 0, HID, OUT, HID, B, false);
    ops.sumRowsF32(dLogits, db2, B, OUT);
    gemmF32(dLogits, 0, OUT, false, w2, 0, HID, false, dh, 0, HID, B, HID, OUT, false);
    ops.reluBackwardF32(hPre, dh, dhPre);
    gemmF32(dhPre, 0, HID, true, x, 0, IN, false, dw1, 0, IN, HID, IN, B, false);
    ops.sumRowsF32(dhPre, db1, B, HID);

    const t = (a: Float32Array, shape: number[]) => new Tensor(Float64Array.from(a), shape, { requiresGrad: true });
    const W1 = t(w1, [HID, IN]),
      B1 = t(b1, [HID]),
      W2 = t(w2, [OUT, HID]),
      B2 = t(b2, [OUT]);
    const ref = crossEntropy(linear(relu(linear(new Tensor(Float64Array.from(x), [B, IN]), W1, B1)), W2, B2), Array.from(labels));
    ref.backward();
    expect(Math.abs(value - ref.item())).to.be.below(1e-6 * ref.item());
    for (const [got, want, name] of [
      [dw1, W1, "dW1"],
      [db1, B1, "db1"],
      [dw2, W2, "dW2"],
      [db2, B2, "db2"],
    ] as const) {
      const g = want.grad!.values;
      let scale = 0;
      for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]));
      for (let i = 0; i < g.length; i++) if (!(Math.abs(got[i] - g[i]) <= 2e-6 * scale)) expect.fail(`${name}[${i}]: wasm ${got[i]} vs ${g[i]}`);
    }
    for (const a of owned) heap.free(a);
  });
});
