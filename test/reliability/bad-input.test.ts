/**
 * Bad input, systematically: a table of wrong calls across core, nn and optim. Each must throw an
 * Error whose message names what is wrong, and must leave everything as it was: the model's
 * parameters and buffers, their .grad, the optimizer's state (slots, iterations) and the inputs.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as nd from "../../core";
import { Parameter, Tensor } from "../../core";
import * as nn from "../../nn";
import { AdamW, Lion, LossScaleOptimizer, SGD, deserializeOptimizer, schedules, stateFromJSON, stateToJSON } from "../../optim";

/** A trained-for-one-step world: a model, a built optimizer with EMA, data and loose tensors. */
function world() {
  const model = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), new nn.ReLU(), new nn.Linear(4, 2, { seed: 2 }));
  const params = model.parameters();
  const opt = new AdamW({ learningRate: 0.01, useEma: true });
  const x = nd.randn([4, 3], { seed: 3 });
  const y = [0, 1, 1, 0];
  nn.losses.crossEntropy(model.call(x), y).backward();
  opt.step(params);
  // leave a gradient in place: a failed call must not consume or clear it either
  nn.losses.crossEntropy(model.call(x), y).backward();
  const a = nd.randn([2, 3], { seed: 4, requiresGrad: true });
  const b = nd.randn([3, 4], { seed: 5 });
  const p = new Parameter(nd.tensor([1, 2]), { name: "p" });
  const other = new nn.Linear(3, 2, { seed: 9 }); // "another model"
  return { model, params, opt, x, y, a, b, p, other };
}
type World = ReturnType<typeof world>;

function snapshot(w: World): string {
  const t = (x: Tensor | null) => (x === null ? null : Array.from(x.values));
  return JSON.stringify({
    sd: Object.fromEntries(Object.entries(w.model.stateDict()).map(([k, v]) => [k, t(v)])),
    grads: w.params.map((q) => t(q.grad)),
    opt: stateToJSON(w.opt.stateDict()),
    it: w.opt.iterations,
    lr: w.opt.learningRate,
    inputs: [w.x, w.a, w.b, w.p, ...w.other.parameters()].map(t),
    y: w.y,
    training: w.model.training,
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-bad-"));
const file = (name: string, bytes: Uint8Array | string) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
};
/** A valid safetensors buffer with one tensor, to corrupt. */
const good = () => Buffer.from(nn.serializeSafetensors({ w: nd.tensor([1, 2, 3]) }));
function withHeader(header: object, data: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}
const fitOpts = (w: World, extra: object = {}) => ({ optimizer: w.opt, loss: "crossEntropy" as const, epochs: 1, batchSize: 2, verbose: 0 as const, ...extra });

type Row = [name: string, call: (w: World) => unknown, mustContain: (string | RegExp)[]];

const rows: Row[] = [
  // ---- core: creation
  ["tensor: ragged nesting", () => nd.tensor([[1, 2], [3]]), ["tensor", "ragged"]],
  ["tensor: a string inside", () => nd.tensor([1, "2" as never]), ["tensor", '"2"']],
  ["tensor: values do not fill shape", () => nd.tensor([1, 2, 3], { shape: [2, 2] }), ["tensor", "3 values", "[2,2]"]],
  ["tensor: unknown dtype", () => nd.tensor([1], { dtype: "int32" as never }), ["int32"]],
  ["zeros: negative size", () => nd.zeros([2, -1]), ["shape", "non-negative integers", "[2,-1]"]],
  ["zeros: non-integer size", () => nd.zeros([2.5]), ["shape", "2.5"]],
  ["randn: NaN size", () => nd.randn([NaN]), ["randn", "shape"]],
  ["full: value not a number", () => nd.full([2], "x" as never), ["full", "value", '"x"']],
  ["arange: step 0", () => nd.arange(0, 5, 0), ["arange", "step=0"]],
  ["arange: infinite stop", () => nd.arange(0, Infinity), ["arange", "stop=Infinity"]],
  ["manualSeed: NaN", () => nd.manualSeed(NaN), ["seed", "NaN"]],
  // ---- core: ops
  ["mul: mixed dtypes", (w) => nd.mul(w.a, nd.zeros([2, 3], { dtype: "float64" })), ["mul", "float32", "float64"]],
  ["pow: string exponent", (w) => nd.pow(w.a, "2" as never), ["pow", "operand", '"2"']],
  ["matmul: batched inner mismatch", () => nd.matmul(nd.zeros([2, 3, 4]), nd.zeros([2, 5, 6])), ["matmul", "[2,3,4]", "[2,5,6]"]],
  ["matmul: batch dims do not broadcast", () => nd.matmul(nd.zeros([2, 3, 4]), nd.zeros([3, 4, 5])), ["matmul", "batch", "[2]", "[3]"]],
  ["conv2d: stride 0", () => nd.conv2d(nd.zeros([1, 1, 4, 4]), nd.zeros([1, 1, 2, 2]), undefined, { stride: 0 }), ["conv2d", "stride", "0"]],
  ["conv2d: negative padding", () => nd.conv2d(nd.zeros([1, 1, 4, 4]), nd.zeros([1, 1, 2, 2]), undefined, { padding: -1 }), ["conv2d", "padding", "-1"]],
  ["conv2d: kernel larger than padded input", () => nd.conv2d(nd.zeros([1, 1, 2, 2]), nd.zeros([1, 1, 5, 5])), ["conv2d", /\[1,1,5,5\]|5/]],
  ["maxPool2d: non-integer kernel", () => nd.maxPool2d(nd.zeros([1, 1, 3, 3]), 1.5), ["maxPool2d", "kernel", "1.5"]],
  ["avgPool2d: kernel larger than input", () => nd.avgPool2d(nd.zeros([1, 1, 2, 2]), 3), ["avgPool2d", "larger than the input"]],
  ["softmax: non-integer axis", (w) => nd.softmax(w.a, 0.5), ["softmax", "axis 0.5"]],
  ["sum: repeated axis", (w) => nd.sum(w.a, { axis: [0, 0] }), ["sum", "repeated axis"]],
  ["sum: misspelled option (axes)", (w) => nd.sum(w.a, { axes: 1 } as never), ["sum", '"axes"', "axis, keepDims"]],
  ["mean: axis out of range", (w) => nd.mean(w.a, { axis: -3 }), ["mean", "axis -3", "rank 2"]],
  ["slice: negative begin", (w) => nd.slice(w.a, [-1, 0], [1, 1]), ["slice", "[-1,0]", "[2,3]"]],
  ["reshape: -2 in shape", (w) => nd.reshape(w.a, [-2, 3]), ["reshape", "[-2,3]"]],
  ["transpose: perm too short", (w) => nd.transpose(w.a, [0]), ["transpose", "[0]", "[2,3]"]],
  ["unsqueeze: axis out of range", (w) => nd.unsqueeze(w.a, 5), ["unsqueeze", "axis 5"]],
  ["concat: empty list", () => nd.concat([]), ["concat", "non-empty"]],
  ["stack: mixed dtypes", () => nd.stack([nd.zeros([2]), nd.zeros([2], { dtype: "float64" })]), ["float32", "float64"]],
  ["dropout: p NaN", (w) => nd.dropout(w.a, NaN, true), ["dropout", "p", "NaN"]],
  ["clip: NaN bound", (w) => nd.clip(w.a, NaN, 1), ["clip", "min=NaN"]],
  ["backward: seed of the wrong shape", (w) => w.a.mul(2).backward(nd.ones([3, 2])), ["backward", "[3,2]", "[2,3]"]],
  ["backward: tensor without grad", (w) => w.b.mul(2).sum().backward(), ["backward", "does not require grad"]],
  ["item: more than one element", (w) => w.a.item(), ["item", "[2,3]", "6 elements"]],
  ["Parameter.assign: wrong shape", (w) => w.p.assign(nd.zeros([3])), ["assign", "[3]", "[2]"]],
  // ---- nn: layers and losses
  ["Linear: zero features", () => new nn.Linear(0, 3), ["Linear", "positive integer", "0"]],
  ["Linear: non-integer features", () => new nn.Linear(3, 2.5), ["Linear", "2.5"]],
  ["Linear: unknown dtype", () => new nn.Linear(3, 2, { dtype: "int8" as never }), ["Linear", "int8"]],
  ["Linear: NaN seed", () => new nn.Linear(3, 2, { seed: NaN }), ["Linear", "seed", "NaN"]],
  ["Conv2d: kernel 0", () => new nn.Conv2d(1, 2, 0), ["Conv2d", "0"]],
  ["Dropout: p 1.5", () => new nn.Dropout(1.5), ["Dropout", "p", "1.5"]],
  ["BatchNorm2d: negative eps", () => new nn.BatchNorm2d(3, { eps: -1 }), ["BatchNorm2d", "eps", "-1"]],
  ["LayerNorm: 0 features", () => new nn.LayerNorm(0), ["LayerNorm", "0"]],
  ["model call: wrong feature count", (w) => w.model.call(nd.zeros([2, 5])), ["Linear", "3", "[2,5]"]],
  ["model call: float64 input to a float32 model", (w) => w.model.call(nd.zeros([2, 3], { dtype: "float64" })), ["Linear", "float64", "float32"]],
  ["crossEntropy: label out of range", (w) => nn.losses.crossEntropy(w.model.call(w.x), [0, 1, 2, 0]), ["crossEntropy", "label 2", "[0, 1]"]],
  ["crossEntropy: negative label", (w) => nn.losses.crossEntropy(w.model.call(w.x), [0, -1, 1, 0]), ["crossEntropy", "label -1"]],
  ["crossEntropy: non-integer label", (w) => nn.losses.crossEntropy(w.model.call(w.x), [0, 0.5, 1, 0]), ["crossEntropy", "label 0.5"]],
  ["crossEntropy: wrong label count", (w) => nn.losses.crossEntropy(w.model.call(w.x), [0, 1]), ["crossEntropy", "2 labels", "4 rows"]],
  ["mse: shape mismatch", (w) => nn.losses.mse(w.model.call(w.x), nd.zeros([4, 3])), ["mse", "[4,2]", "[4,3]"]],
  ["binaryCrossEntropy: probability 1.5", () => nn.losses.binaryCrossEntropy(nd.tensor([0.5, 1.5]), nd.tensor([0, 1])), ["binaryCrossEntropy", "1.5"]],
  ["loss: unknown reduction", (w) => nn.losses.mse(w.model.call(w.x), nd.zeros([4, 2]), { reduction: "avg" as never }), ["mse", "reduction", '"avg"']],
  // ---- nn: training loop (fit validates everything before touching the model or optimizer)
  ["fit: epochs 1.5", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { epochs: 1.5 })), ["fit", "epochs", "1.5"]],
  ["fit: negative epochs", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { epochs: -1 })), ["fit", "epochs", "-1"]],
  ["fit: batchSize 0", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { batchSize: 0 })), ["fit", "batchSize", "0"]],
  ["fit: batchSize NaN", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { batchSize: NaN })), ["fit", "batchSize", "NaN"]],
  ["fit: misspelled option (batchsize)", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { batchsize: 64 })), ["fit", '"batchsize"']],
  ["fit: unknown loss name", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { loss: "hinge" })), ["fit", "hinge"]],
  ["fit: unknown metric", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { metrics: ["f1"] })), ["fit", "f1"]],
  ["fit: verbose 3", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { verbose: 3 })), ["fit", "verbose", "3"]],
  ["fit: NaN seed", (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { seed: NaN })), ["fit", "seed", "NaN"]],
  ["fit: x and y sample counts differ", (w) => nn.fit(w.model, { x: w.x, y: [0, 1] }, fitOpts(w)), ["fit", "4 samples", "2"]],
  ["fit: labels out of range", (w) => nn.fit(w.model, { x: w.x, y: [0, 1, 7, 0] }, fitOpts(w, { shuffle: false })), ["fit", "label 7", "[0, 1]"]],
  ["fit: labels out of range (shuffled)", (w) => nn.fit(w.model, { x: w.x, y: Int32Array.from([0, 1, 1, -3]) }, fitOpts(w)), ["fit", "label -3"]],
  [
    "fit: accumulation disagrees with the optimizer",
    (w) => nn.fit(w.model, { x: w.x, y: w.y }, fitOpts(w, { gradientAccumulationSteps: 4 })),
    ["fit", "gradientAccumulationSteps=4"],
  ],
  [
    "evaluate: misspelled option",
    (w) => nn.evaluate(w.model, { x: w.x, y: w.y }, { loss: "crossEntropy", batchsize: 2 } as never),
    ["evaluate", '"batchsize"'],
  ],
  ["predict: wrong input width", (w) => nn.predict(w.model, nd.zeros([2, 5])), ["Linear", "[2,5]"]],
  // ---- nn: weights
  ["loadStateDict: another architecture (keys)", (w) => w.model.loadStateDict(w.other.stateDict()), ["loadStateDict", "missing keys", "unexpected keys"]],
  [
    "loadStateDict: a wrong shape",
    (w) => w.model.loadStateDict({ ...w.model.stateDict(), "2.weight": nd.zeros([3, 4]) }),
    ["loadStateDict", "2.weight", "[3,4]", "[2,4]"],
  ],
  [
    "loadWeights: file of another architecture",
    (w) => {
      const f = path.join(tmp, "other.safetensors");
      nn.saveWeights(new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2)), f);
      nn.loadWeights(w.model, f);
    },
    ["loadStateDict", "0.weight", "[5,3]", "[4,3]"],
  ],
  [
    "loadWeights: truncated file",
    (w) => nn.loadWeights(w.model, file("trunc.safetensors", good().subarray(0, 20))),
    ["loadWeights", "safetensors", "header length"],
  ],
  [
    "loadWeights: header length beyond the file",
    (w) => {
      const g = good();
      g.writeBigUInt64LE(10_000n);
      nn.loadWeights(w.model, file("long.safetensors", g));
    },
    ["safetensors", "header length 10000"],
  ],
  [
    "loadWeights: header not JSON",
    (w) => {
      const g = good();
      g[8] = 0x7b;
      g[9] = 0x7b;
      nn.loadWeights(w.model, file("json.safetensors", g));
    },
    ["safetensors", "not valid JSON"],
  ],
  [
    "loadWeights: float8 dtype",
    (w) => nn.loadWeights(w.model, file("f8.safetensors", withHeader({ w: { dtype: "F8_E4M3", shape: [4], data_offsets: [0, 4] } }, Buffer.alloc(4)))),
    ["safetensors", "F8_E4M3", "cannot load", "F16, BF16"],
  ],
  [
    "loadWeights: offsets disagree with shape",
    (w) => nn.loadWeights(w.model, file("off.safetensors", withHeader({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)))),
    ["safetensors", "needs 12 bytes", "[0, 8]"],
  ],
  [
    "loadWeights: trailing bytes",
    (w) => nn.loadWeights(w.model, file("trail.safetensors", withHeader({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, Buffer.alloc(9)))),
    ["safetensors", "trailing"],
  ],
  ["loadWeights: missing file", (w) => nn.loadWeights(w.model, path.join(tmp, "nope.safetensors")), ["loadWeights", "nope.safetensors"]],
  // ---- optim
  [
    "step: params from another model",
    (w) => {
      for (const q of w.other.parameters()) q.grad = nd.ones(q.shape.slice());
      w.opt.step(w.other.parameters());
    },
    ["AdamW", "unknown parameter", "built on other parameters"],
  ],
  [
    "apply: gradient of the wrong shape",
    (w) => w.opt.apply(w.params.map((q, i) => (i === 1 ? nd.zeros([5]) : nd.zeros(q.shape.slice())))),
    ["AdamW", "grads[1]", "[5]", "[4]"],
  ],
  [
    "apply: float64 gradient for a float32 parameter",
    (w) => w.opt.apply(w.params.map((q) => nd.zeros(q.shape.slice(), { dtype: "float64" }))),
    ["AdamW", "grads[0]", "float64", "float32"],
  ],
  ["apply: wrong number of gradients", (w) => w.opt.apply([nd.zeros([4, 3])]), ["AdamW", "1 gradients", "4 parameters"]],
  ["applyGradients: all null", (w) => w.opt.applyGradients(w.params.map((q) => [null, q] as [null, Parameter])), ["AdamW", "no gradients"]],
  ["learningRate = NaN", (w) => (w.opt.learningRate = NaN), ["AdamW", "learningRate", "NaN"]],
  ["SGD: negative learning rate", () => new SGD({ learningRate: -0.1 }), ["SGD", "learningRate", "-0.1"]],
  ["Lion: beta1 2", () => new Lion({ beta1: 2 }), ["Lion", "beta1", "2"]],
  ["AdamW: negative epsilon", () => new AdamW({ epsilon: -1 }), ["AdamW", "epsilon", "-1"]],
  ["SGD: momentum NaN", () => new SGD({ momentum: NaN }), ["SGD", "momentum", "NaN"]],
  ["SGD: unknown option", () => new SGD({ momentun: 0.9 } as never), ["SGD", '"momentun"']],
  ["AdamW: non-integer accumulation", () => new AdamW({ gradientAccumulationSteps: 3.5 }), ["AdamW", "gradientAccumulationSteps", "3.5"]],
  ["Keras config with an unknown key", () => deserializeOptimizer({ class_name: "Adam", config: { learning_rate: 0.1, beta_3: 0.5 } }), ["Adam", '"beta_3"']],
  ["Keras config: unknown class", () => deserializeOptimizer({ class_name: "Adagrad", config: {} }), ["Adagrad"]],
  ["LossScaleOptimizer: unknown option", () => new LossScaleOptimizer(new SGD(), { initialScal: 2 } as never), ["LossScaleOptimizer", "initialScal"]],
  [
    "schedule: NaN decayRate",
    () => new schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: NaN }),
    ["ExponentialDecay", "decayRate", "NaN"],
  ],
  [
    "loadStateDict: a Lion state into AdamW",
    (w) => {
      const lion = new Lion();
      lion.apply(
        w.params.map((q) => nd.zeros(q.shape.slice())),
        w.params,
      );
      w.opt.loadStateDict(lion.stateDict());
    },
    ["AdamW", "slots"],
  ],
  [
    "loadStateDict: slot of the wrong shape",
    (w) => {
      const s = w.opt.stateDict();
      s.slots.momentums = s.slots.momentums.map((t, i) => (i === 0 ? nd.zeros([1]) : t));
      w.opt.loadStateDict(s);
    },
    ["AdamW", "momentums[0]", "[1]", "[4,3]"],
  ],
  [
    "stateFromJSON: values do not fill shape",
    () => stateFromJSON({ config: {}, iterations: 1, slots: { momentums: [{ shape: [2], dtype: "float32", values: [1] }] } }),
    ["stateFromJSON", "slots.momentums[0]"],
  ],
  ["zeroGrad: not an array", (w) => w.opt.zeroGrad("params" as never), ["AdamW"]],
];

describe(`reliability: ${rows.length} wrong calls throw a named Error and change nothing`, () => {
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  it("the table has at least 50 rows", () => expect(rows.length).to.be.at.least(50));
  for (const [name, call, parts] of rows) {
    it(name, () => {
      const w = world();
      const before = snapshot(w);
      let err: unknown = null;
      try {
        call(w);
      } catch (e) {
        err = e;
      }
      expect(err, "expected a throw").to.be.instanceOf(Error);
      const msg = (err as Error).message;
      for (const p of parts) {
        if (typeof p === "string") expect(msg, `message ${JSON.stringify(msg)} should contain ${JSON.stringify(p)}`).to.contain(p);
        else expect(msg).to.match(p);
      }
      expect(snapshot(w), "state changed by a rejected call").to.equal(before);
    });
  }
});
