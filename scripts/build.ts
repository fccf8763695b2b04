/**
 * `npm run build`: the package in dist/.
 *
 * - dist/cjs: tsc's CommonJS output with .d.ts declarations (tsconfig.build.json). This is the
 *   one copy of the library that Node runs, for `require` and `import` alike.
 * - dist/esm: ES-module entry points that re-export dist/cjs by name (Node's "ES module wrapper"
 *   pattern). Why not a second, separate ESM build: ndgrad has process-wide state (the thread
 *   pool, the random generator, `instanceof Tensor`), and an app whose dependencies mix `import`
 *   and `require` would otherwise load two copies that do not know each other. The helper
 *   threads also load kernels by module path, which needs the CommonJS files.
 * - dist/browser: one ES-module bundle per entry point (code split, so `ndgrad` and
 *   `ndgrad/nn` share their modules), built by esbuild with every `X.browser.ts` file in place
 *   of its Node twin `X.ts` (file paths, worker_threads, stdout). Node built-ins are not
 *   resolvable there, so the build fails if the browser entry can reach one. The wasm kernels
 *   ride along as bytes: `core/wasm/kernel-bytes.browser.ts` imports the committed kernels.wasm,
 *   which esbuild's `binary` loader inlines (base64, decoded once at load), so a page needs no
 *   second file. Only the browser build does this; dist/cjs reads the copied file.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";

const root = path.resolve(__dirname, "..");
const dist = path.join(root, "dist");
/** Entry points that run everywhere: export subpath → source file (without extension). */
export const ENTRIES: Record<string, string> = { ".": "index", "./core": "core/index", "./nn": "nn/index", "./optim": "optim/index" };
/** Node-only entry points (files, Graphviz, Jupyter): no browser build, `"browser": null` in exports. */
export const NODE_ENTRIES: Record<string, string> = { "./display": "display/index", "./datasets": "datasets/index" };

function buildCommonJs(): void {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { stdio: "inherit" });
  // the committed wasm kernels sit beside their loader (core/wasm/loader.ts reads them from __dirname)
  fs.copyFileSync(path.join(root, "core", "wasm", "kernels.wasm"), path.join(dist, "cjs", "core", "wasm", "kernels.wasm"));
}

function buildEsmWrappers(): void {
  for (const source of [...Object.values(ENTRIES), ...Object.values(NODE_ENTRIES)]) {
    const cjsFile = path.join(dist, "cjs", `${source}.js`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const names = Object.keys(require(cjsFile)).filter((n) => n !== "__esModule" && n !== "default");
    const file = path.join(dist, "esm", `${source}.mjs`);
    const rel = path.relative(path.dirname(file), cjsFile).split(path.sep).join("/");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `import cjs from "${rel}";\nexport const { ${names.join(", ")} } = cjs;\n`);
    fs.writeFileSync(file.replace(/\.mjs$/, ".d.mts"), `export * from "${rel}";\n`);
  }
}

/** esbuild plugin: a relative import of `X` resolves to `X.browser.ts` when that file exists. */
const browserTwins: esbuild.Plugin = {
  name: "browser-twins",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const twin = path.resolve(args.resolveDir, `${args.path}.browser.ts`);
      return fs.existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

async function buildBrowser(): Promise<void> {
  await esbuild.build({
    entryPoints: Object.values(ENTRIES).map((s) => ({ in: path.join(root, `${s}.ts`), out: s })),
    outdir: path.join(dist, "browser"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    plugins: [browserTwins],
    loader: { ".wasm": "binary" },
    // Kernel descriptors name their module for Node's helper threads; a page has none.
    define: { __filename: '"browser"' },
    // The package.json "sideEffects" list describes dist/ for users' bundlers; it must not
    // prune our own sources (core/ops/methods.ts attaches the Tensor methods on import).
    ignoreAnnotations: true,
    logLevel: "warning",
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  fs.rmSync(dist, { recursive: true, force: true });
  buildCommonJs();
  buildEsmWrappers();
  await buildBrowser();
  console.log(`build: dist/ (cjs + d.ts, esm, browser) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
