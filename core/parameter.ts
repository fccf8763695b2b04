/** Parameter: a trainable, named tensor that optimizers update in place. */
import { DType, FloatArray, isShared } from "./dtype";
import { PARALLEL_MIN_ELEMENTS } from "./kernels/threads";
import { allocateLongLived, getBackend, inWasmHeap } from "./backend";
import { fmt, sameShape } from "./shape";
import { NdArray, NestedArray, Tensor } from "./tensor";
import { tensor } from "./creation";
import { checkOptionKeys } from "./check";

/** A constraint applied to a parameter after each optimizer step: "nonNeg" (max(v, 0), Keras's NonNeg) or a function. @example new Parameter(w, { constraint: "nonNeg" }) */
export type Constraint = "nonNeg" | ((p: Tensor) => Tensor);

/** Options of `new Parameter(...)`. @example new Parameter(randn([3, 1]), { name: "w", trainable: true }) */
export interface ParameterOptions {
  name?: string;
  dtype?: DType;
  /** false: no gradient is computed and optimizers leave it alone (default true). */
  trainable?: boolean;
  /** Keras's float8 flag: the optimizer assigns the gradient itself to the variable. */
  overwriteWithGradient?: boolean;
  /** Applied after each optimizer update (Keras semantics: after EMA). */
  constraint?: Constraint;
}

/**
 * A leaf tensor that requires grad (unless `trainable: false`) and can be overwritten in place.
 * @example const w = new Parameter(randn([3, 2]), { name: "weight" }); w.assign(zeros([3, 2]));
 */
export class Parameter extends Tensor {
  trainable: boolean;
  overwriteWithGradient: boolean;
  constraint?: Constraint;

  constructor(values: Tensor | NestedArray | FloatArray | NdArray, opts: ParameterOptions = {}) {
    checkOptionKeys("Parameter", opts, ["name", "dtype", "trainable", "overwriteWithGradient", "constraint"]);
    const source = values instanceof Tensor ? values : tensor(values, { dtype: opts.dtype });
    const dtype = opts.dtype ?? source.dtype;
    // A parameter is long-lived: from PARALLEL_MIN_ELEMENTS on its values live in a
    // SharedArrayBuffer, so the threaded optimizer kernels can update it in place (a copy
    // goes through allocateLongLived, never slice(), which returns a plain array). On the wasm
    // backend a float32 parameter lives in the wasm heap, where the kernels update it in place.
    const big = source.size >= PARALLEL_MIN_ELEMENTS;
    let data: FloatArray = source.values;
    const toHeap = dtype === "float32" && source.size > 0 && getBackend() === "wasm" && !inWasmHeap(data);
    if (values instanceof Tensor || dtype !== source.dtype || (big && !isShared(data)) || toHeap) {
      data = allocateLongLived(dtype, source.size);
      data.set(source.values); // converts like Float32Array.from / Float64Array.from
    }
    super(data, source.shape, { requiresGrad: opts.trainable ?? true, name: opts.name ?? source.name });
    this.trainable = opts.trainable ?? true;
    this.overwriteWithGradient = opts.overwriteWithGradient ?? false;
    this.constraint = opts.constraint;
  }

  /**
   * Overwrites the values in place (no tape node; the graph of earlier uses is not updated).
   * @example p.assign([[0, 0], [0, 0]])
   */
  assign(values: Tensor | NestedArray): void {
    const src = values instanceof Tensor ? values : tensor(values, { dtype: this.dtype });
    if (!sameShape(src.shape, this.shape)) {
      throw new Error(`Parameter.assign${this.name ? ` (${this.name})` : ""}: shape ${fmt(src.shape)} does not match ${fmt(this.shape)}`);
    }
    this.values.set(src.values);
  }

  /** Applies the constraint (if any) in place. */
  applyConstraint(): void {
    if (!this.constraint) return;
    if (this.constraint === "nonNeg") {
      const v = this.values;
      for (let i = 0; i < v.length; i++) if (v[i] < 0) v[i] = 0;
    } else {
      this.assign(this.constraint(this));
    }
  }
}
