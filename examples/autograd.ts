/**
 * Autograd in five steps: a scalar expression, the same on tensors, the tape's accumulation
 * rule, a finite-difference check, and a picture of the graph.
 *
 *   npx ts-node -T examples/autograd.ts [--out reports/graph.dot]
 */
import * as fs from "fs";
import * as path from "path";
import { tensor, randn, gradCheck, toDot, grad, Tensor, nn } from "ndgrad";
import { graphSvg, graphText } from "ndgrad/display";

const outArg = process.argv.indexOf("--out");
const dotPath = outArg >= 0 ? process.argv[outArg + 1] : path.join("reports", "autograd-graph.dot");

// 1. A scalar expression, micrograd style: f(a, b) = (a*b + b^3) * tanh(a)
const a = tensor(2, { requiresGrad: true, name: "a" });
const b = tensor(-3, { requiresGrad: true, name: "b" });
const f = a.mul(b).add(b.pow(3)).mul(a.tanh());
f.backward();
console.log(`f(a=2, b=-3) = ${f.item().toFixed(4)}`);
console.log(`df/da = ${a.grad!.item().toFixed(4)}   df/db = ${b.grad!.item().toFixed(4)}`);

// 2. Tensors: a linear layer and a squared error, gradients for the weights
const x = tensor([
  [1, 2],
  [3, 4],
  [5, 6],
]);
const w = tensor([[0.1], [-0.2]], { requiresGrad: true, name: "w" });
const y = tensor([[1], [0], [1]]);
const loss = x.matmul(w).sub(y).square().mean();
loss.backward();
console.log(`\nloss = ${loss.item().toFixed(4)}, dloss/dw =`, w.grad);

// 3. The accumulation rule: backward() adds into .grad, so zero it between steps
loss.backward();
console.log(
  "after a second backward() the gradient has doubled:",
  Array.from(w.grad!.values).map((v) => v.toFixed(4)),
);
w.grad = null;

// 4. grad(f) as a function, and a finite-difference check of it (float64)
const softplusSum = (t: Tensor) => t.softplus().sum();
const [g] = grad(softplusSum)(tensor([-1, 0, 1]));
console.log(
  "\nd/dt sum(softplus(t)) at [-1, 0, 1] = sigmoid(t) =",
  Array.from(g.values).map((v) => v.toFixed(4)),
);
const check = gradCheck((t) => t.tanh().mul(t).logSoftmax(), [randn([3, 4], { dtype: "float64", seed: 1 })]);
console.log(`gradCheck(logSoftmax(t * tanh t)): ok=${check.ok}, max error ${check.maxError.toExponential(2)}`);

// 5. The graph of f, as Graphviz DOT
fs.mkdirSync(path.dirname(dotPath), { recursive: true });
nn.writeFileAtomic(dotPath, toDot(f));
console.log(`\nwrote the graph of f to ${dotPath}`);
const svg = graphSvg(f); // the notebooks' renderer: Graphviz when installed
if (svg) {
  const svgPath = dotPath.replace(/\.dot$/, "") + ".svg";
  nn.writeFileAtomic(svgPath, svg);
  console.log(`rendered ${svgPath} with Graphviz`);
} else {
  console.log(`(install Graphviz to draw it: dot -Tsvg ${dotPath} > graph.svg); as text:\n${graphText(f)}`);
}
