/**
 * `--dry-run`: the plan of a study and an estimated time, from a short calibration on this
 * machine (a few single-threaded training steps per batch size and one validation pass).
 */
import { nn, setNumThreads, getNumThreads } from "ndgrad";
import { datasetDef, batchOf } from "./data";
import { buildOptimizer, expandGrid, OPTIMIZER_TITLES } from "./grid";
import { buildModel, parseModel, sampleShape } from "./models";
import { totalSteps } from "./train";
import type { Study } from "./spec";
import * as os from "os";
import { Tensor } from "ndgrad";

/**
 * The plan as text: runs per optimizer and batch size, steps, and the estimated wall time.
 * @example console.log(dryRun(study, 2));
 */
export function dryRun(study: Study, workers?: number): string {
  const threads = getNumThreads();
  setNumThreads(1); // workers are single-threaded: calibrate the same way
  try {
    return plan(study, workers);
  } finally {
    setNumThreads(threads);
  }
}

function plan(study: Study, workers?: number): string {
  const data = datasetDef(study.data.dataset)!.load(study.data);
  const shape = parseModel(study.model, data.image);
  const sample = sampleShape(shape, data.features);
  const w = Math.max(1, workers ?? os.availableParallelism());
  const lines = [
    `study ${study.name}: ${study.data.dataset} ${data.train.n} train / ${data.validation.n} validation / ${data.test.n} test, model ${study.model}, budget ${JSON.stringify(study.budget)}, seeds ${study.seeds.join(", ")}`,
  ];
  const model = buildModel(shape, data.features, data.classes, 0);
  const validation = new Tensor(data.validation.x, [data.validation.n, ...sample]);
  let t0 = performance.now();
  nn.evaluate(model, { x: validation, y: data.validation.y }, { loss: "crossEntropy", metrics: ["accuracy"], batchSize: study.evalBatchSize ?? 1000 });
  const evalSeconds = (performance.now() - t0) / 1000;
  let seconds = 0,
    runs = 0;
  for (const b of study.batchSizes) {
    const rows = Int32Array.from({ length: b }, (_, i) => i);
    const batch = batchOf(data.train, rows, sample);
    const opt = buildOptimizer("adamw", { learningRate: 1e-3 }, (p) => p);
    const params = model.parameters();
    const step = () => {
      const l = nn.losses.crossEntropy(model.call(batch.x), batch.y);
      l.backward();
      opt.step(params);
      opt.zeroGrad(params);
    };
    step();
    const reps = Math.max(2, Math.min(20, Math.round(20000 / b)));
    t0 = performance.now();
    for (let i = 0; i < reps; i++) step();
    const stepSeconds = (performance.now() - t0) / 1000 / reps;
    const steps = totalSteps(study.budget, data.train.n, b);
    const evals = Math.ceil(steps / Math.ceil(data.train.n / b));
    const perRun = steps * stepSeconds + evals * evalSeconds;
    for (const [name, grid] of Object.entries(study.optimizers)) {
      const n = expandGrid(grid).length * study.seeds.length;
      runs += n;
      seconds += n * perRun;
      lines.push(
        `  ${(OPTIMIZER_TITLES[name] ?? name).padEnd(6)} batch ${String(b).padStart(5)}: ${expandGrid(grid).length} configurations x ${study.seeds.length} seeds = ${n} runs of ${steps} steps (~${perRun.toFixed(1)} s each)`,
      );
    }
  }
  const tests = Object.keys(study.optimizers).length * study.batchSizes.length * study.seeds.length;
  seconds += tests * evalSeconds * (data.test.n / data.validation.n);
  lines.push(
    `${runs} runs + ${tests} test evaluations on ${w} worker${w > 1 ? "s" : ""}: about ${seconds / w < 120 ? `${Math.ceil(seconds / w)} s` : `${Math.ceil(seconds / w / 60)} min`} plus worker start-up (${Math.round(seconds)} s of single-thread work, measured here now; a busy machine is slower)`,
  );
  return lines.join("\n");
}
