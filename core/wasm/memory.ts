/**
 * The wasm kernels' memory: one shared `WebAssembly.Memory` and a small allocator that hands out
 * Float32Array / Int32Array views into it.
 *
 * Why one shared memory: the kernels read and write their operands in place, so a buffer that
 * lives here (a parameter, its gradient, an optimizer slot, a big activation) is never copied
 * in or out around a call, and every helper thread instantiates the same module on this same
 * memory, so they see the same buffers too. Being shared, the memory never detaches its views
 * when it grows (an ordinary wasm memory would): a view, once handed out, stays valid until freed.
 *
 * The allocator is first-fit over a sorted free list with coalescing; blocks are 16-byte
 * aligned and sized in multiples of 16 (f32x4 loads of a block never straddle its neighbour's
 * start). Memory grows when no free block fits; it never shrinks.
 *
 * @example
 * const heap = new WasmHeap();
 * const v = heap.alloc(1000);   // zero-filled Float32Array of 1000 elements, in wasm memory
 * heap.free(v);
 */

import { type WasmMemory, wasmApi } from "./webassembly";

const PAGE = 65536;
const ALIGN = 16;
/** The default maximum of a heap, in MiB (a shared memory reserves its maximum's address space up front). */
export const DEFAULT_MAXIMUM_MIB = 2048;

/** Options for a WasmHeap: sizes in MiB (the maximum bounds growth; shared memory needs one). */
export interface WasmHeapOptions {
  initialMiB?: number;
  maximumMiB?: number;
  /** Bytes at the bottom kept for the module's static data (its `heapBase()`); default 64 KiB. */
  reservedBytes?: number;
}

interface Block {
  start: number;
  size: number;
}

/**
 * A shared wasm memory plus its allocator (see the module comment).
 * @example const heap = new WasmHeap({ maximumMiB: 512 }); const g = heap.alloc(4096);
 */
export class WasmHeap {
  readonly memory: WasmMemory;
  private readonly free_: Block[] = [];
  private readonly used = new Map<number, number>();
  /** Every buffer object `memory.buffer` has returned: views made on any of them are ours. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private top: number;
  private readonly maxBytes: number;

  constructor(opts: WasmHeapOptions = {}) {
    const initialMiB = opts.initialMiB ?? 16,
      maximumMiB = opts.maximumMiB ?? DEFAULT_MAXIMUM_MIB;
    for (const [name, x] of [
      ["initialMiB", initialMiB],
      ["maximumMiB", maximumMiB],
    ] as const) {
      if (!Number.isInteger(x) || x < 1 || x > 4095) throw new Error(`WasmHeap: ${name} must be an integer in [1, 4095], got ${x}`);
    }
    if (initialMiB > maximumMiB) throw new Error(`WasmHeap: initialMiB ${initialMiB} exceeds maximumMiB ${maximumMiB}`);
    const reserved = opts.reservedBytes ?? 65536;
    if (!Number.isInteger(reserved) || reserved < 0 || reserved % ALIGN !== 0) {
      throw new Error(`WasmHeap: reservedBytes must be a non-negative multiple of ${ALIGN}, got ${reserved}`);
    }
    this.memory = new (wasmApi().Memory)({ initial: initialMiB * 16, maximum: maximumMiB * 16, shared: true });
    this.maxBytes = maximumMiB * 16 * PAGE;
    this.top = reserved;
    this.buffers.add(this.memory.buffer);
  }

  /** The current buffer (a new object after each growth; views on older ones stay valid). */
  get buffer(): SharedArrayBuffer {
    const b = this.memory.buffer as unknown as SharedArrayBuffer;
    this.buffers.add(b);
    return b;
  }

  /** Bytes currently handed out (block sizes, rounded up to 16). */
  get bytesInUse(): number {
    let s = 0;
    for (const size of this.used.values()) s += size;
    return s;
  }

  /** A zero-filled Float32Array of `n` elements in wasm memory, 16-byte aligned. */
  alloc(n: number): Float32Array {
    const at = this.allocBytes(n, "alloc"); // first: it may grow the memory (a new buffer object)
    return new Float32Array(this.buffer, at, n);
  }

  /** A zero-filled Int32Array of `n` elements in wasm memory (labels, indices). */
  allocInt32(n: number): Int32Array {
    const at = this.allocBytes(n, "allocInt32");
    return new Int32Array(this.buffer, at, n);
  }

  /** A copy of `src` in wasm memory. */
  fromArray(src: ArrayLike<number>): Float32Array {
    const v = this.alloc(src.length);
    v.set(src);
    return v;
  }

  /** Raw 16-byte-aligned bytes (the kernels' scratch); returns the byte address. */
  allocRaw(bytes: number): number {
    return this.allocBytes(bytes / 4, "allocRaw");
  }

  /** Returns a view's block to the free list. The view must be one `alloc` returned, not freed yet. */
  free(view: Float32Array | Int32Array): void {
    if (!this.owns(view)) throw new Error("WasmHeap.free: the array is not a view into this heap's memory");
    this.freeRaw(view.byteOffset);
  }

  /** Frees a block by its byte address (from `allocRaw`, or a view's byteOffset). */
  freeRaw(at: number): void {
    const size = this.used.get(at);
    if (size === undefined) throw new Error(`WasmHeap.free: no live block starts at byte ${at} (freed twice, or a subarray?)`);
    this.used.delete(at);
    // insert sorted, then merge with the neighbours it touches
    let i = 0;
    while (i < this.free_.length && this.free_[i].start < at) i++;
    this.free_.splice(i, 0, { start: at, size });
    if (i + 1 < this.free_.length && at + size === this.free_[i + 1].start) {
      this.free_[i].size += this.free_[i + 1].size;
      this.free_.splice(i + 1, 1);
    }
    if (i > 0 && this.free_[i - 1].start + this.free_[i - 1].size === at) {
      this.free_[i - 1].size += this.free_[i].size;
      this.free_.splice(i, 1);
    }
  }

  /** True when `view` lies in this heap's memory (so a kernel can read it in place). */
  owns(view: ArrayBufferView): boolean {
    return this.buffers.has(view.buffer);
  }

  private allocBytes(n: number, op: string): number {
    if (!Number.isInteger(n) || n < 0) throw new Error(`WasmHeap.${op}: size must be a non-negative integer, got ${n}`);
    const size = Math.max(ALIGN, Math.ceil((n * 4) / ALIGN) * ALIGN);
    let at = -1,
      recycled = false;
    for (let i = 0; i < this.free_.length; i++) {
      const b = this.free_[i];
      if (b.size < size) continue;
      at = b.start;
      recycled = true;
      if (b.size === size) this.free_.splice(i, 1);
      else {
        b.start += size;
        b.size -= size;
      }
      break;
    }
    if (at < 0) {
      const end = this.top + size;
      if (end > this.maxBytes) {
        throw new Error(
          `WasmHeap.${op}: ${n} elements need ${size} bytes above byte ${this.top}, beyond the maximum of ${this.maxBytes} bytes (raise maximumMiB)`,
        );
      }
      const have = this.memory.buffer.byteLength;
      if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
      at = this.top;
      this.top = end;
    }
    this.used.set(at, size);
    // a recycled block holds old data: zero it, as `new Float32Array(n)` would be (memory above
    // the old top has never been handed out, and wasm memory starts zeroed)
    if (recycled) new Uint8Array(this.buffer, at, size).fill(0);
    return at;
  }
}
