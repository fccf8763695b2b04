/**
 * Builds core/wasm/kernels.wasm from the AssemblyScript sources in core/wasm/asm/ with the
 * pinned `assemblyscript` devDependency (`npm run build:wasm`). The .wasm is committed so that
 * using ndgrad needs no compiler; test/core/wasm-build.test.ts rebuilds it and checks the bytes.
 *
 * @example npx ts-node -T core/wasm/build.ts [out.wasm]
 */
import { execFileSync } from "child_process";
import * as path from "path";

/** asc flags: SIMD + threads, the memory imported and shared (the JS heap owns it), no GC runtime. */
export const ASC_FLAGS = [
  "-O3",
  "--noAssert",
  "--enable",
  "simd,threads",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
  "--runtime",
  "stub",
  "--use",
  "abort=",
];

/** The entry file of the kernels. */
export const ASM_ENTRY = path.join(__dirname, "asm", "index.ts");

/**
 * Compiles the kernels into `outFile` (default: core/wasm/kernels.wasm).
 * @example buildWasm("/tmp/kernels.wasm")
 */
export function buildWasm(outFile = path.join(__dirname, "kernels.wasm")): void {
  const asc = path.join(path.dirname(require.resolve("assemblyscript/package.json")), "bin", "asc.js");
  // run from the repository root with a relative entry, so the bytes never depend on the cwd
  const root = path.join(__dirname, "..", "..");
  execFileSync(process.execPath, [asc, path.relative(root, ASM_ENTRY), "-o", path.resolve(outFile), ...ASC_FLAGS], { cwd: root, stdio: "inherit" });
}

if (require.main === module) buildWasm(process.argv[2]);
