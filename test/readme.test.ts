/**
 * README.md must tell the truth: every ```ts and ```js block in it runs as written.
 * - ts blocks run under ts-node against this checkout's sources;
 * - js blocks named `// x.cjs` or `// x.mjs` run with plain Node against the built package
 *   (dist/, which `npm test` builds first), as a user's JavaScript would;
 * - the `// app.js` block (a web page's script) is bundled and run in Chromium by
 *   test/package/browser.test.ts.
 * Snippets import "ndgrad", which resolves inside this repository (the package refers to itself
 * through its exports map), so they are written to a scratch folder in the checkout and run with
 * a temporary working directory, so that nothing they write is left behind.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { readmeBlocks } from "./support/readme";

const root = path.resolve(__dirname, "..");
const blocks = readmeBlocks(root);

describe("README examples run as written", function () {
  this.timeout(120_000);
  let scratch = "";
  let cwd = "";
  before(() => {
    fs.mkdirSync(path.join(root, "scratch"), { recursive: true });
    scratch = fs.mkdtempSync(path.join(root, "scratch", "readme-"));
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-readme-"));
  });
  after(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('has TypeScript and JavaScript examples, each importing from "ndgrad"', () => {
    expect(blocks.filter((b) => b.lang === "ts").length).to.be.greaterThan(2);
    expect(blocks.filter((b) => b.file?.endsWith(".cjs")).length).to.be.greaterThan(0);
    expect(blocks.filter((b) => b.file?.endsWith(".mjs")).length).to.be.greaterThan(0);
    for (const b of blocks) {
      const specifiers = [...b.code.matchAll(/(?:from |require\()"([^"]+)"/g)].map((m) => m[1]);
      expect(
        specifiers.filter((s) => s.startsWith(".")),
        `a README block imports a relative path:\n${b.code}`,
      ).to.deep.equal([]);
    }
  });

  blocks.forEach((block, i) => {
    const title = block.code
      .split("\n")
      .find((l) => l.trim() && !l.startsWith("import") && !l.startsWith("//"))
      ?.trim()
      .slice(0, 60);
    if (block.lang === "js" && block.file === "app.js") return; // the browser test runs it
    it(`block ${i + 1} (${block.file ?? block.lang}): ${title}`, () => {
      if (block.lang === "ts") {
        const file = path.join(scratch, `block${i + 1}.ts`);
        fs.writeFileSync(file, block.code);
        const tsNode = path.join(root, "node_modules", "ts-node", "dist", "bin.js");
        execFileSync(process.execPath, ["--conditions=ndgrad-source", tsNode, "-T", "--project", path.join(root, "tsconfig.json"), file], {
          cwd,
          stdio: "pipe",
          timeout: 110_000,
        });
      } else {
        if (!block.file) throw new Error(`README js block ${i + 1} must start with a "// name.cjs" or "// name.mjs" comment`);
        const file = path.join(scratch, `block${i + 1}-${block.file}`);
        fs.writeFileSync(file, block.code);
        execFileSync(process.execPath, [file], { cwd, stdio: "pipe", timeout: 110_000, env: { ...process.env, NODE_OPTIONS: "" } });
      }
    });
  });
});
