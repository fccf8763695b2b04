/**
 * The MLP 784-128-10 b64 training step of ./mlp.ts composed by hand from ndgrad's wasm kernels
 * (no tape, no Tensor: what the step costs once the ops and optimizers dispatch to wasm, a lower
 * bound for the wired library). Forward: gemm + bias, relu, gemm + bias, fused softmax
 * cross-entropy (mean); backward: its gradient, three GEMMs (dW2, dh, dW1), two bias gradients,
 * relu's backward; then AdamW (or SGD) on the four parameters. Every buffer lives in the wasm
 * heap, allocated once. Weights in PyTorch's layout ([out, in]), as the ndgrad side.
 */
import { randomArray, randomLabels } from "../lib/harness";
import { wasmKernels } from "../../core/wasm/loader";
import { gemmF32 } from "../../core/wasm/gemm";
import * as ops from "../../core/wasm/ops";
import * as W from "../../core/wasm/optim";
import { adamAlphaF32 } from "../../optim/kernels/adam";

const B = 64,
  IN = 784,
  HID = 128,
  OUT = 10;
const LR = 1e-3,
  WD = 0.004;

export function wasmMlp(kind: "adamw" | "sgd"): () => { step: () => void; free: () => void } {
  return () => {
    const { heap } = wasmKernels();
    const owned: (Float32Array | Int32Array)[] = [];
    const f = (n: number, init?: Float32Array): Float32Array => {
      const a = heap.alloc(n);
      if (init) a.set(init);
      owned.push(a);
      return a;
    };
    const w1 = f(HID * IN, randomArray(HID * IN, 1, 1 / Math.sqrt(IN))),
      b1 = f(HID);
    const w2 = f(OUT * HID, randomArray(OUT * HID, 2, 1 / Math.sqrt(HID))),
      b2 = f(OUT);
    const params = [w1, b1, w2, b2];
    const grads = params.map((p) => f(p.length)),
      m = params.map((p) => f(p.length)),
      u = params.map((p) => f(p.length));
    const x = f(B * IN, randomArray(B * IN, 11));
    const labels = heap.allocInt32(B);
    labels.set(randomLabels(B, OUT, 12));
    owned.push(labels);
    const hPre = f(B * HID),
      h = f(B * HID),
      logits = f(B * OUT),
      loss = f(B),
      lse = f(B),
      gLoss = f(B).fill(1 / B);
    const dLogits = f(B * OUT),
      dh = f(B * HID),
      dhPre = f(B * HID);
    const [dw1, db1, dw2, db2] = grads;
    let t = 0;
    return {
      step: () => {
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
        t++;
        const alpha = adamAlphaF32(LR, 0.9, 0.999, t);
        for (let i = 0; i < params.length; i++) {
          if (kind === "adamw") W.adamF32(params[i], grads[i], m[i], u[i], alpha, 0.9, 0.999, 1e-7, i % 2 === 0 ? WD : 0, LR);
          else W.sgdF32(params[i], grads[i], 0.01, 0);
        }
        if (!Number.isFinite(value)) throw new Error("ndgrad-wasm MLP: loss is not finite");
      },
      free: () => {
        for (const a of owned) heap.free(a);
      },
    };
  };
}
