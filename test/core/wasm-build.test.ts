/**
 * core/wasm/kernels.wasm is built from core/wasm/asm/ by the pinned AssemblyScript compiler:
 * rebuilding it here must give the committed bytes exactly (so the committed file is never stale
 * or hand-made), and the module must validate, import only its shared memory, and keep its
 * static data below the 64 KiB the heap reserves.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildWasm } from "../../core/wasm/build";
import { compileKernels, kernelBytes, kernelPath, validateSimd, wasmKernels } from "../../core/wasm/loader";
import { wasmApi } from "../../core/wasm/webassembly";

describe("wasm kernels: the build", function () {
  this.timeout(180000);

  it("rebuilding from core/wasm/asm gives the committed kernels.wasm byte for byte", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-wasm-"));
    try {
      const out = path.join(dir, "kernels.wasm");
      buildWasm(out);
      const rebuilt = fs.readFileSync(out),
        committed = fs.readFileSync(kernelPath());
      expect(rebuilt.length, "size").to.equal(committed.length);
      expect(Buffer.compare(rebuilt, committed), "kernels.wasm is stale: run `npm run build:wasm` and commit it").to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("validates (SIMD, threads) and imports only env.memory", () => {
    expect(validateSimd()).to.equal(true);
    expect(validateSimd(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]))).to.equal(false);
    const mod = compileKernels(kernelBytes());
    expect(wasmApi().Module.imports(mod)).to.deep.equal([{ module: "env", name: "memory", kind: "memory" }]);
    const names = wasmApi()
      .Module.exports(mod)
      .map((e) => e.name);
    for (const k of ["lionF32", "adamF32", "sgdF32", "stageF32", "gemmF32", "reluF32", "softmaxCrossEntropyF32"]) expect(names).to.include(k);
    expect(wasmKernels().exports.heapBase()).to.be.at.most(65536);
  });

  it("its only data segments are constant and end below heapBase (every thread's instantiation rewrites them)", () => {
    const b = kernelBytes();
    let p = 8;
    const leb = (): number => {
      let r = 0,
        s = 0,
        x;
      do {
        x = b[p++];
        r |= (x & 127) << s;
        s += 7;
      } while (x & 128);
      return r >>> 0;
    };
    let end = 0;
    while (p < b.length) {
      const id = b[p++],
        size = leb(),
        next = p + size;
      if (id === 11) {
        for (let i = 0, count = leb(); i < count; i++) {
          expect(leb(), "segment kind: active, memory 0").to.equal(0);
          expect(b[p++], "i32.const offset").to.equal(0x41);
          const offset = leb();
          expect(b[p++], "end of offset expression").to.equal(0x0b);
          const len = leb();
          end = Math.max(end, offset + len);
          p += len;
        }
      }
      p = next;
    }
    expect(end).to.be.at.most(wasmKernels().exports.heapBase());
  });
});
