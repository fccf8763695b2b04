/**
 * Experiment: which kernels win per op and shape on the wasm backend, for the ops of a CNN step:
 * conv2d forward and backward (dW, dX where the input wants one), relu forward + backward and
 * 2 × 2 max pooling (forward with arg-max + backward), each timed on the js backend (JS kernels:
 * direct correlation for small C·KH·KW, float64 im2col + GEMM otherwise) and on the wasm backend
 * (staged im2col + wasm GEMM, f32x4 kernels), alternating in one process, median of rounds.
 * Each figure includes the op's output allocation, as a training step pays it.
 * `nice -n 10 npm run example bench/experiments/conv-paths.ts [rounds]`
 * When: 2026-12-01; figures in core/wasm/conv-staged.ts, op-staged.ts, maxpool.ts.
 * Also tried then (and not kept): a direct f32x4 forward kernel for stride 1 and ≤ 27 taps
 * (padded planes, each 4-pixel vector summing its taps in a register, one thread). Against the
 * staged im2col + wasm GEMM (two threads), forward only, on a loaded machine (load ~8): 32×1×28²
 * w 8×1×3² 0.47 vs 0.41 ms, 64×1×28² w 16×1×3² 1.91 vs 1.29, 32×3×32² w 16×3×3² 2.79 vs 1.71,
 * 32×1×28² w 8×1×5² 0.81 vs 0.82: never faster, so conv2d on wasm is im2col + GEMM for all shapes.
 */
import * as nd from "../../index";
import { setBackend, type Backend } from "../../core/backend";
import { median, randomArray } from "../lib/harness";

const rounds = Number(process.argv[2] ?? 200);

interface Case {
  label: string;
  make: () => () => void;
}

function convCase(x: number[], w: number[], dx: boolean): Case {
  return {
    label: `conv2d x ${x.join("×")} w ${w.join("×")} pad 1${dx ? " (+dX)" : ""}`,
    make: () => {
      const xt = nd.tensor(
        randomArray(
          x.reduce((a, b) => a * b),
          1,
        ),
        { shape: x, requiresGrad: dx },
      );
      const wt = nd.tensor(
        randomArray(
          w.reduce((a, b) => a * b),
          2,
          0.3,
        ),
        { shape: w, requiresGrad: true },
      );
      const bt = nd.zeros([w[0]], { requiresGrad: true });
      return () => {
        const y = nd.conv2d(xt, wt, bt, { padding: 1 });
        y.backward(nd.ones(y.shape));
        xt.grad = null;
        wt.grad = null;
        bt.grad = null;
      };
    },
  };
}

const shape = [32, 8, 28, 28];
const cases: Case[] = [
  convCase([32, 1, 28, 28], [8, 1, 3, 3], false),
  convCase([64, 16, 14, 14], [32, 16, 3, 3], true),
  convCase([64, 1, 28, 28], [16, 1, 3, 3], false),
  {
    label: `relu ${shape.join("×")} + backward`,
    make: () => {
      const x = nd.tensor(randomArray(32 * 8 * 784, 3), { shape, requiresGrad: true });
      const g = nd.ones(shape);
      return () => {
        nd.relu(x).backward(g);
        x.grad = null;
      };
    },
  },
  {
    label: `maxPool2d 2 ${shape.join("×")} + backward`,
    make: () => {
      const x = nd.tensor(randomArray(32 * 8 * 784, 4), { shape, requiresGrad: true });
      const g = nd.ones([32, 8, 14, 14]);
      return () => {
        nd.maxPool2d(x, 2).backward(g);
        x.grad = null;
      };
    },
  },
];

for (const c of cases) {
  const fns = new Map<Backend, () => void>();
  const times = new Map<Backend, number[]>();
  for (const b of ["js", "wasm"] as Backend[]) {
    setBackend(b);
    fns.set(b, c.make());
    times.set(b, []);
  }
  for (let r = 0; r < rounds; r++) {
    for (const b of ["js", "wasm"] as Backend[]) {
      setBackend(b);
      const t0 = performance.now();
      fns.get(b)!();
      if (r >= rounds / 5) times.get(b)!.push(performance.now() - t0);
    }
  }
  const js = median(times.get("js")!),
    wasm = median(times.get("wasm")!);
  console.log(`${c.label.padEnd(52)} js ${js.toFixed(3)} ms   wasm ${wasm.toFixed(3)} ms   ×${(js / wasm).toFixed(1)}`);
}
