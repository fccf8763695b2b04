/**
 * PyTorch interop: files PyTorch wrote (test/fixtures/interop, made by gen_interop_fixtures.py
 * with Debian's python3-torch) load into ndgrad and give PyTorch's eval outputs, in F32, F16 and
 * BF16 with an I64 num_batches_tracked; every dtype ndgrad reads decodes to PyTorch's values;
 * float16/bfloat16 rounding is nearest-even (checked exhaustively over all 65,536 bit patterns);
 * and ndgrad's files load into PyTorch with strict=True (run when PyTorch is installed, else
 * skipped with the reason).
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Tensor, noGrad } from "../../core";
import * as nn from "../../nn";
import { readSafetensorsEntries, serializeSafetensors } from "../../nn/safetensors";
import { halfToNumber, numberToBfloat16, numberToHalf } from "../../nn/safetensors-dtypes";

const dir = path.join(__dirname, "..", "fixtures", "interop");
const fx = JSON.parse(fs.readFileSync(path.join(dir, "interop.json"), "utf8"));
const num = (v: number | string): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));
const same = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);

/** The interop architecture (test/fixtures/interop/model.py) in ndgrad. */
function build(dtype: "float32" | "float64"): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1, dtype }),
    new nn.BatchNorm2d(4, { dtype }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear(4 * 5 * 5, 3, { dtype }),
  );
}
function evalOn(model: nn.Module, dtype: "float32" | "float64"): number[] {
  const x = fx.input;
  const values = dtype === "float64" ? Float64Array.from(x.values.map(num)) : Float32Array.from(x.values.map(num));
  return Array.from(noGrad(() => model.eval().call(new Tensor(values, x.shape))).values);
}
function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-interop-"));
}

describe("PyTorch interop (safetensors)", () => {
  for (const name of ["F32", "F16", "BF16"]) {
    const m = fx.models[name];
    it(`a PyTorch ${name} file with an I64 num_batches_tracked loads and gives PyTorch's eval output`, () => {
      const bytes = fs.readFileSync(path.join(dir, m.file));
      const entries = readSafetensorsEntries(bytes);
      expect(Object.fromEntries(entries.map((e) => [e.name, e.dtype]))).to.deep.equal(m.dtypes);
      const expected: number[] = m.output.values.map(num);
      // float64: the stored values convert exactly, so only the arithmetic's rounding separates us.
      const m64 = build("float64");
      nn.loadWeights(m64, path.join(dir, m.file));
      const bn = (m64 as unknown as Record<string, nn.BatchNorm2d>)["1"];
      expect(bn.num_batches_tracked.item()).to.equal(m.numBatchesTracked);
      evalOn(m64, "float64").forEach((y, i) => expect(Math.abs(y - expected[i]), `float64 output ${i}`).to.be.below(1e-12));
      // float32: the same weights (exact for F16/BF16), float32 arithmetic.
      const m32 = build("float32");
      nn.loadWeights(m32, path.join(dir, m.file));
      evalOn(m32, "float32").forEach((y, i) => expect(Math.abs(y - expected[i]), `float32 output ${i}`).to.be.below(1e-5 * (1 + Math.abs(expected[i]))));
    });
  }

  it("every dtype ndgrad reads decodes to PyTorch's values (F16/BF16 edge values, I64 to ±2^53, BOOL, U8, ...)", () => {
    const entries = readSafetensorsEntries(fs.readFileSync(path.join(dir, fx.dtypes.file)));
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    for (const [name, want] of Object.entries<any>(fx.dtypes.tensors)) {
      const got = byName[name];
      expect(got, name).to.not.equal(undefined);
      expect(got.dtype, name).to.equal(want.dtype);
      expect(got.tensor.shape, name).to.deep.equal(want.shape);
      expect(got.tensor.dtype, name).to.equal(want.dtype === "F64" || (!want.dtype.startsWith("F") && want.dtype !== "BF16") ? "float64" : "float32");
      const values = Array.from(got.tensor.values);
      values.forEach((v, i) => expect(same(v, num(want.values[i])), `${name}[${i}]: ${v} vs ${want.values[i]}`).to.equal(true));
    }
  });

  it("float16 encoding: all 65,536 bit patterns round-trip, and every midpoint rounds to the even neighbour", () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = halfToNumber(h);
      if (Number.isNaN(v)) {
        expect(Number.isNaN(halfToNumber(numberToHalf(v)))).to.equal(true);
        continue;
      }
      expect(numberToHalf(v), `0x${h.toString(16)}`).to.equal(h);
      const next = h + 1;
      if ((h & 0x7fff) >= 0x7bff) continue; // the top finite value and beyond: overflow is tested below
      const w = halfToNumber(next);
      const mid = (v + w) / 2; // exact in double
      const even = (h & 1) === 0 ? h : next;
      expect(numberToHalf(mid), `midpoint of 0x${h.toString(16)}`).to.equal(even);
      // Just off the midpoint goes to the nearer one.
      expect(numberToHalf(mid + (w - v) / 1024)).to.equal(next);
      expect(numberToHalf(mid - (w - v) / 1024)).to.equal(h);
    }
    expect(numberToHalf(65519.99)).to.equal(0x7bff);
    expect(numberToHalf(65520)).to.equal(0x7c00); // the tie above 65504 rounds to even: Infinity
    expect(numberToHalf(-1e9)).to.equal(0xfc00);
    expect(numberToHalf(2 ** -25)).to.equal(0); // half the smallest subnormal: tie to even (0)
    expect(numberToHalf(-(2 ** -25) * 1.0001)).to.equal(0x8001);
  });

  it("bfloat16 encoding: round to nearest even, as the float32 bit trick (PyTorch's) gives", () => {
    const f = new Float32Array(1),
      u = new Uint32Array(f.buffer);
    let s = 12345;
    for (let i = 0; i < 200000; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      u[0] = i < 100 ? (0x3f800000 + (i << 15)) >>> 0 : s; // some exact ties first, then random bit patterns
      const x = f[0];
      if (Number.isNaN(x)) continue;
      const bits = u[0];
      const trick = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
      expect(numberToBfloat16(x), `0x${bits.toString(16)}`).to.equal(trick);
    }
    expect(numberToBfloat16(NaN) & 0x7fc0).to.equal(0x7fc0);
    expect(numberToBfloat16(-0)).to.equal(0x8000);
  });

  it("saveWeights({ dtype }) stores F16/BF16/F32 (num_batches_tracked as I64) and loads back to the rounded values", () => {
    const model = build("float32");
    nn.loadWeights(model, path.join(dir, fx.models.F32.file));
    const d = tmpDir();
    for (const [dtype, code] of [
      ["float16", "F16"],
      ["bfloat16", "BF16"],
      ["float32", "F32"],
    ] as const) {
      const file = path.join(d, `${dtype}.safetensors`);
      nn.saveWeights(model, file, { dtype });
      const entries = readSafetensorsEntries(fs.readFileSync(file));
      for (const e of entries) expect(e.dtype, e.name).to.equal(e.name.endsWith("num_batches_tracked") ? "I64" : code);
      const back = build("float32");
      nn.loadWeights(back, file);
      const sd = model.stateDict(),
        got = back.stateDict();
      const round =
        dtype === "float16"
          ? (v: number) => halfToNumber(numberToHalf(v))
          : dtype === "bfloat16"
            ? (v: number) => {
                const b = new Uint32Array([numberToBfloat16(v) << 16]);
                return new Float32Array(b.buffer)[0];
              }
            : (v: number) => v;
      for (const k of Object.keys(sd))
        Array.from(sd[k].values).forEach((v, i) => expect(same(got[k].values[i], round(v)), `${dtype} ${k}[${i}]`).to.equal(true));
    }
    fs.rmSync(d, { recursive: true, force: true });
  });

  it("integer state: a fractional or negative num_batches_tracked is rejected and nothing changes", () => {
    const model = build("float32");
    const sd = model.stateDict();
    const before = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, Array.from(t.values)]));
    const bad = { ...sd, "1.num_batches_tracked": new Tensor(Float64Array.of(2.5), []) };
    expect(() => model.loadStateDict(bad)).to.throw(/loadStateDict: "1.num_batches_tracked" is an integer counter but element 0 is 2.5/);
    for (const [k, t] of Object.entries(model.stateDict())) expect(Array.from(t.values), k).to.deep.equal(before[k]);
    expect(() => serializeSafetensors({ n: new Tensor(Float64Array.of(0.5), []) }, {}, { dtypes: { n: "I64" } })).to.throw(
      /"n" is written as I64 but element 0 is 0.5/,
    );
  });

  describe("ndgrad's files load into PyTorch with strict=True", function () {
    this.timeout(120000);
    const python = process.env.NDGRAD_PYTHON ?? "/usr/bin/python3";
    const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
    const hasTorch = probe.status === 0;
    before(function () {
      if (!hasTorch) {
        console.log(`      (skipped: PyTorch is not importable by ${python}; apt-get install python3-torch to run this check)`);
        this.skip();
      }
    });
    for (const [dtype, code] of [
      ["float32", "F32"],
      ["float16", "F16"],
      ["bfloat16", "BF16"],
    ] as const) {
      it(`${dtype}: PyTorch loads the file (I64 counter, ${code} floats) and gives ndgrad's eval output`, () => {
        const model = build("float32");
        nn.loadWeights(model, path.join(dir, fx.models.F32.file));
        const d = tmpDir();
        const file = path.join(d, "ndgrad.safetensors");
        nn.saveWeights(model, file, { dtype });
        const inputFile = path.join(d, "input.json");
        fs.writeFileSync(inputFile, JSON.stringify(fx.input));
        const r = spawnSync(python, [path.join(dir, "check_ndgrad_file.py"), file, inputFile, code], {
          encoding: "utf8",
          env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
        });
        expect(r.status, r.stderr).to.equal(0);
        const out = JSON.parse(r.stdout);
        expect(out.problems).to.deep.equal([]);
        expect(out.numBatchesTracked).to.equal(fx.models.F32.numBatchesTracked);
        // ndgrad in float64 on the same stored values.
        const m64 = build("float64");
        nn.loadWeights(m64, file);
        evalOn(m64, "float64").forEach((y, i) => expect(Math.abs(y - out.output[i]), `output ${i}`).to.be.below(1e-12));
        fs.rmSync(d, { recursive: true, force: true });
      });
    }
  });
});
