/**
 * Weight initializers (Glorot/Xavier, He/Kaiming, constants), as functions of a shape.
 *
 * Fans follow PyTorch's `_calculate_fan_in_and_fan_out`, with ndgrad's (= PyTorch's) weight
 * layouts, which differ from Keras's [in, out] kernels:
 *   - 2-D [out, in] (Linear):            fanIn = in,            fanOut = out
 *   - k-D [out, in, ...kernel] (Conv2d): fanIn = in · Πkernel,  fanOut = out · Πkernel
 *   - 1-D [n] (Keras's convention):      fanIn = fanOut = n;    0-D: fanIn = fanOut = 1
 * The normal variants draw from an untruncated normal, as PyTorch's `xavier_normal_` /
 * `kaiming_normal_` do (Keras truncates at 2σ and rescales).
 */
import { DType, checkDType } from "../core/dtype";
import { Tensor } from "../core";
import { Generator, generatorFor } from "../core/random";
import { Shape, checkShape, sizeOf } from "../core/shape";

/** Options of the initializers: a seed for a reproducible draw, and the dtype. @example nn.init.heNormal([64, 32], { seed: 0 }) */
export interface InitOptions {
  /** Seed for a fresh generator; without it the global one (`manualSeed`) is used. */
  seed?: number;
  dtype?: DType;
  /** Draw from this generator instead (layers pass theirs so weight and bias share one stream). */
  generator?: Generator;
}

/**
 * [fanIn, fanOut] of a weight of `shape` in the PyTorch layout (see the file header).
 * @example computeFans([16, 3, 3, 3]) // [27, 144]
 */
export function computeFans(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  const receptive = sizeOf(shape.slice(2));
  return [shape[1] * receptive, shape[0] * receptive];
}

function prepare(shape: Shape, opts: InitOptions, where: string): { s: number[]; gen: Generator; dtype: DType } {
  const s = checkShape(shape, where);
  const dtype = checkDType(opts.dtype ?? "float32", where);
  return { s, gen: opts.generator ?? generatorFor(opts.seed), dtype };
}

function positiveFan(fan: number, shape: Shape, where: string): number {
  if (!(fan > 0)) throw new Error(`${where}: shape [${shape.join(",")}] has a zero fan; every dimension must be positive`);
  return fan;
}

/**
 * Uniform on [-bound, bound). The building block of the uniform initializers.
 * @example uniform([3, 2], 0.5, { seed: 1 })
 */
export function uniform(shape: Shape, bound: number, opts: InitOptions = {}): Tensor {
  const { s, gen, dtype } = prepare(shape, opts, "init.uniform");
  if (!(bound >= 0) || !Number.isFinite(bound)) throw new Error(`init.uniform: bound must be a finite number >= 0, got ${bound}`);
  const t = new Tensor(dtype === "float64" ? new Float64Array(sizeOf(s)) : new Float32Array(sizeOf(s)), s);
  const v = t.values;
  for (let i = 0; i < v.length; i++) v[i] = (2 * gen.uniform() - 1) * bound;
  return t;
}

/**
 * Normal with mean 0 and standard deviation `std`.
 * @example normal([3, 2], 0.1, { seed: 1 })
 */
export function normal(shape: Shape, std: number, opts: InitOptions = {}): Tensor {
  const { s, gen, dtype } = prepare(shape, opts, "init.normal");
  if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`init.normal: std must be a finite number >= 0, got ${std}`);
  const t = new Tensor(dtype === "float64" ? new Float64Array(sizeOf(s)) : new Float32Array(sizeOf(s)), s);
  const v = t.values;
  for (let i = 0; i < v.length; i++) v[i] = gen.normal() * std;
  return t;
}

/**
 * Glorot (Xavier) uniform: U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)).
 * @example glorotUniform([64, 32], { seed: 0 }) // Linear(32, 64)-shaped weight
 */
export function glorotUniform(shape: Shape, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = computeFans(shape);
  return uniform(shape, Math.sqrt(6 / positiveFan(fanIn + fanOut, shape, "init.glorotUniform")), opts);
}

/**
 * Glorot (Xavier) normal: N(0, std²) with std = sqrt(2 / (fanIn + fanOut)).
 * @example glorotNormal([64, 32], { seed: 0 })
 */
export function glorotNormal(shape: Shape, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = computeFans(shape);
  return normal(shape, Math.sqrt(2 / positiveFan(fanIn + fanOut, shape, "init.glorotNormal")), opts);
}

/**
 * He (Kaiming) uniform for ReLU nets: U(-limit, limit) with limit = sqrt(6 / fanIn).
 * @example heUniform([16, 3, 3, 3], { seed: 0 }) // limit sqrt(6/27)
 */
export function heUniform(shape: Shape, opts: InitOptions = {}): Tensor {
  const [fanIn] = computeFans(shape);
  return uniform(shape, Math.sqrt(6 / positiveFan(fanIn, shape, "init.heUniform")), opts);
}

/**
 * He (Kaiming) normal: N(0, std²) with std = sqrt(2 / fanIn).
 * @example heNormal([128, 64], { seed: 0 })
 */
export function heNormal(shape: Shape, opts: InitOptions = {}): Tensor {
  const [fanIn] = computeFans(shape);
  return normal(shape, Math.sqrt(2 / positiveFan(fanIn, shape, "init.heNormal")), opts);
}

/**
 * PyTorch's default for Linear and Conv2d weights and biases: kaiming_uniform(a = √5), which
 * works out to U(-1/sqrt(fanIn), 1/sqrt(fanIn)). `fanIn` is the weight's, also for the bias.
 * @example torchDefault([10], 4) // a Linear(4, 10) bias
 */
export function torchDefault(shape: Shape, fanIn: number, opts: InitOptions = {}): Tensor {
  return uniform(shape, fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0, opts);
}

/** All zeros. @example zeros([3]) */
export function zeros(shape: Shape, opts: InitOptions = {}): Tensor {
  const { s, dtype } = prepare(shape, opts, "init.zeros");
  return new Tensor(dtype === "float64" ? new Float64Array(sizeOf(s)) : new Float32Array(sizeOf(s)), s);
}

/** All ones. @example ones([3]) */
export function ones(shape: Shape, opts: InitOptions = {}): Tensor {
  const t = zeros(shape, opts);
  t.values.fill(1);
  return t;
}
