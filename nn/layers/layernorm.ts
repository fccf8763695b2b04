/** LayerNorm: normalise over the trailing `features` axes, as PyTorch's nn.LayerNorm. */
import { Parameter, Tensor } from "../../core";
import { fmt } from "../../core/shape";
import { Module } from "../module";
import { ones, zeros } from "../init";
import { LayerOptions, checkInput, layerSetup, positiveInt } from "./common";
import { show } from "../../core/check";

/** `seed` is accepted for uniformity with the other layers; the initialisation is constant (weight 1, bias 0). */
export interface LayerNormOptions extends LayerOptions {
  /** Added to the (biased) variance before the square root (default 1e-5). */
  eps?: number;
  /** Learnable element-wise `weight` (init 1) and `bias` (init 0) of shape `features` (default true). */
  elementwiseAffine?: boolean;
}

/**
 * y = (x − mean) / sqrt(var + eps) · weight + bias, with mean and biased var over the last
 * `features.length` axes, which must equal `features`.
 * @example new LayerNorm(8).call(randn([4, 8])) // each row: mean 0, variance ≈ 1
 * @example new LayerNorm([3, 4]).call(randn([2, 3, 4]))
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(features: number | number[], opts: LayerNormOptions = {}) {
    super();
    const shape = typeof features === "number" ? [features] : features;
    if (!Array.isArray(shape) || shape.length === 0) {
      throw new Error(`LayerNorm: features must be a positive integer or a non-empty array of them, got ${show(features)}`);
    }
    shape.forEach((d) => positiveInt(d, "LayerNorm", "every features entry"));
    this.normalizedShape = shape.slice();
    const { dtype } = layerSetup("LayerNorm", opts, ["eps", "elementwiseAffine"]);
    const eps = opts.eps ?? 1e-5;
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`LayerNorm: eps must be a positive number, got ${show(opts.eps)}`);
    this.eps = eps;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(shape, { dtype }), { name: "weight" }) : null;
    this.bias = affine ? new Parameter(zeros(shape, { dtype }), { name: "bias" }) : null;
  }

  forward(x: Tensor): Tensor {
    checkInput(x, "LayerNorm", this.weight?.dtype);
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new Error(`LayerNorm: expected input ending in ${fmt(this.normalizedShape)}, got ${fmt(x.shape)}`);
    }
    const axes = { axis: Array.from({ length: k }, (_, i) => x.rank - k + i), keepDims: true };
    const centred = x.sub(x.mean(axes));
    let y = centred.div(centred.square().mean(axes).add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight); // broadcasts over the leading axes
    if (this.bias) y = y.add(this.bias);
    return y;
  }

  toString(): string {
    return `LayerNorm(${fmt(this.normalizedShape)}, eps=${this.eps})`;
  }
}
