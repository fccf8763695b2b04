/** Helpers for the nn layer/loss/safetensors tests: fixture loading and tolerant comparison. */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Tensor, tensor } from "../../core";
import { DType } from "../../core/dtype";

export interface Blob {
  shape: number[];
  values: number[];
}

export function loadFixtures<T>(): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "torch-nn.json"), "utf8")) as T;
}

export function fromBlob(b: Blob, dtype: DType = "float32", requiresGrad = false): Tensor {
  return tensor(b.values, { shape: b.shape, dtype, requiresGrad });
}

/** Asserts same shape and |a − e| <= atol + rtol·|e| everywhere, naming the worst element. */
export function expectClose(actual: Tensor | null, expected: Blob, what: string, atol = 1e-5, rtol = 1e-5): void {
  expect(actual, `${what}: missing`).to.not.equal(null);
  const a = actual as Tensor;
  expect(a.shape, `${what}: shape`).to.deep.equal(expected.shape);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i];
    const ratio = Math.abs(a.values[i] - e) / (atol + rtol * Math.abs(e));
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (!(worstRatio <= 1)) {
    expect.fail(`${what}: element ${worst} is ${a.values[worst]}, expected ${expected.values[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}
