/**
 * Replays every case of test/fixtures/keras-golden.json (Keras's own golden numbers: optimizer
 * programs, schedule points, config round-trips; provenance in test/fixtures/keras-golden.md)
 * through ndgrad, following `meta.program_ops`.
 *
 * Two translations, both written down where they happen:
 * - `expect_error`: Keras's wording is not required (docs/KERAS-OPTIMIZER-SEMANTICS.md §0.3). The
 *   check is ndgrad's convention instead: an Error whose message names the class, every
 *   offending argument (camelCase or snake_case) and its value.
 * - `replicas: 2` (tf.distribute MirroredStrategy): gradients are SUM-all-reduced right before
 *   update_step, so the test wraps the optimizer's `updateStep` to feed it the replica sum.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Tensor } from "../../core/tensor";
import { Parameter } from "../../core/parameter";
import { tensor } from "../../core/creation";
import { Adam, AdamW, Lion, LossScaleOptimizer, Optimizer, SGD, resetOptimizerNames, schedules } from "../../optim";
import { wasmColumnStats } from "../../core/wasm/column";
import { onEachBackend } from "../support/backends";

const repoRoot = path.resolve(__dirname, "..", "..");
const golden = JSON.parse(fs.readFileSync(path.join(repoRoot, "test", "fixtures", "keras-golden.json"), "utf8"));

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Nested = number | Nested[];

const classes: Record<string, { fromConfig(c: Record<string, unknown>): Optimizer }> = { Lion, Adam, AdamW, SGD };
const scheduleClasses: Record<string, { fromConfig(c: Record<string, unknown>): schedules.LearningRateSchedule }> = {
  ExponentialDecay: schedules.ExponentialDecay,
  PiecewiseConstantDecay: schedules.PiecewiseConstantDecay,
  PolynomialDecay: schedules.PolynomialDecay,
  InverseTimeDecay: schedules.InverseTimeDecay,
  CosineDecay: schedules.CosineDecay,
  CosineDecayRestarts: schedules.CosineDecayRestarts,
};

/** 'inf' strings → Infinity (and '-inf', 'nan' for completeness). */
function num(v: unknown): number {
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "nan") return NaN;
  return v as number;
}
function nums(v: Json): Nested {
  return Array.isArray(v) ? v.map(nums) : num(v);
}
function flat(v: Nested): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v];
}

/** Parses the fixture's Python-repr shorthand for an inner optimizer: "SGD(learning_rate=0.5, nesterov=True)" or "SGD(0.5)". */
function parsePythonCtor(s: string): Optimizer {
  const m = /^(\w+)\((.*)\)$/.exec(s.trim());
  if (!m) throw new Error(`cannot parse ${s}`);
  const config: Record<string, unknown> = {};
  for (const part of m[2]
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v] = part.includes("=") ? part.split("=") : ["learning_rate", part];
    config[k.trim()] = v === "True" ? true : v === "False" ? false : v === "None" ? null : Number(v);
  }
  return classes[m[1]].fromConfig(config);
}

/** A Keras constructor config (snake_case) → an ndgrad optimizer. */
function makeOptimizer(cls: string, config: Json, inner?: Optimizer): Optimizer {
  const cfg: Record<string, unknown> = { ...config };
  if (cfg.learning_rate && typeof cfg.learning_rate === "object" && "callable_constant" in (cfg.learning_rate as object)) {
    const c = (cfg.learning_rate as { callable_constant: number }).callable_constant;
    cfg.learning_rate = () => c;
  }
  if (cls === "LossScaleOptimizer") return LossScaleOptimizer.fromConfig({ ...cfg, inner_optimizer: inner });
  return classes[cls].fromConfig(cfg);
}

/** Emulates MirroredStrategy: update_step sees the gradient summed over `replicas` identical replicas. */
function emulateReplicas(opt: Optimizer, replicas: number): void {
  const o = opt as unknown as { updateStep(i: number, p: Float32Array, g: Float32Array, lr: number, wd: number): void };
  const original = o.updateStep.bind(opt);
  o.updateStep = (i, p, g, lr, wd) => {
    const summed = new Float32Array(g.length);
    for (let k = 0; k < g.length; k++) for (let r = 0; r < replicas; r++) summed[k] += g[k];
    original(i, p, summed, lr, wd);
  };
}

function close(actual: number[], expected: number[], step: Json, label: string): void {
  expect(actual.length, `${label}: size`).to.equal(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k],
      e = expected[k];
    if (step.exact) {
      expect(a, `${label}[${k}]`).to.equal(e);
    } else if (step.abs_bound !== undefined) {
      expect(Math.abs(a - e), `${label}[${k}]: ${a} vs ${e}`).to.be.lessThan(step.abs_bound);
    } else {
      const atol = step.atol ?? 1e-6,
        rtol = step.rtol ?? 1e-6;
      expect(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${label}[${k}]: ${a} vs ${e} (atol ${atol}, rtol ${rtol})`).to.equal(true);
    }
  }
}

/** ndgrad's error convention: names the class, each offending argument (camel or snake), and its value. */
function expectNdgradError(fn: () => unknown, cls: string, config: Record<string, unknown>, label: string): void {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, `${label}: should throw`).to.be.instanceOf(Error);
  const msg = (err as Error).message;
  expect(msg, label).to.contain(cls);
  // A learning_rate that rides along with the real offenders (clip_args_mutually_exclusive) is not one.
  const offending = Object.entries(config).filter(([k]) => k !== "learning_rate" || Object.keys(config).length === 1);
  for (const [k, v] of offending) {
    const camel = k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const named = [k, camel].some((n) => msg.toLowerCase().includes(n.toLowerCase()));
    expect(named, `${label}: message "${msg}" names ${k}`).to.equal(true);
    expect(msg, `${label}: message names the value`).to.contain(String(v));
  }
}

function runProgram(c: Json): void {
  const vars: Record<string, Parameter> = {};
  const opts: Record<string, Optimizer> = {};
  const snapshots: Record<string, number[]> = {};
  const expected = (step: Json): number[] => {
    const v = step.value;
    if (v && typeof v === "object" && !Array.isArray(v) && "expr" in v) {
      const out: number[] = [];
      for (const [coef, snap] of v.expr as [number, string][]) snapshots[snap].forEach((x, k) => (out[k] = (out[k] ?? 0) + coef * x));
      return out;
    }
    return flat(nums(v));
  };
  const slot = (opt: Optimizer, name: string, index: number) => Array.from(opt.stateDict().slots[name][index].values);
  for (const [n, step] of (c.program as Json[]).entries()) {
    const label = `${c.name} step ${n} (${step.op}${step.what ? " " + step.what : ""}${step.label ? ", " + step.label : ""})`;
    switch (step.op) {
      case "var":
        vars[step.id] = new Parameter(nums(step.value), {
          dtype: step.dtype,
          name: step.name,
          overwriteWithGradient: step.overwrite_with_gradient,
          constraint: step.constraint === "NonNeg" ? "nonNeg" : undefined,
        });
        break;
      case "optimizer": {
        const opt = makeOptimizer(step.class, step.config, step.inner ? opts[step.inner] : undefined);
        if (step.replicas) emulateReplicas(opt, step.replicas);
        opts[step.id] = opt;
        break;
      }
      case "build":
        opts[step.optimizer].build(step.vars.map((id: string) => vars[id]));
        break;
      case "apply_gradients":
        opts[step.optimizer].applyGradients(
          step.grads.map((g: Json, k: number) => [g === null ? null : tensor(nums(g), { dtype: vars[step.vars[k]].dtype }), vars[step.vars[k]]]),
        );
        break;
      case "apply":
        opts[step.optimizer].apply(step.grads.map((g: Json) => (g === null ? null : tensor(nums(g)))));
        break;
      case "exclude_from_weight_decay":
        opts[step.optimizer].excludeFromWeightDecay({ names: step.var_names, params: step.var_list?.map((id: string) => vars[id]) });
        break;
      case "snapshot":
        snapshots[step.name ?? step.id] = Array.from(vars[step.id].values);
        break;
      case "finalize_variable_values":
        opts[step.optimizer].finalizeVariableValues(step.vars.map((id: string) => vars[id]));
        break;
      case "clip_gradients": {
        const out = opts[step.optimizer].clipGradients(step.grads.map((g: Json) => tensor(nums(g))));
        out.forEach((t, k) => close(Array.from(t.values), flat(nums(step.expected[k])), step, `${label} grad ${k}`));
        break;
      }
      case "set_learning_rate": {
        const opt = opts[step.optimizer];
        const cfg: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(step.schedule.config as Record<string, unknown>)) {
          const ref = typeof v === "string" ? /^<(\w+)\.learning_rate>$/.exec(v) : null;
          cfg[k] = ref ? opts[ref[1]].learningRate : v;
        }
        opt.learningRate = scheduleClasses[step.schedule.class].fromConfig(cfg);
        break;
      }
      case "expect_error": {
        const k = step.construct;
        if (!k) throw new Error(`${label}: only 'construct' errors are in the fixture`);
        const inner = k.inner ? parsePythonCtor(k.inner) : undefined;
        expectNdgradError(() => makeOptimizer(k.class, k.config, inner), k.class, k.config, label);
        break;
      }
      case "expect": {
        const opt = step.optimizer ? opts[step.optimizer] : undefined;
        const what: string = step.what;
        let actual: number[];
        if (what === "var") actual = Array.from(vars[step.id].values);
        else if (what === "iterations") actual = [opt!.iterations];
        else if (what === "_iterations") actual = [opt!.microSteps];
        else if (what === "ema") actual = slot(opt!, "averages", step.index);
        else if (what === "accumulator") actual = slot(opt!, "accumulatedGradients", step.index);
        else if (what === "scale_loss") actual = [opt!.scaleLoss(tensor(step.arg)).item()];
        else if (what === "num_variables") actual = [opt!.variables.length];
        else if (what === "variable_value") actual = Array.from(opt!.variables[step.index].values);
        else if (what === "min_of_var") actual = [Math.min(...Array.from(vars[step.id].values))];
        else if (what === "var_equals_var") {
          close(Array.from(vars[step.id].values), Array.from(vars[step.other].values), step, label);
          break;
        } else if (what === "var_equals_ema") {
          close(Array.from(vars[step.id].values), slot(opt!, "averages", step.index ?? 0), step, label);
          break;
        } else if (what.startsWith("attr:")) {
          const camel =
            ({ clipnorm: "clipNorm", clipvalue: "clipValue", global_clipnorm: "globalClipNorm" } as Record<string, string>)[what.slice(5)] ??
            what.slice(5).replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
          actual = [(opt as unknown as Record<string, number>)[camel]];
        } else throw new Error(`${label}: unknown expect '${what}'`);
        close(actual, expected(step), step, label);
        break;
      }
      default:
        throw new Error(`${label}: unknown op '${step.op}'`);
    }
  }
}

describe("optim: Keras goldens (keras-golden.json)", () => {
  it("has the expected number of cases (so none is silently dropped)", () => {
    expect(golden.optimizer_cases.length).to.equal(40);
    expect(golden.schedule_cases.length).to.equal(15);
    expect(golden.config_roundtrip_cases.length).to.equal(11);
  });

  onEachBackend("optimizer_cases", (backend) => {
    if (backend === "wasm") {
      // The goldens must really run the wasm passes on this backend, not fall back to JS.
      let calls0 = 0;
      before(() => (calls0 = wasmColumnStats.calls));
      after(() => expect(wasmColumnStats.calls, "wasm passes run by the goldens").to.be.greaterThan(calls0 + 100));
    }
    for (const c of golden.optimizer_cases as Json[]) {
      if (c.name === "optimizer_auto_naming") {
        // No program: the case is the name table. Keras's counter is per process; reset it here.
        it(c.name, () => {
          resetOptimizerNames();
          const got: Record<string, string> = {
            "Adam#1": new Adam().name,
            "Adam#2": new Adam().name,
            "SGD#1": new SGD().name,
            "SGD#2": new SGD().name,
            "AdamW#1": new AdamW().name,
            "AdamW#2": new AdamW().name,
            "Adam(name='my_adam')": new Adam({ name: "my_adam" }).name,
          };
          expect(got).to.deep.equal(c.expected_names);
          const again = Adam.fromConfig(new Adam({ name: "my_adam" }).getConfig());
          expect(again.name).to.equal("my_adam");
        });
        continue;
      }
      it(c.name, () => runProgram(c));
    }
  });

  describe("schedule_cases", () => {
    for (const c of golden.schedule_cases as Json[]) {
      it(c.name, () => {
        const s = scheduleClasses[c.schedule.class].fromConfig(c.schedule.config);
        for (const p of c.points) close([s.valueAt(p.step)], [p.expected], c, `${c.name} step ${p.step}`);
      });
    }
  });

  describe("config_roundtrip_cases", () => {
    for (const c of golden.config_roundtrip_cases as Json[]) {
      it(`${c.class} (${c.source})`, () => {
        if (c.class in scheduleClasses) {
          const s = scheduleClasses[c.class].fromConfig(c.config);
          const cfg = s.getConfig();
          for (const [k, v] of Object.entries(c.config)) expect(cfg[k], k).to.deep.equal(v);
          expect(scheduleClasses[c.class].fromConfig(cfg).getConfig()).to.deep.equal(cfg);
          expect(JSON.parse(JSON.stringify(cfg))).to.deep.equal(cfg);
          return;
        }
        const opt =
          c.class === "LossScaleOptimizer"
            ? LossScaleOptimizer.fromConfig({ inner_optimizer: parsePythonCtor(c.config.inner_optimizer) })
            : classes[c.class].fromConfig(c.config);
        const cfg = opt.getConfig();
        if (c.class !== "LossScaleOptimizer") {
          for (const [k, v] of Object.entries(c.config)) expect(cfg[k], k).to.deep.equal(k === "learning_rate" ? Math.fround(v as number) : v);
        }
        // Through JSON text, as a Keras config file would travel.
        const json = JSON.parse(JSON.stringify(cfg));
        const back = c.class === "LossScaleOptimizer" ? LossScaleOptimizer.fromConfig(json) : classes[c.class].fromConfig(json);
        expect(back.getConfig()).to.deep.equal(cfg);
        expect(back.className).to.equal(c.class);
      });
    }
  });
});
