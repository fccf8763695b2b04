/**
 * README.md must tell the truth: every ```ts block in it is run as written (imports of "./..."
 * are pointed at this checkout, and it runs in a temporary directory so nothing is left behind).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";

const root = path.resolve(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe("README examples run as written", function () {
  this.timeout(120_000);
  it("has TypeScript examples", () => {
    expect(blocks.length).to.be.greaterThan(2);
  });
  blocks.forEach((code, i) => {
    const title = code.split("\n").find((l) => l.trim() && !l.startsWith("import"))?.trim().slice(0, 60);
    it(`block ${i + 1}: ${title}`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-readme-"));
      try {
        const file = path.join(dir, `block${i + 1}.ts`);
        const rewritten = code.replace(/from "\.\/([^"]*)"/g, (_, p) => `from ${JSON.stringify(path.join(root, p))}`);
        fs.writeFileSync(file, rewritten);
        const tsNode = path.join(root, "node_modules", "ts-node", "dist", "bin.js");
        execFileSync(process.execPath, [tsNode, "-T", "--project", path.join(root, "tsconfig.json"), file], { cwd: dir, stdio: "pipe", timeout: 110_000 });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
