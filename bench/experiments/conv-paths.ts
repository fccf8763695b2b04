/**
 * Experiment: which kernels win per op and shape on the wasm backend, for the ops of a CNN step:
 * conv2d forward and backward (dW, dX where the input wants one), relu forward + backward and
 * 2 × 2 max pooling (forward with arg-max + backward), each timed on the js backend (JS kernels:
 * direct correlation for small C·KH·KW, float64 im2col + GEMM otherwise) and on the wasm backend
 * (staged im2col + wasm GEMM, f32x4 kernels), alternating in one process, median of rounds.
 * Each figure includes the op's output allocation, as a training step pays it.
 * `nice -n 10 npm run example bench/experiments/conv-paths.ts [rounds]`
 * When: 2026-12-01; figures in core/wasm/conv-staged.ts, op-staged.ts, maxpool.ts.
 * The last table sets conv2d's direct 3 × 3 path (core/wasm/conv-3x3.ts: taps in registers) against
 * im2col + GEMM, forward and dW. Also tried (and not kept): a general direct forward kernel (any
 * KH × KW, the taps looped with a weight load each, one thread). Against the staged GEMM (two
 * threads), forward only, load ~8: 32×1×28² w 8×1×3² 0.47 vs 0.41 ms, 64×1×28² w 16×1×3² 1.91 vs
 * 1.29, 32×3×32² w 16×3×3² 2.79 vs 1.71, 32×1×28² w 8×1×5² 0.81 vs 0.82: never faster.
 */
import * as nd from "../../index";
import { setBackend, type Backend } from "../../core/backend";
import { median, randomArray } from "../lib/harness";
import { conv2dGeometry } from "../../core/wasm/conv";
import { convBackwardGemm, convForwardGemm } from "../../core/wasm/conv-staged";
import { conv3x3Forward, conv3x3GradW } from "../../core/wasm/conv-3x3";

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

// The direct 3 × 3 kernels against im2col + GEMM on the wasm backend, forward and dW, on
// ordinary arrays as the op passes them (staging included): up to how many input channels does
// direct win?
setBackend("wasm");
for (const [N, C, H, O] of [
  [32, 1, 28, 8],
  [64, 1, 28, 16],
  [32, 3, 32, 16],
  [32, 4, 16, 16],
  [16, 8, 16, 16],
  [16, 16, 14, 32],
]) {
  const g = conv2dGeometry(N, C, H, H, O, 3, 3, 1, 1, 1, 1);
  const x = randomArray(N * C * H * H, 5),
    w = randomArray(O * C * 9, 6, 0.3),
    b = randomArray(O, 7),
    dOut = randomArray(N * O * H * H, 8),
    out = new Float32Array(N * O * H * H),
    dw = new Float32Array(O * C * 9);
  const t: Record<string, number[]> = { direct: [], gemm: [], directW: [], gemmW: [] };
  const time = (k: string, r: number, f: () => void) => {
    const t0 = performance.now();
    f();
    if (r >= rounds / 5) t[k].push(performance.now() - t0);
  };
  for (let r = 0; r < rounds; r++) {
    time("direct", r, () => conv3x3Forward(x, w, b, g, out));
    time("gemm", r, () => convForwardGemm(x, w, b, g, out));
    time("directW", r, () => conv3x3GradW(x, dOut, g, dw));
    time("gemmW", r, () => convBackwardGemm(x, w, dOut, g, null, dw));
  }
  const [d, m, dW, mW] = ["direct", "gemm", "directW", "gemmW"].map((k) => median(t[k]));
  console.log(
    `3×3 x ${N}×${C}×${H}×${H} → ${O}`.padEnd(30) +
      ` forward direct ${d.toFixed(3)} / gemm ${m.toFixed(3)} ms (×${(m / d).toFixed(1)});  dW direct ${dW.toFixed(3)} / gemm ${mW.toFixed(3)} ms (×${(mW / dW).toFixed(1)})`,
  );
}
