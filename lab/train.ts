/**
 * Doing one job: a training run (validation metrics per pass, weights saved for a later test
 * evaluation) or a test evaluation of saved weights. Pure ndgrad public API: model, optimizer,
 * losses, evaluate, safetensors.
 */
import * as fs from "fs";
import { Generator, Tensor, nn } from "ndgrad";
import { batchOf, datasetDef, LabData, Split } from "./data";
import { buildOptimizer, effectiveLrWd } from "./grid";
import { buildModel, parseModel, sampleShape } from "./models";
import { atomicWrite } from "./results";
import { scheduleFor } from "./schedule";
import type { Study } from "./spec";
import type { EpochRecord, RunRow, TestJob, TestRow, TrainJob } from "./rows";

const cache = new Map<string, LabData>();

/** The study's data, loaded once per process. */
function dataOf(study: Study): LabData {
  const key = JSON.stringify(study.data);
  let d = cache.get(key);
  if (!d) {
    d = datasetDef(study.data.dataset)!.load(study.data);
    cache.set(key, d);
  }
  return d;
}

/**
 * Optimizer calls of a run: the budget in epochs, steps, or examples (rounded to whole batches).
 * @example totalSteps({ epochs: 2 }, 1000, 64) // 32
 */
export function totalSteps(budget: Study["budget"], trainSize: number, batchSize: number): number {
  if (budget.epochs !== undefined) return budget.epochs * Math.ceil(trainSize / batchSize);
  if (budget.steps !== undefined) return budget.steps;
  return Math.max(1, Math.round(budget.examples! / batchSize));
}

function asTensor(split: Split, shape: number[]): { x: Tensor; y: Int32Array } {
  return { x: new Tensor(split.x, [split.n, ...shape]), y: split.y };
}

function stateBytesOf(opt: { stateDict(): { slots: Record<string, Tensor[]> } }): number {
  let bytes = 0;
  for (const list of Object.values(opt.stateDict().slots)) for (const t of list) bytes += t.size * (t.dtype === "float64" ? 8 : 4);
  return bytes;
}

function correct(logits: Tensor, y: Int32Array): number {
  const v = logits.values,
    k = logits.shape[1];
  let hits = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[i * k + j] > v[i * k + best]) best = j;
    if (best === y[i]) hits++;
  }
  return hits;
}

/**
 * Trains one run and returns its row; `alive()` is asked every few steps and stops the process
 * when false (a worker whose lab has died). The weights go to `job.weightsFile`.
 * @example const row = trainRun(job);
 */
export function trainRun(job: TrainJob, alive: () => boolean = () => true): RunRow {
  const started = performance.now();
  const { study } = job;
  const data = dataOf(study);
  const shape = parseModel(study.model, data.image);
  const sample = sampleShape(shape, data.features);
  const model = buildModel(shape, data.features, data.classes, job.seed);
  const params = model.parameters();
  const n = data.train.n,
    b = job.batchSize;
  const steps = totalSteps(study.budget, n, b),
    perEpoch = Math.ceil(n / b);
  const opt = buildOptimizer(job.optimizer, job.config, scheduleFor(study.schedule, steps), job.base);
  opt.excludeFromWeightDecay({ names: ["bias"] }); // the usual practice, for every optimizer alike
  const validation = asTensor(data.validation, sample);
  const evalBatch = study.evalBatchSize ?? 1000;
  const evaluate = () => nn.evaluate(model, validation, { loss: "crossEntropy", metrics: ["accuracy"], batchSize: evalBatch });

  const order = new Generator(1_000_003 * job.seed + 7); // data order: its own stream, fixed by the seed
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const epochs: EpochRecord[] = [];
  let trainSeconds = 0,
    lossSum = 0,
    hits = 0,
    seen = 0,
    examples = 0,
    diverged = false,
    done = 0;
  for (let step = 0; step < steps; step++) {
    const i = step % perEpoch;
    if (i === 0)
      for (let a = n - 1; a > 0; a--) {
        const c = order.int(a + 1);
        const t = perm[a];
        perm[a] = perm[c];
        perm[c] = t;
      }
    if (step % 20 === 0 && !alive()) process.exit(1);
    const t0 = performance.now();
    const batch = batchOf(data.train, perm.subarray(i * b, Math.min(n, (i + 1) * b)), sample);
    model.train();
    const logits = model.call(batch.x);
    const loss = nn.losses.crossEntropy(logits, batch.y);
    const lv = loss.item();
    loss.backward();
    opt.step(params);
    opt.zeroGrad(params);
    trainSeconds += (performance.now() - t0) / 1000;
    done = step + 1;
    lossSum += lv * batch.y.length;
    hits += correct(logits, batch.y);
    seen += batch.y.length;
    examples += batch.y.length;
    if (!Number.isFinite(lv)) diverged = true;
    if (i === perEpoch - 1 || step === steps - 1 || diverged) {
      const val = opt.useEma ? opt.withEmaWeights(params, evaluate) : evaluate();
      epochs.push({
        epoch: examples / n,
        step: done,
        examples,
        seconds: trainSeconds,
        trainLoss: lossSum / seen,
        trainAccuracy: hits / seen,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
      });
      lossSum = 0;
      hits = 0;
      seen = 0;
    }
    if (diverged) break;
  }
  opt.finalizeVariableValues(params);
  atomicWrite(job.weightsFile, nn.saveWeightsBytes(model)); // PyTorch layout: num_batches_tracked as I64
  const { lr, wd } = effectiveLrWd(job.optimizer, job.config, job.base);
  return {
    kind: "run",
    key: job.key,
    configKey: job.configKey,
    study: study.name,
    optimizer: job.optimizer,
    config: job.config,
    ...(job.base ? { base: job.base } : {}),
    batchSize: b,
    seed: job.seed,
    lr,
    wd,
    steps: done,
    epochs,
    stepsPerSecond: done / trainSeconds,
    stateBytes: stateBytesOf(opt),
    parameters: params.reduce((s, p) => s + p.size, 0),
    wallSeconds: (performance.now() - started) / 1000,
    diverged,
    finishedAt: new Date().toISOString(),
  };
}

/**
 * Evaluates a finished run's saved weights on the test split, once.
 * @example const row = testRun(job);
 */
export function testRun(job: TestJob): TestRow {
  const { study } = job;
  const data = dataOf(study);
  const shape = parseModel(study.model, data.image);
  const model = buildModel(shape, data.features, data.classes, job.seed);
  model.loadStateDict(nn.parseSafetensors(fs.readFileSync(job.weightsFile)));
  const test = asTensor(data.test, sampleShape(shape, data.features));
  const r = nn.evaluate(model, test, { loss: "crossEntropy", metrics: ["accuracy"], batchSize: study.evalBatchSize ?? 1000 });
  return {
    kind: "test",
    key: job.key,
    runKey: job.runKey,
    configKey: job.configKey,
    study: study.name,
    optimizer: job.optimizer,
    config: job.config,
    ...(job.base ? { base: job.base } : {}),
    batchSize: job.batchSize,
    seed: job.seed,
    testLoss: r.loss,
    testAccuracy: r.accuracy,
    finishedAt: new Date().toISOString(),
  };
}
