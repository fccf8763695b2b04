/**
 * The wasm helper pool (core/wasm/pool.ts): a helper instantiates the same module on the same
 * shared memory and runs chunks of a job in place, taken from a shared counter with the caller;
 * before a helper is ready the caller runs every chunk, with the same result; misuse throws.
 */
import { expect } from "chai";
import { WasmPool } from "../../core/wasm/pool";
import { wasmKernels } from "../../core/wasm/loader";

/** relu over x → y in chunks of `size` elements. */
function chunks(x: Float32Array, y: Float32Array, size: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < x.length; s += size) out.push([x.byteOffset + s * 4, y.byteOffset + s * 4, Math.min(size, x.length - s)]);
  return out;
}

describe("wasm helper pool", function () {
  this.timeout(60000);

  it("helpers and the caller share the chunks on one memory; before a helper is ready the caller runs them all", () => {
    const k = wasmKernels(),
      n = 10001,
      half = 5000;
    expect(chunks(k.heap.alloc(0), k.heap.alloc(0), 1)).to.deep.equal([]);
    const x = k.heap.alloc(n),
      y1 = k.heap.alloc(n),
      y2 = k.heap.alloc(n);
    for (let i = 0; i < n; i++) x[i] = i % 3 === 0 ? -i : i;
    const pool = new WasmPool(k, 1);
    try {
      pool.run("reluF32", chunks(x, y1, half)); // straight after start-up: the helper is (almost surely) still loading
      expect(pool.waitReady(), "helper ready").to.equal(1);
      expect(pool.readyHelpers()).to.equal(1);
      pool.run("reluF32", chunks(x, y2, 97)); // 104 chunks shared by both threads
      // the helper takes part (retried: on a busy machine it may wake after the caller finished)
      const big = k.heap.alloc(1 << 21),
        bigOut = k.heap.alloc(1 << 21);
      for (let t = 0; t < 200 && pool.helperChunks() === 0; t++) pool.run("reluF32", chunks(big, bigOut, 1 << 15));
      expect(pool.helperChunks(), "chunks run by the helper").to.be.above(0);
      k.heap.free(big);
      k.heap.free(bigOut);
      for (let i = 0; i < n; i++) {
        const want = Math.max(x[i], 0);
        if (y1[i] !== want || y2[i] !== want) expect.fail(`y[${i}]: ${y1[i]}, ${y2[i]} vs ${want}`);
      }
    } finally {
      pool.terminate();
      for (const a of [x, y1, y2]) k.heap.free(a);
    }
  });

  it("rejects unknown kernels, ragged or too many chunks, and bad helper counts", () => {
    const k = wasmKernels();
    const pool = new WasmPool(k, 0);
    try {
      const x = k.heap.alloc(300);
      expect(() => pool.run("nope" as "reluF32", chunks(x, x, 2))).to.throw(/WasmPool.run: no kernel nope/);
      expect(() =>
        pool.run("reluF32", [
          [x.byteOffset, x.byteOffset, 2],
          [x.byteOffset, 1],
        ]),
      ).to.throw(/chunks must have the same number of arguments/);
      expect(() => pool.run("reluF32", chunks(x, x, 1))).to.throw(/WasmPool.run: 300 chunks, at most 256/);
      k.heap.free(x);
    } finally {
      pool.terminate();
    }
    expect(() => new WasmPool(k, -1)).to.throw(/WasmPool: helpers must be an integer in \[0, 15\], got -1/);
  });
});
