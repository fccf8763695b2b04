/**
 * The one elementwise dispatch (core/kernels/elementwise.ts): the kernel for the arrays' dtype
 * runs, mixed dtypes run nothing, a big shared pass split over threads gives the same bits as
 * one thread, and a kernel pair must be named ...F32 / ...F64.
 */
import { expect } from "chai";
import { parallelSized, perDtype, runElementwise } from "../../core/kernels/elementwise";
import { PARALLEL_MIN_ELEMENTS, getNumThreads, setNumThreads, threadStats, waitForThreads } from "../../core/kernels/threads";
import { allocateShared } from "../../core/dtype";
import { AXPY, axpyF32, axpyF64 } from "../support/thread-kernels";

describe("runElementwise", () => {
  it("runs the float32 kernel on Float32Arrays and the float64 one on Float64Arrays", () => {
    const y32 = Float32Array.of(1, 2),
      x32 = Float32Array.of(0.1, 0.2);
    expect(runElementwise(AXPY, [y32, x32], [3, true])).to.equal(true);
    expect(Array.from(y32)).to.deep.equal([Math.fround(1 + 3 * Math.fround(0.1)), Math.fround(2 + 3 * Math.fround(0.2))]);
    expect(Array.from(x32)).to.deep.equal([-Math.fround(0.1), -Math.fround(0.2)]);
    const y64 = Float64Array.of(1, 2),
      x64 = Float64Array.of(0.1, 0.2);
    expect(runElementwise(AXPY, [y64, x64], [3, false])).to.equal(true);
    expect(Array.from(y64)).to.deep.equal([1 + 3 * 0.1, 2 + 3 * 0.2]);
  });

  it("returns false and changes nothing when the arrays mix dtypes or are not typed arrays", () => {
    const y = Float32Array.of(1, 2),
      x = Float64Array.of(5, 6);
    expect(runElementwise(AXPY, [y, x], [1, true])).to.equal(false);
    expect(runElementwise(AXPY, [Float64Array.of(1), [2]], [1, true])).to.equal(false);
    expect(Array.from(y)).to.deep.equal([1, 2]);
    expect(Array.from(x)).to.deep.equal([5, 6]);
  });

  it("splits a big shared pass over the threads with the bits of one direct call", () => {
    const n = PARALLEL_MIN_ELEMENTS + 12345;
    expect(parallelSized(n)).to.equal(true);
    expect(parallelSized(PARALLEL_MIN_ELEMENTS - 1)).to.equal(false);
    const y = allocateShared("float64", n) as Float64Array,
      x = allocateShared("float64", n) as Float64Array;
    for (let i = 0; i < n; i++) {
      y[i] = Math.sin(i);
      x[i] = Math.cos(i) / 3;
    }
    const yRef = y.slice(),
      xRef = x.slice();
    axpyF64(yRef, xRef, 0.37, true);
    const initial = getNumThreads();
    setNumThreads(2);
    try {
      expect(waitForThreads()).to.equal(1, "the helper thread did not start");
      const before = threadStats.jobs;
      runElementwise(AXPY, [y, x], [0.37, true]);
      expect(threadStats.jobs).to.be.greaterThan(before);
    } finally {
      setNumThreads(initial);
    }
    expect(Buffer.from(y.buffer).equals(Buffer.from(yRef.buffer))).to.equal(true);
    expect(Buffer.from(x.buffer).equals(Buffer.from(xRef.buffer))).to.equal(true);
  });

  it("perDtype needs one ...F32 and one ...F64 kernel, named by their export", () => {
    const k = perDtype("/some/module.js", { axpyF32, axpyF64 });
    expect(k.f32.name).to.equal("axpyF32");
    expect(k.f64.name).to.equal("axpyF64");
    expect(k.f64.module).to.equal("/some/module.js");
    expect(() => perDtype("/m.js", { axpyF32 })).to.throw("perDtype: expected two kernels named ...F32 and ...F64, got axpyF32 (module /m.js)");
  });
});
