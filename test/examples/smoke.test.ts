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
    cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000,
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

  it("lion-vs-adamw.ts writes a report with both curves and prints the table", () => {
    const out = runExample("lion-vs-adamw", [
      "--subset", "800", "--test-subset", "300", "--epochs", "2", "--adamw-lrs", "3e-3", "--lion-lrs", "1e-3",
      "--out", dir, "--verbose", "0",
    ]);
    expect(out).to.match(/\| AdamW \* +\| 0\.003 /);
    expect(out).to.match(/\| Lion \* +\| 0\.001 /);
    const accs = [...out.matchAll(/\| (?:AdamW|Lion) \* .*?\| ([\d.]+)% /g)].map((m) => Number(m[1]));
    expect(accs).to.have.length(2);
    for (const a of accs) expect(a).to.be.greaterThan(20);
    const html = fs.readFileSync(path.join(dir, "lion-vs-adamw.html"), "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).to.equal(true);
    expect(html.trim().endsWith("</html>")).to.equal(true);
    expect((html.match(/<svg /g) ?? []).length).to.equal(2);
    expect((html.match(/<\/svg>/g) ?? []).length).to.equal(2);
    for (const name of ["AdamW lr 0.003", "Lion lr 0.001"]) expect(html).to.contain(`class="series" data-name="${name}"`);
    expect(html).to.contain("<table>");
    const svg = fs.readFileSync(path.join(dir, "lion-vs-adamw-accuracy.svg"), "utf8");
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
  });

  it("lion-vs-adamw.ts --help lists its options", () => {
    const out = runExample("lion-vs-adamw", ["--help"]);
    for (const flag of ["--epochs", "--batch-size", "--subset", "--optimizers", "--ema"]) expect(out).to.contain(flag);
  });
});
