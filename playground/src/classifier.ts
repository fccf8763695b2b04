/**
 * The network race: one MLP per optimizer, all loaded with the very same initial weights, all
 * trained on the same mini-batches, with ndgrad's tape autograd and optimizers. Evaluation
 * (train and test loss and accuracy, the decision-boundary grid) runs without a tape.
 */
import { Generator, Tensor, fromArray, nn, noGrad, optim } from "ndgrad";
import { DATA_VIEW, Dataset2D, Split, makeDataset, permutation, splitDataset } from "./datasets";
import { StateMemory, makeOptimizer, stateMemory } from "./optimizers";
import type { OptimizerSettings } from "./settings";

export interface NetSettings {
  dataset: string;
  noise: number;
  samples: number;
  trainFraction: number;
  widths: number[];
  activation: string;
  batch: number;
  seed: number;
}

export interface Metrics {
  step: number;
  trainLoss: number;
  trainAcc: number;
  testLoss: number;
  testAcc: number;
}

export interface Contender {
  id: string;
  settings: OptimizerSettings;
  model: nn.Module;
  params: ReturnType<nn.Module["parameters"]>;
  optimizer: optim.Optimizer;
  history: Metrics[];
  lastLoss: number;
  memory: StateMemory | null;
  diverged: string | null;
}

/**
 * A batch loss this far above a coin toss's (ln 2 for two classes) means the network is
 * confidently wrong by a factor of e^69: a learning rate far too large, even while the loss is
 * still finite (tanh units saturate, so SGD can sit at a loss of 1000 for ever without a NaN).
 */
const HOPELESS_LOSS = 100 * Math.LN2;

const ACTIVATION: Record<string, () => nn.Module> = {
  relu: () => new nn.ReLU(),
  tanh: () => new nn.Tanh(),
  gelu: () => new nn.GELU(),
  sigmoid: () => new nn.Sigmoid(),
};

/**
 * The MLP 2 → widths... → 2 (two logits), PyTorch's initialisation from `seed`.
 * @example buildMlp([16, 16], "tanh", 0).parameters().length // 6
 */
export function buildMlp(widths: number[], activation: string, seed: number): nn.Sequential {
  const act = ACTIVATION[activation];
  if (!act) throw new Error(`buildMlp: unknown activation "${activation}"; allowed: ${Object.keys(ACTIVATION).join(", ")}`);
  const layers: nn.Module[] = [];
  let prev = 2;
  widths.forEach((w, i) => {
    layers.push(new nn.Linear(prev, w, { seed: seed * 16 + i }), act());
    prev = w;
  });
  layers.push(new nn.Linear(prev, 2, { seed: seed * 16 + widths.length }));
  return new nn.Sequential(...layers);
}

/** Mean cross-entropy and accuracy of `model` on `d`, without a tape. */
function measure(model: nn.Module, d: Dataset2D): { loss: number; acc: number } {
  return noGrad(() => {
    const logits = model.call(fromArray(d.x, [d.y.length, 2]));
    const loss = nn.losses.crossEntropy(logits, d.y).item();
    const v = logits.values;
    let right = 0;
    for (let i = 0; i < d.y.length; i++) if ((v[2 * i + 1] > v[2 * i] ? 1 : 0) === d.y[i]) right++;
    return { loss, acc: right / d.y.length };
  });
}

/**
 * The network race: data, one model and optimizer per contender, shared batches.
 * @example const race = new NetRace(net, [lionSettings, adamwSettings]); race.step(); race.evaluate();
 */
export class NetRace {
  readonly data: Split;
  readonly contenders: Contender[];
  readonly batch: number;
  steps = 0;
  private readonly order: Generator;
  private perm: Int32Array;
  private cursor = 0;
  private readonly xb: Float32Array;
  private readonly yb: Int32Array;

  /** Builds data and models; throws ndgrad's message for an invalid hyper-parameter. */
  constructor(
    readonly net: NetSettings,
    optimizers: OptimizerSettings[],
  ) {
    this.data = splitDataset(makeDataset(net.dataset, net.samples, net.noise, net.seed), net.trainFraction, net.seed);
    const template = buildMlp(net.widths, net.activation, net.seed);
    const initial = template.stateDict();
    this.contenders = optimizers.map((o) => {
      const model = buildMlp(net.widths, net.activation, net.seed + 1);
      model.loadStateDict(initial); // the same initialisation for everyone, copied, not re-drawn
      return {
        id: o.id,
        settings: o,
        model,
        params: model.parameters(),
        optimizer: makeOptimizer(o),
        history: [],
        lastLoss: NaN,
        memory: null,
        diverged: null,
      };
    });
    this.batch = Math.min(net.batch, this.data.train.y.length);
    this.order = new Generator(net.seed + 104729);
    this.perm = permutation(this.data.train.y.length, this.order);
    this.xb = new Float32Array(2 * this.batch);
    this.yb = new Int32Array(this.batch);
    for (const c of this.contenders) this.record(c);
  }

  /** The next mini-batch, the same for every contender: epochs of a seeded shuffle. */
  private nextBatch(): Tensor {
    const { x, y } = this.data.train;
    for (let k = 0; k < this.batch; k++) {
      if (this.cursor === this.perm.length) {
        this.perm = permutation(this.perm.length, this.order);
        this.cursor = 0;
      }
      const j = this.perm[this.cursor++];
      this.xb[2 * k] = x[2 * j];
      this.xb[2 * k + 1] = x[2 * j + 1];
      this.yb[k] = y[j];
    }
    return fromArray(this.xb, [this.batch, 2]);
  }

  /** One training step of every contender still running; returns a divergence message, if any. */
  step(): string | null {
    const xb = this.nextBatch();
    let message: string | null = null;
    for (const c of this.contenders) {
      if (c.diverged) continue;
      const loss = nn.losses.crossEntropy(c.model.call(xb), this.yb);
      c.lastLoss = loss.item();
      if (!Number.isFinite(c.lastLoss) || c.lastLoss > HOPELESS_LOSS) {
        const what = Number.isFinite(c.lastLoss) ? `${c.lastLoss.toPrecision(4)}, over 100 times a coin toss's ${Math.LN2.toFixed(3)}` : String(c.lastLoss);
        c.diverged = `${c.optimizer.className} diverged at step ${this.steps + 1} on ${this.net.dataset}: the training loss is ${what} (learning rate ${c.settings.lr}). Lower its learning rate, then press Reset.`;
        message ??= c.diverged;
        continue;
      }
      loss.backward();
      c.optimizer.step(c.params);
      c.optimizer.zeroGrad(c.params);
      if (c.memory === null) c.memory = stateMemory(c.optimizer);
    }
    this.steps++;
    return message;
  }

  /** Appends the current train/test metrics of every contender to its history. */
  evaluate(): void {
    for (const c of this.contenders) if (!c.diverged) this.record(c);
  }

  private record(c: Contender): void {
    const last = c.history[c.history.length - 1];
    if (last && last.step === this.steps) return;
    const tr = measure(c.model, this.data.train),
      te = measure(c.model, this.data.test);
    c.history.push({ step: this.steps, trainLoss: tr.loss, trainAcc: tr.acc, testLoss: te.loss, testAcc: te.acc });
  }

  /**
   * P(class 1) of contender `c` on an n×n grid over the plotted window, row 0 at the top.
   */
  probabilityGrid(c: Contender, n: number): Float32Array {
    const pts = new Float32Array(2 * n * n);
    const { x0, x1, y0, y1 } = DATA_VIEW;
    for (let r = 0; r < n; r++) {
      for (let col = 0; col < n; col++) {
        const k = r * n + col;
        pts[2 * k] = x0 + ((col + 0.5) / n) * (x1 - x0);
        pts[2 * k + 1] = y1 - ((r + 0.5) / n) * (y1 - y0);
      }
    }
    const logits = noGrad(() => c.model.call(fromArray(pts, [n * n, 2]))).values;
    const p = new Float32Array(n * n);
    for (let k = 0; k < n * n; k++) p[k] = 1 / (1 + Math.exp(logits[2 * k] - logits[2 * k + 1]));
    return p;
  }
}
