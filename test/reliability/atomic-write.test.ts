/**
 * Crash-safe writes (nn/atomic-write.ts): a reader sees the old file or the new one, never a torn
 * one, even when the writer is SIGKILLed mid-write; a failed write leaves the old file and no
 * temporary file behind.
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileAtomic } from "../../nn/atomic-write";

/** Whole and consistent: the 4 MiB of one repeated byte that one version of the child writes. */
function isWholeVersion(bytes: Buffer): boolean {
  if (bytes.length !== 4 << 20) return false;
  const b = bytes[0];
  for (let i = 0; i < bytes.length; i += 4093) if (bytes[i] !== b) return false;
  return bytes[bytes.length - 1] === b;
}

describe("atomic file writes", function () {
  this.timeout(60000);
  let dir = "";
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-atomic-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes and replaces a file, leaving no temporary file", () => {
    const file = path.join(dir, "a.txt");
    writeFileAtomic(file, "one");
    writeFileAtomic(file, new Uint8Array([116, 119, 111]));
    expect(fs.readFileSync(file, "utf8")).to.equal("two");
    expect(fs.readdirSync(dir)).to.deep.equal(["a.txt"]);
  });

  it("a failed write (the target is a folder) names the path, keeps the old content and cleans up", () => {
    const target = path.join(dir, "taken");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "inside"), "old");
    expect(() => writeFileAtomic(target, "new")).to.throw(/^writeFileAtomic: could not write .*taken: /);
    expect(fs.readdirSync(dir)).to.deep.equal(["taken"]);
    expect(fs.readFileSync(path.join(target, "inside"), "utf8")).to.equal("old");
    expect(() => writeFileAtomic(path.join(dir, "missing-folder", "x"), "new")).to.throw(/could not write/);
  });

  it("a writer SIGKILLed at random moments never leaves a torn file (10 kills)", async () => {
    const file = path.join(dir, "big.bin");
    const child = path.join(__dirname, "atomic-write-child.ts");
    let seed = 99;
    for (let kill = 0; kill < 10; kill++) {
      const proc = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", child, file], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.once("data", () => resolve());
        proc.once("exit", (code) => reject(new Error(`child exited early with ${code}`)));
      });
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      await new Promise((r) => setTimeout(r, 5 + (seed % 120)));
      proc.kill("SIGKILL");
      await new Promise((r) => proc.once("exit", r));
      expect(isWholeVersion(fs.readFileSync(file)), `after kill ${kill + 1}`).to.equal(true);
    }
    // Temp files of killed writers may remain (hidden, next to the target); the target is never one of them.
    for (const name of fs.readdirSync(dir)) expect(name === "big.bin" || /^\.big\.bin\.\d+\.\d+\.tmp$/.test(name), name).to.equal(true);
  });
});
