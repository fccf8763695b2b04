/** Parameter: a trainable, named tensor that optimizers update in place. */
import { DType, FloatArray } from "./dtype";
import { fmt, sameShape } from "./shape";
import { NdArray, NestedArray, Tensor } from "./tensor";
import { tensor } from "./creation";

export type Constraint = "nonNeg" | ((p: Tensor) => Tensor);

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
    const source = values instanceof Tensor ? values : tensor(values, { dtype: opts.dtype });
    const data = source instanceof Tensor && values instanceof Tensor ? source.values.slice() : source.values;
    const converted = opts.dtype && opts.dtype !== source.dtype
      ? (opts.dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data))
      : data;
    super(converted, source.shape, { requiresGrad: opts.trainable ?? true, name: opts.name ?? source.name });
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
