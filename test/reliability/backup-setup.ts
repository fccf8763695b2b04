/**
 * The training run shared by backup-restore.test.ts (in process) and backup-child.ts (a process
 * the SIGKILL test kills): a Conv+BatchNorm+Dropout+Linear model (running statistics, an integer
 * counter, dropout masks from the global generator and from a layer's own), on synthetic data,
 * with optimizers whose state is all there is to lose (EMA, gradient accumulation across epoch
 * boundaries, momentum, a dynamic loss scale).
 */
import { Tensor, manualSeed, randn } from "../../core";
import * as nn from "../../nn";
import { AdamW, Lion, LossScaleOptimizer, Optimizer, SGD } from "../../optim";

export const CONFIGS = {
  /** AdamW, EMA, accumulation 3 (micro-steps carry over epochs), seeded shuffle, saved every 2 batches. */
  adamw: {
    saveFreq: 2 as const,
    seed: 3 as number | undefined,
    make: (): Optimizer => new AdamW({ learningRate: 0.01, useEma: true, emaMomentum: 0.9, gradientAccumulationSteps: 3 }),
  },
  /** Lion, no fit seed (the global generator shuffles and drops out), saved every batch. */
  lion: { saveFreq: 1 as const, seed: undefined, make: (): Optimizer => new Lion({ learningRate: 0.003, weightDecay: 0.1 }) },
  /** LossScaleOptimizer over SGD with momentum, saved at each epoch's end. */
  lso: {
    saveFreq: "epoch" as const,
    seed: 5,
    make: (): Optimizer => new LossScaleOptimizer(new SGD({ learningRate: 0.05, momentum: 0.9 }), { initialScale: 256, dynamicGrowthSteps: 3 }),
  },
};
export type ConfigName = keyof typeof CONFIGS;

export const EPOCHS = 4;

export function makeModel(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 3, 3, { padding: 1, seed: 1 }),
    new nn.BatchNorm2d(3),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Flatten(),
    new nn.Linear(3 * 6 * 6, 8, { seed: 2 }),
    new nn.ReLU(),
    new nn.Dropout(0.3, { seed: 9 }),
    new nn.Linear(8, 3, { seed: 4 }),
  );
}

export function makeData(): { x: Tensor; y: number[] } {
  const x = randn([30, 1, 6, 6], { seed: 11 });
  const y = Array.from(x.values.subarray(0, 30), (v, i) => (i + (v > 0 ? 1 : 0)) % 3);
  return { x, y };
}

/**
 * One fit of `config` with BackupAndRestore in `dir` (and any extra callbacks); the global
 * generator is seeded first, as a script would. Returns the model and history.
 */
export function run(config: ConfigName, dir: string, extra: nn.Callback[] = []): { model: nn.Module; history: nn.History } {
  const c = CONFIGS[config];
  manualSeed(42);
  const model = makeModel();
  const backup = new nn.callbacks.BackupAndRestore(dir, { saveFreq: c.saveFreq });
  const history = nn.fit(model, makeData(), {
    optimizer: c.make(),
    loss: "crossEntropy",
    epochs: EPOCHS,
    batchSize: 4,
    seed: c.seed,
    verbose: 0,
    metrics: ["accuracy"],
    callbacks: [backup, ...extra],
  });
  return { model, history };
}

/** The model's state as hex, bit for bit. */
export function fingerprint(model: nn.Module): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of Object.entries(model.stateDict())) out[k] = Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).toString("hex");
  return out;
}
