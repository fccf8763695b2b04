/**
 * The packed package works in an empty project with no TypeScript tooling: `require` from a
 * .cjs file, `import` from an .mjs file (each training a few Lion steps, helper threads
 * included), a .ts file type-checked by plain `tsc`, and Node's own error for a deep import.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { installPackedNdgrad, root } from "../support/packed";

/** Trains y = x·[1, -2, 0.5] with Lion for 30 steps; prints the first and last loss and the helpers. */
const TRAIN = `
const x = randn([256, 3], { seed: 0 });
const y = x.matmul(tensor([[1], [-2], [0.5]]));
const w = new Parameter(randn([3, 1], { seed: 1 }), { name: "w" });
const opt = new optim.Lion({ learningRate: 0.05 });
const losses = [];
for (let step = 0; step < 30; step++) {
  const loss = x.matmul(w).sub(y).square().mean();
  losses.push(loss.item());
  loss.backward(); opt.step([w]); opt.zeroGrad([w]);
}
// helper threads start from the installed dist/ (kernels are loaded by path)
const helpers = waitForThreads();
const big = randn([256, 256], { seed: 2 }).matmul(randn([256, 256], { seed: 3 }));
console.log(JSON.stringify({ first: losses[0], last: losses[losses.length - 1], helpers, big: big.shape, lion: typeof nn.Linear }));
`;

function run(dir: string, file: string): { first: number; last: number; helpers: number; big: number[] } {
  const out = execFileSync(process.execPath, [file], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NDGRAD_THREADS: "2", NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("the packed package, installed into an empty project", function () {
  this.timeout(300_000);
  let dir = "";
  before(() => {
    dir = installPackedNdgrad().dir;
  });

  it("ships dist/, README and LICENSE only, with no TypeScript sources", () => {
    const pkgDir = path.join(dir, "node_modules", "ndgrad");
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else files.push(path.relative(pkgDir, p));
      }
    };
    walk(pkgDir);
    expect(files).to.include.members([
      "package.json",
      "README.md",
      "LICENSE",
      "dist/cjs/index.js",
      "dist/cjs/index.d.ts",
      "dist/esm/index.mjs",
      "dist/browser/index.js",
    ]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.endsWith(".d.mts"))).to.deep.equal([]);
    expect(files.every((f) => f.startsWith("dist/") || ["package.json", "README.md", "LICENSE"].includes(f))).to.equal(true);
  });

  it("require('ndgrad') from a .cjs file trains with Lion, helper threads included", () => {
    fs.writeFileSync(path.join(dir, "train.cjs"), `const { tensor, randn, Parameter, optim, nn, waitForThreads } = require("ndgrad");\n${TRAIN}`);
    const r = run(dir, "train.cjs");
    expect(r.last).to.be.lessThan(r.first * 0.5);
    expect(r.helpers).to.equal(1, "the helper thread did not start from dist/");
    expect(r.big).to.deep.equal([256, 256]);
  });

  it("import { tensor, nn, optim } from 'ndgrad' in an .mjs file trains with Lion, one copy of the library", () => {
    fs.writeFileSync(
      path.join(dir, "train.mjs"),
      `import { tensor, nn, optim, randn, Parameter, waitForThreads, Tensor } from "ndgrad";\n` +
        `import { Lion } from "ndgrad/optim";\nimport { createRequire } from "module";\n` +
        `const required = createRequire(import.meta.url)("ndgrad");\n` +
        `if (Lion !== optim.Lion || required.Tensor !== Tensor) throw new Error("two copies of ndgrad");\n${TRAIN}`,
    );
    const r = run(dir, "train.mjs");
    expect(r.last).to.be.lessThan(r.first * 0.5);
    expect(r.helpers).to.equal(1);
  });

  it("a .ts file using the types type-checks with plain tsc (strict, no @types/node)", () => {
    fs.writeFileSync(
      path.join(dir, "train.ts"),
      [
        `import { tensor, nn, optim, Tensor, Parameter } from "ndgrad";`,
        `import type { LinearOptions } from "ndgrad/nn";`,
        `const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));`,
        `const opt: optim.Lion = new optim.Lion({ learningRate: 1e-3, weightDecay: 0.1 });`,
        `const x: Tensor = tensor([[0, 1], [1, 0]]);`,
        `const loss: Tensor = model.call(x).square().mean();`,
        `loss.backward();`,
        `const params: Parameter[] = model.parameters();`,
        `opt.step(params);`,
        `const options: LinearOptions = { bias: false };`,
        `export const shown: string = String(options) + loss.item().toFixed(3);`,
        // a wrong call must not type-check: the types are real, not `any`
        `// @ts-expect-error learningRate is a number or a schedule, not a string`,
        `new optim.Lion({ learningRate: "fast" });`,
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "nodenext", strict: true, skipLibCheck: false, types: [], noEmit: true },
        files: ["train.ts"],
      }),
    );
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
    expect(r.stdout + r.stderr).to.equal("");
    expect(r.status).to.equal(0);
  });

  it("a deep import into dist/ gets Node's own 'not exported' error", () => {
    const r = spawnSync(process.execPath, ["-e", `require("ndgrad/dist/cjs/core/tensor.js")`], { cwd: dir, encoding: "utf8" });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
