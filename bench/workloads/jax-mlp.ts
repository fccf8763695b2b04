/**
 * The MLP 784-128-10 training step of ./mlp.ts in jax-js, the way a JAX user writes it: one
 * `jit` over valueAndGrad of the loss plus the update (AdamW with Keras's order: decoupled
 * decay v·(1 − lr·wd), then Adam with the bias-corrected step size passed in; or plain SGD),
 * parameters and slots as pytrees carried from step to step. Weights are [in, out] as on the
 * tfjs side; the loss is mean softmax cross-entropy against one-hot labels.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { randomArray, randomLabels } from "../lib/harness";
import type { Jax } from "../lib/jax";

const B = 64,
  IN = 784,
  HID = 128,
  OUT = 10;
const LR = 1e-3,
  WD = 0.004,
  B1 = 0.9,
  B2 = 0.999,
  EPS = 1e-7;
const KEYS = ["W1", "b1", "W2", "b2"] as const;

export function jaxMlp(kind: "adamw" | "sgd"): (j: Jax) => { step: () => void; free: () => void } {
  return (j) => {
    const np = j.numpy,
      nn = j.nn;
    const zeros = (): any => ({ W1: np.zeros([IN, HID]), b1: np.zeros([HID]), W2: np.zeros([HID, OUT]), b2: np.zeros([OUT]) });
    let params: any = {
      W1: np.array(randomArray(IN * HID, 21, 1 / Math.sqrt(IN))).reshape([IN, HID]),
      b1: np.zeros([HID]),
      W2: np.array(randomArray(HID * OUT, 22, 1 / Math.sqrt(HID))).reshape([HID, OUT]),
      b2: np.zeros([OUT]),
    };
    let m: any = zeros(),
      v: any = zeros();
    const x = np.array(randomArray(B * IN, 11)).reshape([B, IN]);
    const y = nn.oneHot(np.array(randomLabels(B, OUT, 12), { dtype: np.int32 }), OUT);
    const lossFn = (p: any, xb: any, yb: any): any => {
      const h = nn.relu(np.matmul(xb, p.W1).add(p.b1));
      return nn
        .logSoftmax(np.matmul(h, p.W2).add(p.b2))
        .mul(yb)
        .sum()
        .mul(-1 / B);
    };
    const adamw = j.jit((p: any, mt: any, vt: any, xb: any, yb: any, alpha: any) => {
      const [loss, g] = j.valueAndGrad(lossFn)(j.tree.ref(p), xb, yb);
      const np2: any = {},
        nm: any = {},
        nv: any = {};
      for (const k of KEYS) {
        const gk = g[k];
        const mk = mt[k].mul(B1).add(gk.ref.mul(1 - B1));
        const vk = vt[k].mul(B2).add(gk.ref.mul(gk).mul(1 - B2));
        np2[k] = p[k].mul(1 - LR * WD).sub(mk.ref.mul(alpha.ref).div(np.sqrt(vk.ref).add(EPS)));
        nm[k] = mk;
        nv[k] = vk;
      }
      alpha.dispose();
      return [loss, np2, nm, nv];
    });
    const sgd = j.jit((p: any, xb: any, yb: any) => {
      const [loss, g] = j.valueAndGrad(lossFn)(j.tree.ref(p), xb, yb);
      const np2: any = {};
      for (const k of KEYS) np2[k] = p[k].sub(g[k].mul(0.01));
      return [loss, np2];
    });
    let t = 0;
    return {
      step: () => {
        let loss: any;
        if (kind === "adamw") {
          t++;
          const alpha = (LR * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
          [loss, params, m, v] = adamw(params, m, v, x.ref, y.ref, np.array(alpha));
        } else {
          [loss, params] = sgd(params, x.ref, y.ref);
        }
        if (!Number.isFinite(loss.dataSync()[0])) throw new Error("jax-js MLP: loss is not finite");
      },
      free: () => {
        for (const tree of [params, m, v]) for (const k of KEYS) tree[k].dispose();
        x.dispose();
        y.dispose();
      },
    };
  };
}
