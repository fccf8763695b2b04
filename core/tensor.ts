/**
 * The Tensor: an n-dimensional float array (an `ndarray` view) plus what autograd needs
 * (`requiresGrad`, `grad`, and the tape node that produced it).
 *
 * Invariant kept by every constructor and op: `t.data` is contiguous row-major with offset 0,
 * and `t.data.data` is a Float32Array or Float64Array of exactly `t.size` elements. Kernels
 * can therefore loop over the raw typed array without index arithmetic.
 *
 * Ops are attached as methods in `core/ops/methods.ts` (x.add(y), x.sum({ axis: 1 }), ...),
 * which keeps this file free of op imports.
 */
import ndarray from "ndarray";
import { DType, FloatArray, allocate, dtypeOf } from "./dtype";
import { Shape, fmt, sizeOf, stridesOf } from "./shape";
import { formatTensor } from "./format";

/** The ndarray view underneath a tensor (`t.data`), from the npm package `ndarray`. @example const nd: NdArray = t.data; nd.get(0, 1) */
export type NdArray = ndarray.NdArray<FloatArray>;

/**
 * One recorded op (see autograd.ts, which builds and walks them): its name, its inputs, and how
 * to map the output's gradient to theirs. Declared here, with the tensors that point to it.
 */
export interface TapeNode {
  op: string;
  inputs: Tensor[];
  /**
   * Gradients for each input (null where an input needs none). Runs with grad mode off, except
   * under graph creation (`createGraph`), where it runs recording so its result can be differentiated.
   */
  backward: (gradOutput: Tensor) => (Tensor | null)[];
  /**
   * Whether `backward` is written with differentiable ops when recording is on. When false, the
   * engine refuses graph creation through this node ("<op>: second-order gradient not implemented").
   */
  differentiable: boolean;
}
/**
 * Options of `tensor.backward`.
 * @example loss.backward({ createGraph: true }); // x.grad is on the tape: x.grad.sum().backward() gives second derivatives
 */
export interface BackwardOptions {
  /** Record the backward pass itself, so the `.grad` it leaves can be differentiated again (PyTorch's create_graph). */
  createGraph?: boolean;
}
/** Nested JS arrays of numbers, as `tensor([[1, 2], [3, 4]])` takes them. @example const rows: NestedArray = [[1, 2], [3, 4]] */
export type NestedArray = number | NestedArray[];

let nextId = 1;

/** Options of `new Tensor(values, shape, opts)`. @example new Tensor(new Float32Array(4), [2, 2], { requiresGrad: true }) */
export interface TensorOptions {
  requiresGrad?: boolean;
  name?: string;
}

/**
 * An n-dimensional float32/float64 array that can take part in autograd. Create one with
 * `tensor()`, `zeros()`, `randn()`...; every op is also a method.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.square().sum().backward(); // x.grad = [[2, 4], [6, 8]]
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** Whether gradients flow to (a leaf) or through (an op result) this tensor. */
  requiresGrad: boolean;
  /** Accumulated gradient: set on leaves by `backward()`, summed across calls until reset. */
  grad: Tensor | null = null;
  name?: string;
  /** Unique id, used by `toDot` and error messages. */
  readonly id: number;
  /** The tape node that produced this tensor; null for leaves and for results computed without grad. */
  node: TapeNode | null = null;

  /** Low-level: wraps a contiguous typed array of `sizeOf(shape)` elements. Use `tensor()` instead. */
  constructor(values: FloatArray, shape: Shape, opts: TensorOptions = {}) {
    const size = sizeOf(shape);
    if (values.length !== size) {
      throw new Error(`Tensor: ${values.length} values do not fill shape ${fmt(shape)} (needs ${size})`);
    }
    this.shape = Object.freeze(shape.slice());
    this.size = size;
    this.dtype = dtypeOf(values);
    this.raw = values;
    this.requiresGrad = opts.requiresGrad ?? false;
    this.name = opts.name;
    this.id = nextId++;
  }

  /** The typed array itself (kernels read it; `values` is its public name). */
  private readonly raw: FloatArray;
  /** The ndarray view, made on first use of `data`: most tensors (op results on the tape) never need one. */
  private view: NdArray | undefined = undefined;

  /** The ndarray view underneath (contiguous, offset 0; shares memory, no copy). */
  get data(): NdArray {
    if (this.view === undefined) this.view = ndarray(this.raw, this.shape.slice(), stridesOf(this.shape), 0) as NdArray;
    return this.view;
  }

  /** The raw typed array (row-major, `size` elements). */
  get values(): FloatArray {
    return this.raw;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op (user-created tensors and parameters). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /**
   * Reverse-mode differentiation from this tensor. A scalar needs no seed (1 is used); any
   * other shape needs `gradient` of the same shape. Gradients **accumulate** into the `.grad`
   * of leaf tensors that require grad: calling `backward()` twice adds the two gradients
   * (zero them between steps with `optimizer.zeroGrad` or `t.grad = null`). Intermediate
   * results get no `.grad`; their gradients are freed when the pass ends. On the wasm backend a
   * parameter's gradient may live in a heap buffer of its own, which a later backward writes again
   * only after `optimizer.zeroGrad(params, { reuseBuffers: true })` or a `fit()` step released it
   * (core/gradient-buffer.ts).
   * @example const x = tensor([1, 2, 3], { requiresGrad: true }); x.mul(x).sum().backward(); x.grad // [2, 4, 6]
   */
  declare backward: (gradient?: Tensor | BackwardOptions, opts?: BackwardOptions) => void; // attached by autograd.ts (the tape), which imports Tensor

  /** A tensor sharing this one's data but cut from the graph (no grad, no node). */
  detach(): Tensor {
    return new Tensor(this.values, this.shape);
  }

  /** The value of a one-element tensor as a JS number. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${fmt(this.shape)} has ${this.size} elements, item() needs exactly 1`);
    return this.values[0];
  }

  /** Nested JS arrays (a number for a scalar), like `tensor.tolist()` in PyTorch. */
  toArray(): NestedArray {
    const v = this.values;
    const shape = this.shape;
    if (shape.length === 0) return v[0];
    let offset = 0;
    const build = (dim: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[dim]; i++) {
        if (dim === shape.length - 1) out.push(v[offset++]);
        else out.push(build(dim + 1));
      }
      return out;
    };
    return build(0);
  }

  /** A copy with its own storage, not connected to the graph. */
  clone(): Tensor {
    // allocate, not slice(): a big copy is then shared as any fresh big array (see dtype.ts)
    const out = allocate(this.dtype, this.size);
    out.set(this.values);
    return new Tensor(out, this.shape, { name: this.name });
  }

  /** The tensor printed as NumPy does, with its shape and dtype. @example String(tensor([1, 2])) // "tensor([1, 2], shape=[2], dtype=float32)" */
  toString(): string {
    return formatTensor(this);
  }

  // Node's console.log / util.inspect hook, by its registered symbol: no `util` import, so the
  // same file runs in a browser.
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }
}

/** Makes a tensor from an existing typed array without copying; the caller gives up ownership. */
export function fromArray(values: FloatArray, shape: Shape, opts?: TensorOptions): Tensor {
  return new Tensor(values, shape, opts);
}
