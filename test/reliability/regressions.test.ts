/** Regression tests for bugs the reliability tests found (each also covered by fuzz/bad-input). */
import { expect } from "chai";
import * as nd from "../../core";

describe("reliability: regressions", () => {
  it("logsumexp over an empty axis is -Infinity (PyTorch), not NaN", () => {
    expect(nd.logsumexp(nd.zeros([0])).item()).to.equal(-Infinity);
    expect(Array.from(nd.logsumexp(nd.zeros([2, 0]), { axis: 1 }).values)).to.deep.equal([-Infinity, -Infinity]);
    expect(Array.from(nd.logsumexp(nd.zeros([0, 3]), { axis: 0, keepDims: true }).values)).to.deep.equal([-Infinity, -Infinity, -Infinity]);
  });
  it("a misspelled reduction option throws instead of reducing over every axis", () => {
    expect(() => nd.sum(nd.zeros([2, 3]), { axes: 1 } as never)).to.throw(/sum: unknown option "axes"/);
    expect(() => nd.mean(nd.zeros([2, 3]), { keepdims: true } as never)).to.throw(/mean: unknown option "keepdims"/);
  });
});
