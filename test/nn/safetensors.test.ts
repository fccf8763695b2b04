/**
 * safetensors: bit-exact round trips, interchange with an independent writer/reader in both
 * directions (the Python fixture generator, and a minimal parser in this file that does not use
 * nn/safetensors.ts), save/loadWeights through the strict loadStateDict, and malformed files.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Tensor, randn, tensor } from "../../core";
import * as nn from "../../nn";
import { parseSafetensors, readSafetensorsMetadata, serializeSafetensors } from "../../nn/safetensors";
import { ndgradSample } from "../fixtures/write_ndgrad_safetensors";
import { Blob, loadFixtures } from "./nn-fixtures";

interface Fixtures {
  safetensors: {
    torchWritten: { file: string; metadata: Record<string, string>; tensors: Record<string, Blob & { dtype: string }> };
    ndgradWritten: null | { file: string; sha256: string; ok: boolean; problems: string[]; tensors: string[] };
  };
}
const fx = loadFixtures<Fixtures>().safetensors;
const fixtureDir = path.join(__dirname, "..", "fixtures");

/** A deliberately separate, minimal reader (DataView + JSON) to check what ndgrad writes. */
function independentParse(buf: Buffer): { header: Record<string, any>; values: Record<string, number[]> } {
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8"));
  const data = buf.subarray(8 + n);
  const values: Record<string, number[]> = {};
  for (const [name, e] of Object.entries<any>(header)) {
    if (name === "__metadata__") continue;
    const size = e.dtype === "F64" ? 8 : 4;
    const out: number[] = [];
    for (let off = e.data_offsets[0]; off < e.data_offsets[1]; off += size) {
      out.push(size === 8 ? data.readDoubleLE(off) : data.readFloatLE(off));
    }
    values[name] = out;
  }
  return { header, values };
}

/** Bit patterns, so NaN payloads and -0 count. */
const bits = (t: Tensor) => Array.from(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));

function tmpFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-st-")), name);
}

describe("safetensors", () => {
  it("round trip is bit-exact (NaN, ±0, ±Inf, subnormals, float64, scalars, empty)", () => {
    const record = {
      a: tensor([NaN, -0, 0, Infinity, -Infinity, 1e-45, 3.4e38, -1.5], { shape: [2, 4] }),
      b: new Tensor(Float64Array.from([Math.PI, 5e-324, -1e308]), [3]),
      s: tensor([7], { shape: [] }),
      e: new Tensor(new Float32Array(0), [0, 3]),
    };
    const buf = serializeSafetensors(record, { note: "hi" });
    const back = parseSafetensors(buf);
    expect(Object.keys(back)).to.deep.equal(["a", "b", "s", "e"]);
    for (const k of Object.keys(record) as (keyof typeof record)[]) {
      expect(back[k].shape).to.deep.equal(record[k].shape);
      expect(back[k].dtype).to.equal(record[k].dtype);
      expect(bits(back[k])).to.deep.equal(bits(record[k]));
    }
    expect(readSafetensorsMetadata(buf)).to.deep.equal({ note: "hi" });
  });

  it("header layout as the reference: u64 LE length, JSON padded with spaces to 8 bytes, contiguous data", () => {
    const bytes = serializeSafetensors({ w: tensor([1, 2, 3]), v: tensor([4], { dtype: "float64" }) });
    expect(bytes).to.be.instanceOf(Uint8Array);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).to.equal(0);
    const text = buf.subarray(8, 8 + n).toString("utf8");
    expect(text.startsWith("{")).to.equal(true);
    expect(/^[^ ]*\}( *)$/.test(text)).to.equal(true);
    const { header, values } = independentParse(buf);
    expect(header.w).to.deep.equal({ dtype: "F32", shape: [3], data_offsets: [0, 12] });
    expect(header.v).to.deep.equal({ dtype: "F64", shape: [1], data_offsets: [12, 20] });
    expect(buf.length).to.equal(8 + n + 20);
    expect(values).to.deep.equal({ w: [1, 2, 3], v: [4] });
  });

  it("reads the file written by the independent Python writer (struct + json)", () => {
    const buf = fs.readFileSync(path.join(fixtureDir, fx.torchWritten.file));
    const got = parseSafetensors(buf);
    expect(Object.keys(got).sort()).to.deep.equal(Object.keys(fx.torchWritten.tensors).sort());
    for (const [k, e] of Object.entries(fx.torchWritten.tensors)) {
      expect(got[k].dtype, k).to.equal(e.dtype === "F64" ? "float64" : "float32");
      expect(got[k].shape, k).to.deep.equal(e.shape);
      expect(Array.from(got[k].values), k).to.deep.equal(e.values);
    }
    expect(readSafetensorsMetadata(buf)).to.deep.equal(fx.torchWritten.metadata);
  });

  it("what ndgrad writes was read correctly by the Python reader (same bytes, verdict OK)", () => {
    const w = fx.ndgradWritten;
    expect(w, "run write_ndgrad_safetensors.ts, then the generator").to.not.equal(null);
    expect(w!.problems).to.deep.equal([]);
    expect(w!.ok).to.equal(true);
    const { tensors, metadata } = ndgradSample();
    const sha = crypto.createHash("sha256").update(serializeSafetensors(tensors, metadata)).digest("hex");
    expect(sha, "serializeSafetensors output changed since the Python check; regenerate").to.equal(w!.sha256);
  });

  it("saveWeights/loadWeights: a CNN with BatchNorm round-trips, readable by the independent parser", () => {
    const make = (seed: number) =>
      new nn.Sequential(new nn.Conv2d(1, 2, 3, { seed }), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8, 2, { seed: seed + 1 }));
    const a = make(1);
    a.call(randn([3, 1, 4, 4], { seed: 1 })); // move the running stats off their defaults
    const file = tmpFile("cnn.safetensors");
    nn.saveWeights(a, file);
    const { header, values } = independentParse(fs.readFileSync(file));
    expect(Object.keys(header).filter((k) => k !== "__metadata__")).to.deep.equal(Object.keys(a.stateDict()));
    expect(values["1.running_mean"]).to.deep.equal(Array.from(a.stateDict()["1.running_mean"].values));
    const b = make(10);
    nn.loadWeights(b, file);
    for (const [k, t] of Object.entries(a.stateDict())) expect(bits(b.stateDict()[k]), k).to.deep.equal(bits(t));
    const x = randn([2, 1, 4, 4], { seed: 5 });
    expect(Array.from(b.eval().call(x).values)).to.deep.equal(Array.from(a.eval().call(x).values));
  });

  it("loadWeights into a different architecture names the keys and changes nothing", () => {
    const file = tmpFile("mlp.safetensors");
    nn.saveWeights(new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1)), file);
    const wrong = new nn.Sequential(new nn.Linear(2, 3, { seed: 3 }), new nn.Linear(3, 1));
    const before = wrong.parameters().map((p) => Array.from(p.values));
    expect(() => nn.loadWeights(wrong, file)).to.throw(/missing keys \[1.weight, 1.bias\], unexpected keys \[2.weight, 2.bias\]/);
    const shapes = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1));
    expect(() => nn.loadWeights(shapes, file)).to.throw(/"0.weight" has shape \[3,2\] in the state dict but \[4,2\] in the model/);
    expect(wrong.parameters().map((p) => Array.from(p.values))).to.deep.equal(before);
    const bad = tmpFile("bad.safetensors");
    fs.writeFileSync(bad, Buffer.from("garbage"));
    expect(() => nn.loadWeights(wrong, bad)).to.throw(/loadWeights: .*bad.safetensors: safetensors: file is 7 bytes/);
  });

  describe("rejects malformed files with a clear error", () => {
    /** A file from a header object (or raw header text) and data bytes, padded like the reference. */
    const file = (header: unknown, data: Buffer = Buffer.alloc(0), lengthOverride?: bigint): Buffer => {
      let text = Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
      text = Buffer.concat([text, Buffer.alloc(-text.length & 7, 0x20)]);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(lengthOverride ?? BigInt(text.length));
      return Buffer.concat([len, text, data]);
    };
    const f32 = (n: number) => Buffer.alloc(4 * n);
    const cases: [string, Buffer, RegExp][] = [
      ["shorter than 8 bytes", Buffer.from([1, 2, 3]), /file is 3 bytes, too short for the 8-byte header length/],
      ["header length past the end", file({}, undefined, 4096n), /header length 4096 is larger than the \d+ bytes after the length prefix/],
      ["absurd header length", file({}, undefined, 1n << 62n), /header length 4611686018427387904 exceeds the 100000000-byte limit/],
      ["invalid JSON", file('{"a": [1, 2'), /header is not valid JSON/],
      ["header not an object", file("[1, 2]"), /header must be a JSON object/],
      [
        "offsets out of range",
        file({ a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }, f32(2)),
        /"a" data_offsets \[0, 16\] run past the end of the 8-byte data section/,
      ],
      [
        "overlapping offsets",
        file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }, f32(3)),
        /"b" data_offsets \[4,12\] overlap tensor "a"/,
      ],
      [
        "gap between tensors",
        file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } }, f32(3)),
        /"b" starts at byte 8 but tensor "a" ends at 4 \(offsets must be contiguous\)/,
      ],
      ["trailing bytes", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32(2)), /tensors cover 4 bytes of the 8-byte data section/],
      [
        "size not dtype x shape",
        file({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32(2)),
        /"a": F32 \[3\] needs 12 bytes but data_offsets \[0, 8\] hold 8/,
      ],
      [
        "huge shape (no float overflow)",
        file({ a: { dtype: "F64", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, f32(2)),
        /"a": F64 \[1099511627776,1099511627776\] needs 9671406556917033397649408 bytes but data_offsets \[0, 8\] hold 8/,
      ],
      ["unknown dtype", file({ a: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, f32(1)), /"a" has unknown dtype "F33"/],
      [
        "dtype ndgrad cannot hold",
        file({ a: { dtype: "F8_E5M2", shape: [8], data_offsets: [0, 8] } }, f32(2)),
        /"a" has dtype F8_E5M2, which ndgrad cannot load \(it reads F16, BF16, F32, F64, I64/,
      ],
      [
        "F16 size not 2 x shape",
        file({ a: { dtype: "F16", shape: [3], data_offsets: [0, 8] } }, f32(2)),
        /"a": F16 \[3\] needs 6 bytes but data_offsets \[0, 8\] hold 8/,
      ],
      [
        "I64 beyond 2^53",
        file({ a: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, Buffer.from([1, 0, 0, 0, 0, 0, 0x20, 0])),
        /"a" element 0 is 9007199254740993, beyond the ±2\^53/,
      ],
      [
        "BOOL byte other than 0 or 1",
        file({ a: { dtype: "BOOL", shape: [2], data_offsets: [0, 2] } }, Buffer.from([1, 2])),
        /"a" is BOOL but byte 1 of its data is 2/,
      ],
      [
        "header not UTF-8",
        Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x20])]),
        /header is not valid JSON/,
      ],
      ["shape not an array", file({ a: { dtype: "F32", shape: 4, data_offsets: [0, 16] } }, f32(4)), /"a" has an invalid shape 4/],
      ["entry not an object", file({ a: 5 }), /entry "a" must be an object, got 5/],
      ["__proto__ as a name", file('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', f32(1)), /"__proto__" is not allowed/],
      ["offsets reversed", file({ a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, f32(1)), /invalid data_offsets \[4,0\]/],
      ["fractional offsets", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4.5] } }, f32(1)), /invalid data_offsets/],
      ["negative shape", file({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32(1)), /"a" has an invalid shape \[-1\]/],
      [
        "zero-size tensor with huge dims is fine, but the tensors must still tile the data",
        file({ a: { dtype: "F64", shape: [2 ** 40, 0], data_offsets: [0, 0] } }, f32(1)),
        /tensors cover 0 bytes of the 4-byte data section/,
      ],
      ["bad metadata", file({ __metadata__: { n: 3 } }), /"__metadata__" value for "n" must be a string, got 3/],
    ];
    for (const [what, buf, message] of cases) {
      it(what, () => {
        expect(() => parseSafetensors(buf)).to.throw(Error, /^safetensors: /);
        expect(() => parseSafetensors(buf)).to.throw(message);
      });
    }
  });
});
