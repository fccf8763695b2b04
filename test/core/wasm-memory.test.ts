/**
 * The wasm heap (core/wasm/memory.ts): one shared WebAssembly.Memory with a first-fit,
 * coalescing allocator. Views are 16-byte aligned and zero-filled, freed blocks are reused,
 * neighbours merge, growth keeps every earlier view valid (a shared memory never detaches),
 * and misuse throws.
 */
import { expect } from "chai";
import { WasmHeap } from "../../core/wasm/memory";
import { instantiateKernels, compileKernels } from "../../core/wasm/loader";

describe("wasm heap", () => {
  it("hands out aligned, zero-filled, non-overlapping views in a shared memory", () => {
    const heap = new WasmHeap({ initialMiB: 1, maximumMiB: 64 });
    expect(heap.buffer).to.be.instanceOf(SharedArrayBuffer);
    const views = [1, 3, 4, 5, 100, 0].map((n) => heap.alloc(n));
    for (const v of views) {
      expect(v.byteOffset % 16).to.equal(0);
      expect(heap.owns(v)).to.equal(true);
      v.fill(7);
    }
    const sorted = [...views].sort((a, b) => a.byteOffset - b.byteOffset);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].byteOffset).to.be.at.least(sorted[i - 1].byteOffset + Math.max(16, sorted[i - 1].byteLength));
    expect(views[0].byteOffset, "the reserved 64 KiB stay free").to.be.at.least(65536);
    expect(heap.owns(new Float32Array(4))).to.equal(false);
  });

  it("reuses freed blocks (zeroed again), merges neighbours, and grows keeping old views valid", () => {
    const heap = new WasmHeap({ initialMiB: 1, maximumMiB: 64 });
    const a = heap.alloc(100),
      b = heap.alloc(100),
      c = heap.alloc(100);
    a.fill(1);
    b.fill(2);
    c.fill(3);
    heap.free(a);
    heap.free(b);
    const ab = heap.alloc(200); // fits only in a and b merged
    expect(ab.byteOffset).to.equal(a.byteOffset);
    expect(ab.every((x) => x === 0)).to.equal(true);
    const big = heap.alloc(3 << 20); // 12 MiB: the memory grows
    expect(heap.buffer.byteLength).to.be.at.least(12 << 20);
    big[big.length - 1] = 5;
    c[0] = 9; // a view made before the growth still reads and writes the same memory
    expect(new Float32Array(heap.buffer, c.byteOffset, 1)[0]).to.equal(9);
    expect(heap.owns(c) && heap.owns(big)).to.equal(true);
    const used = heap.bytesInUse;
    heap.free(big);
    heap.free(c);
    heap.free(ab);
    expect(heap.bytesInUse).to.equal(0);
    expect(used).to.equal(200 * 4 + 400 + (3 << 22));
  });

  it("a kernel instance on the heap reads and writes the views in place", () => {
    const heap = new WasmHeap({ initialMiB: 1, maximumMiB: 16 });
    const k = instantiateKernels(compileKernels(), heap);
    const x = heap.fromArray([-1, 2, -3, 4, 5]),
      y = heap.alloc(5);
    k.exports.reluF32(x.byteOffset, y.byteOffset, 5);
    expect(Array.from(y)).to.deep.equal([0, 2, 0, 4, 5]);
  });

  it("rejects bad sizes, foreign arrays, double frees and growth past the maximum", () => {
    const heap = new WasmHeap({ initialMiB: 1, maximumMiB: 2 });
    expect(() => heap.alloc(-1)).to.throw(/WasmHeap.alloc: size must be a non-negative integer, got -1/);
    expect(() => heap.alloc(NaN)).to.throw(/got NaN/);
    expect(() => heap.alloc(1 << 20)).to.throw(/WasmHeap.alloc: 1048576 elements need 4194304 bytes .* beyond the maximum of 2097152 bytes/);
    expect(() => heap.free(new Float32Array(4))).to.throw(/not a view into this heap's memory/);
    const v = heap.alloc(8);
    heap.free(v);
    expect(() => heap.free(v)).to.throw(/no live block starts at byte \d+ \(freed twice/);
    expect(() => new WasmHeap({ maximumMiB: 0 })).to.throw(/WasmHeap: maximumMiB must be an integer in \[1, 4095\], got 0/);
    expect(() => new WasmHeap({ initialMiB: 8, maximumMiB: 4 })).to.throw(/initialMiB 8 exceeds maximumMiB 4/);
    expect(heap.bytesInUse).to.equal(0);
  });
});
