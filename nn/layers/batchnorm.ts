/**
 * BatchNorm2d: per-channel normalisation of NCHW input, as PyTorch's nn.BatchNorm2d.
 *
 * Training: normalises with the batch statistics over (N, H, W) — the *biased* variance — and
 * updates the running statistics with `momentum` (new = (1 − m)·old + m·batch), where the
 * running variance takes the *unbiased* batch variance (× n/(n−1)), as PyTorch does.
 * Training is one fused core op (`batchNorm2dTrain` in core/ops/batchnorm.ts: per-channel
 * statistics, normalise, scale and shift in one kernel, closed-form backward); eval composes
 * core ops on the running statistics.
 */
import { Parameter, Tensor, noGrad } from "../../core";
import { batchNorm2dTrain } from "../../core/ops/batchnorm";
import { fmt } from "../../core/shape";
import { Module } from "../module";
import { ones, zeros } from "../init";
import { LayerOptions, checkInput, layerSetup, positiveInt } from "./common";
import { show } from "../../core/check";

/** `seed` is accepted for uniformity with the other layers; the initialisation is constant (weight 1, bias 0). */
export interface BatchNormOptions extends LayerOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Learnable per-channel scale `weight` (init 1) and shift `bias` (init 0) (default true). */
  affine?: boolean;
}

/**
 * Batch normalisation over channels of [N, C, H, W] input. State-dict names as PyTorch:
 * weight, bias, running_mean, running_var, num_batches_tracked.
 * @example const bn = new BatchNorm2d(16); bn.call(randn([8, 16, 4, 4])); bn.eval().call(x)
 */
export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  weight: Parameter | null;
  bias: Parameter | null;
  declare readonly running_mean: Tensor;
  declare readonly running_var: Tensor;
  /** Batches seen in training: integer state (PyTorch's int64), kept exact in a float64 scalar and saved as I64. */
  declare readonly num_batches_tracked: Tensor;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.numFeatures = positiveInt(numFeatures, "BatchNorm2d", "numFeatures");
    const { dtype } = layerSetup("BatchNorm2d", opts, ["eps", "momentum", "affine"]);
    const eps = opts.eps ?? 1e-5;
    const momentum = opts.momentum ?? 0.1;
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`BatchNorm2d: eps must be a positive number, got ${show(opts.eps)}`);
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
      throw new Error(`BatchNorm2d: momentum must be in [0, 1], got ${show(opts.momentum)}`);
    }
    this.eps = eps;
    this.momentum = momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype }), { name: "weight" }) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype }), { name: "bias" }) : null;
    this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
    this.registerBuffer("running_var", ones([numFeatures], { dtype }));
    this.registerBuffer("num_batches_tracked", zeros([], { dtype: "float64" }), { integer: true });
  }

  forward(x: Tensor): Tensor {
    checkInput(x, "BatchNorm2d", this.running_mean.dtype);
    const C = this.numFeatures;
    if (x.rank !== 4 || x.shape[1] !== C) {
      throw new Error(`BatchNorm2d: expected 4-D NCHW input with ${C} channels, got ${fmt(x.shape)}`);
    }
    const perChannel = [1, C, 1, 1];
    let y: Tensor;
    if (this.training) {
      const n = x.shape[0] * x.shape[2] * x.shape[3];
      if (n < 2) throw new Error(`BatchNorm2d: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`);
      const { out, mean, biasedVar } = batchNorm2dTrain(x, this.weight, this.bias, this.eps);
      noGrad(() => this.updateRunningStats(mean, biasedVar, n));
      return out;
    } else {
      const rm = this.running_mean.reshape(perChannel);
      const rv = this.running_var.reshape(perChannel);
      y = x.sub(rm).div(rv.add(this.eps).sqrt());
    }
    if (this.weight) y = y.mul(this.weight.reshape(perChannel));
    if (this.bias) y = y.add(this.bias.reshape(perChannel));
    return y;
  }

  private updateRunningStats(mean: ArrayLike<number>, biasedVar: ArrayLike<number>, n: number): void {
    const m = this.momentum;
    const rm = this.running_mean.values;
    const rv = this.running_var.values;
    const unbias = n / (n - 1);
    for (let c = 0; c < this.numFeatures; c++) {
      rm[c] = (1 - m) * rm[c] + m * mean[c];
      rv[c] = (1 - m) * rv[c] + m * biasedVar[c] * unbias;
    }
    this.num_batches_tracked.values[0] += 1;
  }

  toString(): string {
    return `BatchNorm2d(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum})`;
  }
}
