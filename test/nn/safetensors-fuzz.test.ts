/**
 * safetensors reader fuzz: random truncations and byte flips of real files (a PyTorch-written
 * model and every-dtype file, and ndgrad's own output). Every mutant either parses into tensors
 * that match its header, or is rejected with an `Error` whose message starts "safetensors:"
 * (never a RangeError/TypeError from a typed array, never a hang); `loadWeights` of a rejected
 * mutant leaves the model exactly as it was. `NDGRAD_FUZZ_RUNS` raises the count.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as nn from "../../nn";
import { parseSafetensors } from "../../nn/safetensors";

const dir = path.join(__dirname, "..", "fixtures", "interop");
const RUNS = Number(process.env.NDGRAD_FUZZ_RUNS ?? 400);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(src: Uint8Array, r: () => number): { bytes: Uint8Array; what: string } {
  const kind = Math.floor(r() * 4);
  if (kind === 0) {
    const len = Math.floor(r() * src.length);
    return { bytes: src.slice(0, len), what: `truncated to ${len}` };
  }
  const bytes = src.slice();
  const flips = 1 + Math.floor(r() * 4);
  const where: number[] = [];
  for (let i = 0; i < flips; i++) {
    // Half the flips land in the first 8 + header bytes, where they matter most.
    const headerEnd = Math.min(bytes.length, 8 + Number(new DataView(src.buffer, src.byteOffset).getBigUint64(0, true)));
    const at = r() < 0.5 ? Math.floor(r() * headerEnd) : Math.floor(r() * bytes.length);
    bytes[at] = kind === 1 ? bytes[at] ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256);
    where.push(at);
  }
  if (kind === 3 && r() < 0.5) return { bytes: bytes.slice(0, bytes.length - 1 - Math.floor(r() * 16)), what: `bytes ${where} changed, then truncated` };
  return { bytes, what: `bytes ${where} changed` };
}

describe(`safetensors fuzz: ${RUNS} random truncations and byte flips per file`, function () {
  this.timeout(120000);
  const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.Flatten(), new nn.Linear(100, 3));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-fuzz-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const sources: [string, Uint8Array][] = [
    ["model-F32", fs.readFileSync(path.join(dir, "model-F32.safetensors"))],
    ["model-BF16", fs.readFileSync(path.join(dir, "model-BF16.safetensors"))],
    ["dtypes", fs.readFileSync(path.join(dir, "dtypes.safetensors"))],
    ["ndgrad F16", nn.saveWeightsBytes(model, { dtype: "float16" })],
  ];
  sources.forEach(([name, src], k) => {
    it(`${name}: every mutant parses consistently or is rejected with "safetensors: ..."`, () => {
      const r = rng(1000 + k);
      let rejected = 0;
      for (let run = 0; run < RUNS; run++) {
        const { bytes, what } = mutate(src, r);
        try {
          const out = parseSafetensors(bytes);
          for (const t of Object.values(out)) expect(t.values.length, what).to.equal(t.shape.reduce((a, b) => a * b, 1));
        } catch (e) {
          rejected++;
          if (!(e instanceof Error) || !/^safetensors: /.test(e.message) || e.constructor !== Error) {
            expect.fail(`${name}, ${what}: expected a "safetensors: ..." Error, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
          }
        }
      }
      expect(rejected, "most mutants of a header-heavy file are invalid").to.be.above(RUNS / 4);
    });
  });

  it("loadWeights of a rejected mutant changes nothing in the model (no partial load)", () => {
    const src = fs.readFileSync(path.join(dir, "model-F32.safetensors"));
    const r = rng(7);
    const file = path.join(tmp, "mutant.safetensors");
    const snapshot = () => JSON.stringify(Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.values)]));
    const before = snapshot();
    let rejected = 0;
    for (let run = 0; run < Math.min(RUNS, 200); run++) {
      const { bytes } = mutate(src, r);
      fs.writeFileSync(file, bytes);
      try {
        parseSafetensors(bytes);
        continue; // a valid mutant (flipped data bytes) is a different but well-formed file
      } catch {
        rejected++;
      }
      expect(() => nn.loadWeights(model, file)).to.throw(/^loadWeights: .*safetensors: /);
      expect(snapshot()).to.equal(before);
    }
    expect(rejected).to.be.above(0);
  });
});
