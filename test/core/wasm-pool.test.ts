/**
 * The wasm helper pool (core/wasm/pool.ts): a helper instantiates the same module on the same
 * shared memory and runs its slice of a job in place; a slice whose helper has not started yet
 * runs on the calling thread, with the same result; misuse throws.
 */
import { expect } from "chai";
import { WasmPool } from "../../core/wasm/pool";
import { wasmKernels } from "../../core/wasm/loader";

function job(x: Float32Array, y: Float32Array, half: number) {
  return [
    { fn: "reluF32" as const, args: [x.byteOffset, y.byteOffset, half] },
    { fn: "reluF32" as const, args: [x.byteOffset + half * 4, y.byteOffset + half * 4, x.length - half] },
  ];
}

describe("wasm helper pool", function () {
  this.timeout(60000);

  it("a helper runs its slice on the shared memory; before it is ready the caller runs it", () => {
    const k = wasmKernels(), n = 10001, half = 5000;
    const x = k.heap.alloc(n), y1 = k.heap.alloc(n), y2 = k.heap.alloc(n);
    for (let i = 0; i < n; i++) x[i] = i % 3 === 0 ? -i : i;
    const pool = new WasmPool(k, 1);
    try {
      pool.run(job(x, y1, half)); // straight after start-up: the helper is (almost surely) still loading
      expect(pool.waitReady(), "helper ready").to.equal(1);
      expect(pool.readyHelpers()).to.equal(1);
      pool.run(job(x, y2, half));
      for (let i = 0; i < n; i++) {
        const want = Math.max(x[i], 0);
        if (y1[i] !== want || y2[i] !== want) expect.fail(`y[${i}]: ${y1[i]}, ${y2[i]} vs ${want}`);
      }
    } finally {
      pool.terminate();
      for (const a of [x, y1, y2]) k.heap.free(a);
    }
  });

  it("rejects more calls than threads and bad helper counts", () => {
    const k = wasmKernels();
    const pool = new WasmPool(k, 0);
    try {
      const x = k.heap.alloc(4);
      expect(() => pool.run([...job(x, x, 2)])).to.throw(/WasmPool.run: 2 calls for 1 threads/);
      k.heap.free(x);
    } finally {
      pool.terminate();
    }
    expect(() => new WasmPool(k, -1)).to.throw(/WasmPool: helpers must be an integer in \[0, 15\], got -1/);
  });
});
