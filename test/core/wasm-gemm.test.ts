/**
 * The wasm GEMM (core/wasm/gemm.ts) against the JS GEMM (core/kernels/gemm.ts).
 *
 * Tolerance: the wasm kernel accumulates each element in float32 (f32x4), the JS one in double,
 * so they differ by summation only. Per element the float32 sum of k products is within
 * (k + 1)·u·Σ_p |a_ip·b_pj| of the exact one (u = 2^-24, the standard bound for recursive
 * summation), and the JS result is the exact sum rounded once (u·|c|); accumulate adds one more
 * rounding. A wrong, missing or doubled term is far outside that bound (checked below).
 *
 * And: results are the same bits run to run, and with 1 or 2 threads (rows split, columns split),
 * which is the second thread running the kernel on the same shared memory, in place.
 */
import { expect } from "chai";
import { gemm } from "../../core/kernels/gemm";
import { getNumThreads, setNumThreads } from "../../core/kernels/threads";
import { Generator } from "../../core/random";
import { gemmF32 } from "../../core/wasm/gemm";
import { wasmKernels } from "../../core/wasm/loader";
import { wasmPool } from "../../core/wasm/pool";

const heap = () => wasmKernels().heap;
const U = 2 ** -24;

interface Case {
  m: number;
  n: number;
  k: number;
  ta: boolean;
  tb: boolean;
  acc: boolean;
  pad: number;
  off: number;
}

function randomIn(gen: Generator, a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = gen.uniform() * 2 - 1;
  return a;
}

/** Runs one case on both GEMMs; returns the largest error as a fraction of its bound. */
function check(c: Case, gen: Generator): number {
  const { m, n, k, ta, tb, acc, pad, off } = c;
  const lda = (ta ? m : k) + pad,
    ldb = (tb ? k : n) + pad,
    ldc = n + pad;
  const aLen = off + (ta ? k : m) * lda,
    bLen = off + (tb ? n : k) * ldb,
    cLen = off + m * ldc + 5;
  const A = randomIn(gen, heap().alloc(aLen)),
    B = randomIn(gen, heap().alloc(bLen)),
    C = randomIn(gen, heap().alloc(cLen));
  const C0 = C.slice();
  const Cj = C.slice();
  gemmF32(A, off, lda, ta, B, off, ldb, tb, C, off, ldc, m, n, k, acc);
  gemm(A, off, lda, ta, B, off, ldb, tb, Cj, off, ldc, m, n, k, acc);
  let worst = 0;
  const at = (M: Float32Array, ld: number, t: boolean, r: number, q: number) => (t ? M[off + q * ld + r] : M[off + r * ld + q]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let absSum = 0;
      for (let p = 0; p < k; p++) absSum += Math.abs(at(A, lda, ta, i, p) * at(B, ldb, tb, p, j));
      const idx = off + i * ldc + j;
      const prior = acc ? Math.abs(C0[idx]) : 0;
      const bound = (k + 2) * U * (absSum + prior) + U * Math.abs(Cj[idx]) + 1e-30;
      worst = Math.max(worst, Math.abs(C[idx] - Cj[idx]) / bound);
    }
  }
  // nothing outside the m × n window moved (padding columns, the offset, the tail)
  for (let idx = 0; idx < cLen; idx++) {
    const r = Math.floor((idx - off) / ldc),
      q = idx - off - r * ldc;
    if (idx >= off && r < m && q < n) continue;
    if (!Object.is(C[idx], C0[idx])) expect.fail(`C[${idx}] outside the product changed (${JSON.stringify(c)})`);
  }
  for (const x of [A, B, C]) heap().free(x);
  return worst;
}

describe("wasm GEMM", function () {
  this.timeout(120000);

  it("matches the JS GEMM within the float32-summation bound: edges, transposes, strides, accumulate", () => {
    const gen = new Generator(11);
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 33, 64, 130];
    let worst = 0,
      cases = 0;
    for (let t = 0; t < 120; t++) {
      const pick = () => sizes[Math.floor(gen.uniform() * sizes.length)];
      const c: Case = {
        m: pick(),
        n: pick(),
        k: pick(),
        ta: gen.uniform() < 0.5,
        tb: gen.uniform() < 0.5,
        acc: gen.uniform() < 0.5,
        pad: Math.floor(gen.uniform() * 3),
        off: Math.floor(gen.uniform() * 5),
      };
      worst = Math.max(worst, check(c, gen));
      cases++;
    }
    // deeper than one k block (KC = 256), wider than one column block (NC = 1024), taller than MC = 128
    for (const c of [
      { m: 130, n: 20, k: 600, ta: false, tb: false, acc: false, pad: 0, off: 0 },
      { m: 9, n: 1030, k: 300, ta: true, tb: true, acc: true, pad: 1, off: 3 },
      { m: 200, n: 77, k: 257, ta: false, tb: true, acc: false, pad: 2, off: 1 },
    ]) {
      worst = Math.max(worst, check(c, gen));
      cases++;
    }
    expect(cases).to.equal(123);
    expect(worst, "largest error / bound").to.be.below(1);
  });

  it("the bound is tight enough to catch a wrong term", () => {
    // one product of 64 × 64 × 64 with a single element of A perturbed by one term's size
    const gen = new Generator(5),
      n = 64;
    const A = randomIn(gen, heap().alloc(n * n)),
      B = randomIn(gen, heap().alloc(n * n));
    const C = heap().alloc(n * n),
      Cj = new Float32Array(n * n);
    gemmF32(A, 0, n, false, B, 0, n, false, C, 0, n, n, n, n, false);
    A[0] += 0.5;
    gemm(A, 0, n, false, B, 0, n, false, Cj, 0, n, n, n, n, false);
    let absSum = 0;
    for (let p = 0; p < n; p++) absSum += Math.abs(A[p] * B[p * n]);
    expect(Math.abs(C[0] - Cj[0])).to.be.above((n + 2) * U * absSum * 10);
    for (const x of [A, B, C]) heap().free(x);
  });

  it("is deterministic run to run, and bit-identical with 1 and 2 threads (rows and columns split)", () => {
    const before = getNumThreads();
    const gen = new Generator(21);
    try {
      for (const [m, n, k, ta, tb] of [
        [203, 150, 131, false, true],
        [8, 2050, 130, true, false],
      ] as const) {
        const A = randomIn(gen, heap().alloc(m * k)),
          B = randomIn(gen, heap().alloc(k * n));
        const outs: Float32Array[] = [];
        for (const threads of [1, 1, 2, 2]) {
          setNumThreads(threads);
          if (threads === 2) expect(wasmPool().waitReady(), "helper ready").to.equal(1);
          const C = heap().alloc(m * n);
          gemmF32(A, 0, ta ? m : k, ta, B, 0, tb ? k : n, tb, C, 0, n, m, n, k, false);
          outs.push(C.slice());
          heap().free(C);
        }
        for (let r = 1; r < outs.length; r++) {
          for (let i = 0; i < outs[0].length; i++) {
            if (!Object.is(outs[r][i], outs[0][i])) expect.fail(`${m}×${n}×${k} run ${r}: C[${i}] ${outs[r][i]} vs ${outs[0][i]}`);
          }
        }
        heap().free(A);
        heap().free(B);
      }
    } finally {
      setNumThreads(before);
    }
  });

  it("rejects operands outside the wasm heap, too short, or with bad sizes, and writes nothing", () => {
    const A = heap().alloc(6),
      B = heap().alloc(6),
      C = heap().fromArray([1, 2, 3, 4]);
    expect(() => gemmF32(new Float32Array(6), 0, 3, false, B, 0, 2, false, C, 0, 2, 2, 2, 3, false)).to.throw(
      /gemmF32 \(wasm\): A must live in the wasm memory/,
    );
    expect(() => gemmF32(A, 1, 3, false, B, 0, 2, false, C, 0, 2, 2, 2, 3, false)).to.throw(/gemmF32 \(wasm\): A is 6 elements, too short for 2×3 at offset 1/);
    expect(() => gemmF32(A, 0, 2, false, B, 0, 2, false, C, 0, 2, 2, 2, 3, false)).to.throw(/A offset 0 \/ row stride 2 invalid for 2×3/);
    expect(() => gemmF32(A, 0, 3, false, B, 0, 2, false, C, 0, 2, 2, 2, 2.5, false)).to.throw(/gemmF32 \(wasm\): k must be a non-negative integer, got 2.5/);
    expect(Array.from(C)).to.deep.equal([1, 2, 3, 4]);
    for (const x of [A, B, C]) heap().free(x);
  });
});
