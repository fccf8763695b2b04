/**
 * Every op as a Tensor method (x.add(y), x.sum({ axis: 1 }), ...), attached by module
 * augmentation plus prototype assignment, so that tensor.ts needs no op imports (the TF.js
 * chained-ops pattern). Imported for its side effect by core/index.ts.
 */
import { Tensor } from "../tensor";
import { TensorLike } from "./operand";
import * as unary from "./unary";
import * as binary from "./binary";
import * as select from "./select";
import * as reduce from "./reduce";
import * as layout from "./layout";
import * as sm from "./softmax";
import { dropout } from "./dropout";
import { matmul } from "./matmul";
import { conv2d, Conv2dOptions } from "./conv";
import { maxPool2d, avgPool2d, Pool2dOptions } from "./pool";

declare module "../tensor" {
  interface Tensor {
    add(y: TensorLike): Tensor;
    sub(y: TensorLike): Tensor;
    mul(y: TensorLike): Tensor;
    div(y: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    maximum(y: TensorLike): Tensor;
    minimum(y: TensorLike): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    softplus(): Tensor;
    gelu(opts?: { approximate?: "none" | "tanh" }): Tensor;
    clip(min: number | null, max: number | null): Tensor;
    equal(y: TensorLike): Tensor;
    notEqual(y: TensorLike): Tensor;
    greater(y: TensorLike): Tensor;
    greaterEqual(y: TensorLike): Tensor;
    less(y: TensorLike): Tensor;
    lessEqual(y: TensorLike): Tensor;
    sum(opts?: reduce.ReduceOptions): Tensor;
    mean(opts?: reduce.ReduceOptions): Tensor;
    max(opts?: reduce.ReduceOptions): Tensor;
    min(opts?: reduce.ReduceOptions): Tensor;
    logsumexp(opts?: reduce.ReduceOptions): Tensor;
    reshape(shape: readonly number[]): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    flatten(startAxis?: number): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    slice(begin: readonly number[], size: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    dropout(p: number, training: boolean, opts?: { seed?: number }): Tensor;
    matmul(b: Tensor): Tensor;
    conv2d(w: Tensor, b?: Tensor | null, opts?: Conv2dOptions): Tensor;
    maxPool2d(k: number | [number, number], opts?: Pool2dOptions): Tensor;
    avgPool2d(k: number | [number, number], opts?: Pool2dOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.add = function (y) { return binary.add(this, y); };
P.sub = function (y) { return binary.sub(this, y); };
P.mul = function (y) { return binary.mul(this, y); };
P.div = function (y) { return binary.div(this, y); };
P.pow = function (e) { return binary.pow(this, e); };
P.maximum = function (y) { return binary.maximum(this, y); };
P.minimum = function (y) { return binary.minimum(this, y); };
P.neg = function () { return unary.neg(this); };
P.exp = function () { return unary.exp(this); };
P.log = function () { return unary.log(this); };
P.sqrt = function () { return unary.sqrt(this); };
P.abs = function () { return unary.abs(this); };
P.square = function () { return unary.square(this); };
P.tanh = function () { return unary.tanh(this); };
P.sigmoid = function () { return unary.sigmoid(this); };
P.relu = function () { return unary.relu(this); };
P.softplus = function () { return unary.softplus(this); };
P.gelu = function (opts) { return unary.gelu(this, opts); };
P.clip = function (lo, hi) { return select.clip(this, lo, hi); };
P.equal = function (y) { return select.equal(this, y); };
P.notEqual = function (y) { return select.notEqual(this, y); };
P.greater = function (y) { return select.greater(this, y); };
P.greaterEqual = function (y) { return select.greaterEqual(this, y); };
P.less = function (y) { return select.less(this, y); };
P.lessEqual = function (y) { return select.lessEqual(this, y); };
P.sum = function (opts) { return reduce.sum(this, opts); };
P.mean = function (opts) { return reduce.mean(this, opts); };
P.max = function (opts) { return reduce.max(this, opts); };
P.min = function (opts) { return reduce.min(this, opts); };
P.logsumexp = function (opts) { return reduce.logsumexp(this, opts); };
P.reshape = function (shape) { return layout.reshape(this, shape); };
P.transpose = function (perm) { return layout.transpose(this, perm); };
P.flatten = function (startAxis) { return layout.flatten(this, startAxis); };
P.squeeze = function (axis) { return layout.squeeze(this, axis); };
P.unsqueeze = function (axis) { return layout.unsqueeze(this, axis); };
P.slice = function (begin, size) { return layout.slice(this, begin, size); };
P.broadcastTo = function (shape) { return layout.broadcastTo(this, shape); };
P.softmax = function (axis) { return sm.softmax(this, axis); };
P.logSoftmax = function (axis) { return sm.logSoftmax(this, axis); };
P.dropout = function (p, training, opts) { return dropout(this, p, training, opts); };
P.matmul = function (b) { return matmul(this, b); };
P.conv2d = function (w, b, opts) { return conv2d(this, w, b ?? undefined, opts); };
P.maxPool2d = function (k, opts) { return maxPool2d(this, k, opts); };
P.avgPool2d = function (k, opts) { return avgPool2d(this, k, opts); };
