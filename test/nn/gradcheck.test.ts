/**
 * Every layer and loss through gradCheck in float64: the tape's gradient with respect to the
 * input and every parameter against central differences.
 */
import { expect } from "chai";
import { Tensor, gradCheck, rand, randn, tensor } from "../../core";
import * as nn from "../../nn";

/**
 * Checks d/d(input) and d/d(each parameter) of m.call(x). gradCheck perturbs its own float64
 * leaves, so while f runs the module's parameter slots hold those leaves; they are put back after.
 */
function checkModule(m: nn.Module, x: Tensor, what: string): void {
  const named = m.namedParameters();
  const slots = named.map(([name]) => {
    const path = name.split(".");
    let owner = m as unknown as Record<string, unknown>;
    for (const k of path.slice(0, -1)) owner = owner[k] as Record<string, unknown>;
    return { owner, key: path[path.length - 1] };
  });
  const put = (ts: Tensor[]) => slots.forEach(({ owner, key }, i) => (owner[key] = ts[i]));
  const r = gradCheck(
    (xi: Tensor, ...ps: Tensor[]) => {
      put(ps);
      try {
        return m.call(xi);
      } finally {
        put(named.map(([, p]) => p));
      }
    },
    [x, ...named.map(([, p]) => p)],
  );
  expect(r.ok, `${what}: max error ${r.maxError} at ${JSON.stringify(r.worst)}`).to.equal(true);
}

const f64 = { dtype: "float64" as const, seed: 3 };

describe("nn gradCheck (float64)", () => {
  it("Linear", () => checkModule(new nn.Linear(3, 2, f64), randn([4, 3], f64), "Linear"));
  it("Conv2d stride/padding", () => checkModule(new nn.Conv2d(2, 3, [3, 2], { ...f64, stride: [2, 1], padding: 1 }), randn([2, 2, 5, 4], f64), "Conv2d"));
  it("MaxPool2d", () => checkModule(new nn.MaxPool2d(2, { stride: 1 }), randn([1, 2, 4, 4], f64), "MaxPool2d"));
  it("AvgPool2d", () => checkModule(new nn.AvgPool2d(2), randn([2, 2, 4, 4], f64), "AvgPool2d"));
  it("Flatten", () => checkModule(new nn.Flatten(), randn([2, 2, 3], f64), "Flatten"));
  it("BatchNorm2d train", () => {
    const bn = new nn.BatchNorm2d(3, { dtype: "float64" });
    bn.weight!.assign(randn([3], { ...f64, seed: 7 }));
    bn.bias!.assign(randn([3], { ...f64, seed: 8 }));
    checkModule(bn, randn([3, 3, 2, 2], f64), "BatchNorm2d train");
  });
  it("BatchNorm2d eval", () => {
    const bn = new nn.BatchNorm2d(2, { dtype: "float64" }).eval();
    bn.running_var.values.set([0.5, 2]);
    checkModule(bn, randn([2, 2, 3, 3], f64), "BatchNorm2d eval");
  });
  it("LayerNorm", () => {
    const ln = new nn.LayerNorm([2, 3], { dtype: "float64" });
    ln.weight!.assign(randn([2, 3], { ...f64, seed: 9 }));
    checkModule(ln, randn([2, 2, 3], f64), "LayerNorm");
  });
  for (const [name, m] of [
    ["ReLU", new nn.ReLU()],
    ["GELU", new nn.GELU()],
    ["Tanh", new nn.Tanh()],
    ["Sigmoid", new nn.Sigmoid()],
  ] as const) {
    it(name, () => checkModule(m, randn([5], f64), name));
  }
  it("Dropout (seeded, same mask for every evaluation)", () => {
    // A fresh layer per evaluation so the mask does not change between finite-difference probes.
    const r = gradCheck((x) => new nn.Dropout(0.4, { seed: 5 }).call(x), [randn([10], f64)]);
    expect(r.ok).to.equal(true);
  });
  it("Sequential MLP", () => {
    const mlp = new nn.Sequential(new nn.Linear(3, 4, f64), new nn.Tanh(), new nn.Linear(4, 2, { ...f64, seed: 4 }));
    checkModule(mlp, randn([2, 3], f64), "Sequential");
  });

  const labels = [2, 0, 1];
  it("crossEntropy", () => {
    for (const reduction of ["mean", "sum", "none"] as const) {
      expect(gradCheck((x) => nn.losses.crossEntropy(x, labels, { reduction }), [randn([3, 4], f64)]).ok).to.equal(true);
    }
    const soft = randn([3, 4], f64).softmax(1);
    expect(gradCheck((x) => nn.losses.crossEntropy(x, soft), [randn([3, 4], f64)]).ok).to.equal(true);
  });
  it("mse (pred and target)", () => {
    expect(gradCheck((p, t) => nn.losses.mse(p, t), [randn([2, 3], f64), randn([2, 3], f64)]).ok).to.equal(true);
  });
  it("binaryCrossEntropy, probabilities and logits (input and target)", () => {
    const p = rand([2, 3], f64).mul(0.8).add(0.1);
    const t = rand([2, 3], { ...f64, seed: 11 });
    expect(gradCheck((a, b) => nn.losses.binaryCrossEntropy(a, b), [p, t]).ok).to.equal(true);
    const x = tensor(
      [
        [-3, -0.5, 0.2],
        [1, 4, -0.01],
      ],
      { dtype: "float64" },
    );
    expect(gradCheck((a, b) => nn.losses.binaryCrossEntropy(a, b, { fromLogits: true, reduction: "sum" }), [x, t]).ok).to.equal(true);
  });
});
