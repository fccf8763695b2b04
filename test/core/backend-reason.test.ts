/**
 * Why a backend was chosen (`backendReason`), and the checks behind "wasm where it can run":
 * `wasmUnavailableReason` names what an engine lacks (no valid module, or a refused shared
 * memory, as in a browser that gates it behind cross-origin isolation), and the browser
 * build's one-thread twin of the wasm pool (`pool.browser.ts`) runs a job's chunks in order.
 * The page itself is tested in Chromium (test/package/browser-wasm.test.ts).
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as path from "path";
import { backendReason, getBackend, setBackend, type Backend } from "../../core/backend";
import { wasmUnavailableReason } from "../../core/wasm/support";
import { validateSimd, wasmKernels } from "../../core/wasm/loader";
import { WasmPool as OneThreadPool, wasmPool as oneThreadPool } from "../../core/wasm/pool.browser";

const root = path.resolve(__dirname, "..", "..");

/** getBackend() and backendReason() of a fresh process under the given NDGRAD_BACKEND. */
function atLoad(env: string | undefined): { status: number | null; out: string; err: string } {
  const vars = { ...process.env };
  delete vars.NDGRAD_BACKEND;
  if (env !== undefined) vars.NDGRAD_BACKEND = env;
  const code = `const c = require("./core"); console.log(JSON.stringify([c.getBackend(), c.backendReason()]));`;
  const r = spawnSync(process.execPath, ["--conditions=ndgrad-source", "-r", "ts-node/register/transpile-only", "-e", code], {
    cwd: root,
    env: vars,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout.trim(), err: r.stderr };
}

/** Runs `body` with WebAssembly.Memory refusing `shared: true`, as such a browser does. */
function refusingSharedMemory<T>(body: () => T): T {
  const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { shared?: boolean }) => unknown } }).WebAssembly;
  const Real = wasm.Memory;
  wasm.Memory = function Memory(d: { shared?: boolean }) {
    if (d.shared) throw new TypeError("shared memory is disabled");
    return new Real(d);
  } as unknown as typeof Real;
  try {
    return body();
  } finally {
    wasm.Memory = Real;
  }
}

describe("backendReason", function () {
  this.timeout(120_000);
  let previous: Backend;
  beforeEach(() => (previous = getBackend()));
  afterEach(() => setBackend(previous));

  it("names the setBackend call that chose the backend; a rejected call changes neither", () => {
    setBackend("js");
    expect(backendReason()).to.equal('setBackend("js")');
    expect(() => setBackend("webgpu" as Backend)).to.throw('setBackend: backend must be one of "js", "wasm", got "webgpu"');
    expect([getBackend(), backendReason()]).to.deep.equal(["js", 'setBackend("js")']);
    if (validateSimd()) {
      setBackend("wasm");
      expect(backendReason()).to.equal('setBackend("wasm")');
    }
  });

  it("at load: the default says the engine runs the kernels; NDGRAD_BACKEND says it was asked for", () => {
    const unset = atLoad(undefined);
    expect(unset.status, unset.err).to.equal(0);
    expect(JSON.parse(unset.out)).to.deep.equal(["wasm", "the default: this engine runs the WebAssembly SIMD kernels"]);
    const js = atLoad("js");
    expect(js.status, js.err).to.equal(0);
    expect(JSON.parse(js.out)).to.deep.equal(["js", "NDGRAD_BACKEND=js"]);
    const bad = atLoad("cuda");
    expect(bad.status).to.not.equal(0);
    expect(bad.err).to.include('NDGRAD_BACKEND: backend must be one of "js", "wasm", got "cuda"');
  });

  it("setBackend('wasm') where shared memory is refused throws with the reason, changing nothing", () => {
    setBackend("js");
    refusingSharedMemory(() => {
      expect(() => setBackend("wasm")).to.throw(
        'setBackend: backend "wasm" cannot run here: this engine refuses a shared WebAssembly.Memory (shared memory is disabled) (use "js")',
      );
    });
    expect([getBackend(), backendReason()]).to.deep.equal(["js", 'setBackend("js")']);
  });
});

describe("wasmUnavailableReason", () => {
  it("is null where the kernels run (Node 20)", () => {
    expect(wasmUnavailableReason()).to.equal(null);
    expect(validateSimd()).to.equal(true);
  });

  it("names a module the engine does not validate, and a refused shared memory", () => {
    expect(wasmUnavailableReason(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]))).to.equal(
      "this engine does not validate the wasm kernels (they need WebAssembly 128-bit SIMD and threads)",
    );
    const refused = refusingSharedMemory(() => [wasmUnavailableReason(), validateSimd()]);
    // Node has no crossOriginIsolated, so no hint about page headers
    expect(refused).to.deep.equal(["this engine refuses a shared WebAssembly.Memory (shared memory is disabled)", false]);
  });

  it("in a page, says whether it is cross-origin isolated and which headers make it so", () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    g.crossOriginIsolated = false;
    try {
      expect(refusingSharedMemory(() => wasmUnavailableReason())).to.equal(
        "this engine refuses a shared WebAssembly.Memory (shared memory is disabled); this page is not cross-origin isolated (crossOriginIsolated is false), " +
          "and engines that gate shared memory need the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp",
      );
    } finally {
      delete g.crossOriginIsolated;
    }
  });
});

describe("the browser build's wasm pool (pool.browser.ts)", () => {
  it("runs every chunk on the calling thread, as one call would, with its own GEMM scratch", () => {
    const k = wasmKernels(),
      n = 1003;
    const x = k.heap.alloc(n),
      whole = k.heap.alloc(n),
      chunked = k.heap.alloc(n);
    for (let i = 0; i < n; i++) x[i] = (i % 7) - 3;
    const pool = new OneThreadPool(k, 0);
    try {
      expect([pool.threads, pool.readyHelpers(), pool.waitReady(), pool.helperChunks()]).to.deep.equal([1, 0, 0, 0]);
      k.exports.reluF32(x.byteOffset, whole.byteOffset, n);
      pool.run("reluF32", [
        [x.byteOffset, chunked.byteOffset, 500],
        [x.byteOffset + 2000, chunked.byteOffset + 2000, n - 500],
      ]);
      expect(Array.from(chunked)).to.deep.equal(Array.from(whole));
      // C = A·B with A = I (2×2): the scratch argument (index 12) is the pool's own block
      const a = k.heap.fromArray([1, 0, 0, 1]),
        b = k.heap.fromArray([1, 2, 3, 4]),
        c = k.heap.alloc(4);
      pool.run("gemmF32", [[a.byteOffset, 2, 0, b.byteOffset, 2, 0, c.byteOffset, 2, 2, 2, 2, 0, -1]], 12);
      expect(Array.from(c)).to.deep.equal([1, 2, 3, 4]);
      for (const v of [x, whole, chunked, a, b, c]) k.heap.free(v);
    } finally {
      pool.terminate();
    }
    expect(oneThreadPool().threads).to.equal(1);
    expect(oneThreadPool()).to.equal(oneThreadPool());
  });

  it("refuses helpers, an unknown kernel and ragged chunks", () => {
    const k = wasmKernels();
    expect(() => new OneThreadPool(k, 1)).to.throw("WasmPool: helpers must be 0 in the browser build (a page runs the kernels on one thread), got 1");
    const pool = oneThreadPool();
    expect(() => pool.run("nope" as "reluF32", [[0, 0, 0]])).to.throw("WasmPool.run: no kernel nope");
    expect(() =>
      pool.run("reluF32", [
        [0, 0, 0],
        [0, 0],
      ]),
    ).to.throw("WasmPool.run: chunks must have the same number of arguments (at most 16)");
  });
});
