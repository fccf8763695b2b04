/**
 * Intra-op threads (core/kernels/threads.ts): GEMM, matmul, linear and conv2d give bit-identical
 * results with 1 and 2 threads (with the main thread sharing the work, and with the helper doing
 * all of it), elementwise kernels split across threads, SharedArrayBuffer-backed tensors work
 * through ops, gradients and safetensors, and a process with live helpers exits on its own.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { gemm } from "../../core/kernels/gemm";
import { getNumThreads, parallelFor, setNumThreads, threadStats, threadTesting, waitForThreads } from "../../core/kernels/threads";
import { allocate, allocateShared, DType, FloatArray, isShared, SHARED_MIN_BYTES } from "../../core/dtype";
import { Generator } from "../../core/random";
import { Tensor } from "../../core/tensor";
import { matmul } from "../../core/ops/matmul";
import { linear } from "../../core/ops/linear";
import { conv2d } from "../../core/ops/conv";
import { parseSafetensors, serializeSafetensors } from "../../nn/safetensors";
import { AXPY_F32, axpyF32 } from "../support/thread-kernels";
import { getBackend, setBackend } from "../../core/backend";

function fill(a: FloatArray, seed: number): FloatArray {
  const gen = new Generator(seed);
  for (let i = 0; i < a.length; i++) a[i] = gen.uniform() * 2 - 1;
  return a;
}
function randomArray(dtype: DType, n: number, seed: number, shared = false): FloatArray {
  return fill(shared ? allocateShared(dtype, n) : dtype === "float64" ? new Float64Array(n) : new Float32Array(n), seed);
}
function rand(shape: number[], seed: number, opts: { dtype?: DType; grad?: boolean; shared?: boolean } = {}): Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  return new Tensor(randomArray(opts.dtype ?? "float32", n, seed, opts.shared), shape, { requiresGrad: opts.grad ?? false });
}
const bits = (a: FloatArray): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

/** Runs `f` single-threaded, then threaded (main + helper), then with the helper doing everything. */
function threeWays<T>(f: () => T): { one: T; two: T; helper: T } {
  setNumThreads(1);
  const one = f();
  setNumThreads(2);
  expect(waitForThreads()).to.equal(1, "the helper thread did not start");
  const two = f();
  threadTesting.helperOnly = true;
  const before = threadStats.joined;
  try {
    const helper = f();
    expect(threadStats.joined).to.be.greaterThan(before, "no job went to the helper");
    return { one, two, helper };
  } finally {
    threadTesting.helperOnly = false;
  }
}

// The JavaScript kernels' helper threads: on the js backend (the wasm GEMM's threads are
// tested in wasm-gemm.test.ts and backend-gemm.test.ts).
describe("threads (js backend)", function () {
  this.timeout(120000);
  const initial = getNumThreads();
  const initialBackend = getBackend();
  before(() => setBackend("js"));
  after(() => {
    setNumThreads(initial);
    setBackend(initialBackend);
  });

  it("GEMM is bit-identical with 1 and 2 threads (shapes, transposes, accumulate, offsets, dtypes, shared or not)", () => {
    const cases: [number, number, number][] = [
      [64, 128, 784],
      [128, 784, 64],
      [301, 257, 190],
      [37, 1100, 41],
      [200, 9, 700],
    ];
    for (const dtype of ["float32", "float64"] as DType[]) {
      for (const [m, n, k] of cases) {
        for (const [transA, transB, acc, shared] of [
          [false, false, false, false],
          [true, false, true, true],
          [false, true, false, true],
          [true, true, true, false],
        ]) {
          const lda = (transA ? m : k) + 3,
            ldb = (transB ? k : n) + 1,
            ldc = n + 2;
          const A = randomArray(dtype, 5 + (transA ? k : m) * lda, 1, shared);
          const B = randomArray(dtype, 7 + (transB ? n : k) * ldb, 2, shared);
          const C0 = randomArray(dtype, 4 + m * ldc, 3, shared);
          const run = (): string => {
            const C = C0.slice();
            gemm(A, 5, lda, transA, B, 7, ldb, transB, C, 4, ldc, m, n, k, acc);
            return bits(C);
          };
          const r = threeWays(run);
          const what = `${dtype} ${m}x${n}x${k} tA=${transA} tB=${transB} acc=${acc} shared=${shared}`;
          expect(r.two, what).to.equal(r.one);
          expect(r.helper, what).to.equal(r.one);
        }
      }
    }
  });

  it("matmul, linear and conv2d (forward and gradients) are bit-identical with 1 and 2 threads", () => {
    const run = (): string[] => {
      const a = rand([3, 70, 96], 1, { grad: true }),
        b = rand([96, 150], 2, { grad: true });
      const y = matmul(a, b);
      y.sum().backward();
      const x = rand([64, 784], 3, { grad: true }),
        w = rand([128, 784], 4, { grad: true }),
        bias = rand([128], 5, { grad: true });
      const h = linear(x, w, bias);
      h.mul(h).sum().backward();
      const xi = rand([4, 8, 20, 20], 6, { grad: true }),
        wc = rand([16, 8, 3, 3], 7, { grad: true });
      const c = conv2d(xi, wc, null, { padding: 1 });
      c.mul(c).sum().backward();
      return [y, a.grad!, b.grad!, h, x.grad!, w.grad!, bias.grad!, c, xi.grad!, wc.grad!].map((t) => bits(t.values));
    };
    const r = threeWays(run);
    expect(r.two).to.deep.equal(r.one);
    expect(r.helper).to.deep.equal(r.one);
  });

  it("splits elementwise kernels over shared arrays, bit-identically; runs them whole otherwise", () => {
    const n = (1 << 21) + 13;
    const run = (shared: boolean): string[] => {
      const y = randomArray("float32", n, 1, shared) as Float32Array,
        x = randomArray("float32", n, 2, shared) as Float32Array;
      parallelFor(AXPY_F32, [y, x], [0.37, true], n);
      return [bits(y), bits(x)];
    };
    const y = randomArray("float32", n, 1) as Float32Array,
      x = randomArray("float32", n, 2) as Float32Array;
    axpyF32(y, x, 0.37, true);
    const expected = [bits(y), bits(x)];
    const r = threeWays(() => run(true));
    expect(r.one).to.deep.equal(expected);
    expect(r.two).to.deep.equal(expected);
    expect(r.helper).to.deep.equal(expected);
    const jobs = threadStats.jobs;
    expect(run(false)).to.deep.equal(expected); // not shared: one call on the main thread
    expect(threadStats.jobs).to.equal(jobs);
  });

  it("allocate backs only large arrays by a SharedArrayBuffer, and shared tensors work everywhere", () => {
    expect(isShared(allocate("float32", 1000))).to.equal(false);
    const big = allocate("float32", SHARED_MIN_BYTES / 4);
    expect(isShared(big)).to.equal(true);
    expect(big).to.be.instanceOf(Float32Array);
    expect(isShared(big.slice(0, 4))).to.equal(false);
    const t = rand([40, 30], 9, { shared: true, grad: true });
    expect(isShared(t.values)).to.equal(true);
    const y = t.mul(t).sum();
    y.backward();
    expect(Array.from(t.grad!.values)).to.deep.equal(Array.from(t.values, (v) => Math.fround(2 * v)));
    expect(Array.from(t.data.get(0, 1) === t.values[1] ? [1] : [0])).to.deep.equal([1]);
    const back = parseSafetensors(serializeSafetensors({ t, d: rand([5], 2, { dtype: "float64", shared: true }) }));
    expect(bits(back.t.values)).to.equal(bits(t.values));
    expect(back.d.dtype).to.equal("float64");
    expect(JSON.parse(JSON.stringify(Array.from(t.values)))).to.have.length(1200);
  });

  it("a process with live helper threads exits on its own, and gives the same bits with NDGRAD_THREADS=1 and 2", () => {
    const script = [
      `const { gemm } = require(${JSON.stringify(path.resolve(__dirname, "../../core/kernels/gemm"))});`,
      `const t = require(${JSON.stringify(path.resolve(__dirname, "../../core/kernels/threads"))});`,
      "t.waitForThreads();",
      "const n = 200, A = new Float32Array(n * n).map((_, i) => Math.sin(i)), B = A.map((v) => v * 0.5), C = new Float32Array(n * n);",
      "gemm(A, 0, n, false, B, 0, n, false, C, 0, n, n, n, n, false);",
      "console.log(JSON.stringify({ threads: t.getNumThreads(), jobs: t.threadStats.jobs, bits: Buffer.from(C.buffer).toString('base64') }));",
    ].join("\n");
    const runWith = (threads: string): { threads: number; jobs: number; bits: string } => {
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
        env: { ...process.env, NDGRAD_THREADS: threads, TS_NODE_PROJECT: path.resolve(__dirname, "../../tsconfig.json") },
        encoding: "utf8",
        timeout: 60000,
      });
      expect(r.error, String(r.error)).to.equal(undefined);
      expect(r.status, r.stderr).to.equal(0);
      return JSON.parse(r.stdout.trim().split("\n").pop()!);
    };
    const one = runWith("1"),
      two = runWith("2");
    expect(one.threads).to.equal(1);
    expect(one.jobs).to.equal(0);
    expect(two.threads).to.equal(2);
    expect(two.jobs).to.be.greaterThan(0);
    expect(two.bits).to.equal(one.bits);
  });
});
