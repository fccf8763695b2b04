/**
 * Batch normalisation of NCHW input in training mode, as one core op (nn.BatchNorm2d checks the
 * input, calls it, and keeps the running statistics).
 */
import { allocate } from "../dtype";
import { Tensor } from "../tensor";
import { isGradEnabled, record } from "../autograd";
import { add, mul, pow, sub } from "./binary";
import { mean as channelMean, sum } from "./reduce"; // `mean` below names the batch statistics
import { reshape } from "./layout";
import { square } from "./unary";

/**
 * Training-mode batch norm of NCHW `x` with optional per-channel `weight` (γ) and `bias` (β), as
 * one op: per channel, the mean and the biased variance over (N, H, W) in double (two passes:
 * mean, then Σ(x − μ)², which stays accurate when |μ| ≫ σ), then y = (x − μ)·invstd·γ + β.
 * Backward is the standard closed form, with x̂ = (x − μ)·invstd and m = N·H·W:
 *   dβ = Σ g,   dγ = Σ g·x̂,   dx = γ·invstd/m · (m·g − Σ g − x̂·Σ g·x̂).
 * Recorded (higher order), the same closed form is composed of differentiable ops instead, the
 * statistics recomputed from x so that they are differentiated too.
 * Returns the output and the batch statistics (for the running averages).
 * @example const { out, mean, biasedVar } = batchNorm2dTrain(x, weight, bias, 1e-5)
 */
export function batchNorm2dTrain(
  x: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): { out: Tensor; mean: Float64Array; biasedVar: Float64Array } {
  const [N, C, H, W] = x.shape;
  const hw = H * W;
  const m = N * hw;
  const xv = x.values;
  const gamma = weight ? weight.values : null;
  const beta = bias ? bias.values : null;
  const mean = new Float64Array(C);
  const biasedVar = new Float64Array(C);
  const invstd = new Float64Array(C);
  const out = allocate(x.dtype, x.size);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * hw;
      for (let q = 0; q < hw; q++) s += xv[base + q];
    }
    const mu = s / m;
    let ss = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * hw;
      for (let q = 0; q < hw; q++) {
        const d = xv[base + q] - mu;
        ss += d * d;
      }
    }
    const v = ss / m;
    const is = 1 / Math.sqrt(v + eps);
    mean[c] = mu;
    biasedVar[c] = v;
    invstd[c] = is;
    // y = x·a + b with a = invstd·γ, b = β − μ·a: one multiply-add per element
    const a = gamma !== null ? is * gamma[c] : is;
    const b = (beta !== null ? beta[c] : 0) - mu * a;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * hw;
      for (let q = 0; q < hw; q++) out[base + q] = xv[base + q] * a + b;
    }
  }
  const inputs = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  const backward = (grad: Tensor): (Tensor | null)[] => {
    if (isGradEnabled()) return recordedBackward(grad, x, weight, bias, eps);
    const gv = grad.values;
    const dx = x.requiresGrad ? allocate(x.dtype, x.size) : null;
    const dGamma = weight && weight.requiresGrad ? allocate(weight.dtype, C) : null;
    const dBeta = bias && bias.requiresGrad ? allocate(bias.dtype, C) : null;
    for (let c = 0; c < C; c++) {
      const mu = mean[c];
      const is = invstd[c];
      let sg = 0;
      let sgx = 0; // Σ g·(x − μ); Σ g·x̂ = sgx·invstd
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * hw;
        for (let q = 0; q < hw; q++) {
          const g = gv[base + q];
          sg += g;
          sgx += g * (xv[base + q] - mu);
        }
      }
      const sgxh = sgx * is;
      if (dBeta !== null) dBeta[c] = sg;
      if (dGamma !== null) dGamma[c] = sgxh;
      if (dx !== null) {
        // dx = k·(g − Σg/m − x̂·Σgx̂/m), k = γ·invstd
        const k = (gamma !== null ? gamma[c] : 1) * is;
        const meanG = sg / m;
        const coef = (sgxh * is) / m; // multiplies (x − μ): x̂·Σgx̂/m = (x − μ)·invstd·Σgx̂/m
        for (let n = 0; n < N; n++) {
          const base = (n * C + c) * hw;
          for (let q = 0; q < hw; q++) dx[base + q] = k * (gv[base + q] - meanG - (xv[base + q] - mu) * coef);
        }
      }
    }
    const res: (Tensor | null)[] = [dx && new Tensor(dx, x.shape)];
    if (weight) res.push(dGamma && new Tensor(dGamma, weight.shape));
    if (bias) res.push(dBeta && new Tensor(dBeta, bias.shape));
    return res;
  };
  const y = record("batchNorm2d", inputs, new Tensor(out, x.shape), backward, true);
  return { out: y, mean, biasedVar };
}

/**
 * The backward of batchNorm2dTrain as recorded ops (graph creation): with x̂ = (x − μ)·invstd,
 * dx = γ·invstd·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ g·x̂, dβ = Σ g, means and sums per channel.
 */
function recordedBackward(grad: Tensor, x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): (Tensor | null)[] {
  const C = x.shape[1];
  const perChannel = { axis: [0, 2, 3], keepDims: true };
  const xc = sub(x, channelMean(x, perChannel));
  const invstd = pow(add(channelMean(square(xc), perChannel), eps), -0.5);
  const xhat = mul(xc, invstd);
  const scale = weight ? mul(reshape(weight, [1, C, 1, 1]), invstd) : invstd;
  const res: (Tensor | null)[] = [
    x.requiresGrad ? mul(scale, sub(sub(grad, channelMean(grad, perChannel)), mul(xhat, channelMean(mul(grad, xhat), perChannel)))) : null,
  ];
  if (weight) res.push(weight.requiresGrad ? reshape(sum(mul(grad, xhat), { axis: [0, 2, 3] }), weight.shape) : null);
  if (bias) res.push(bias.requiresGrad ? reshape(sum(grad, { axis: [0, 2, 3] }), bias.shape) : null);
  return res;
}
