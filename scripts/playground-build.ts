/**
 * Builds the Lion playground (playground/) into one folder that works offline and from
 * file://: index.html, playground.css and playground.js, a classic script (esbuild "iife"),
 * because Chromium does not load ES-module scripts from file://. The page imports "ndgrad",
 * which esbuild resolves through the package's own exports map to dist/browser, so the package
 * build must exist first (`ensurePackageBuild` runs `npm run build` when it is missing or older
 * than the library sources).
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";

const root = path.resolve(__dirname, "..");
/** Where `npm run playground` builds to (git-ignored). */
export const PLAYGROUND_OUT = path.join(root, "playground", "dist");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs the package build unless dist/browser is there and newer than core/, nn/, optim/ and index.ts. */
export function ensurePackageBuild(log: (line: string) => void = console.log): void {
  const bundle = path.join(root, "dist", "browser", "index.js");
  const sources = Math.max(fs.statSync(path.join(root, "index.ts")).mtimeMs, ...["core", "nn", "optim"].map((d) => newestMtime(path.join(root, d))));
  if (fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= sources) return;
  log(
    fs.existsSync(bundle)
      ? "playground: dist/browser is older than the sources; running npm run build"
      : "playground: no dist/browser yet; running npm run build",
  );
  execSync("npm run build", { cwd: root, stdio: "inherit" });
}

/**
 * Bundles the page into `outDir` (default playground/dist) and returns the folder.
 * @example await buildPlayground(); // then open playground/dist/index.html
 */
export async function buildPlayground(outDir: string = PLAYGROUND_OUT): Promise<string> {
  ensurePackageBuild();
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(root, "playground", "src", "main.ts")],
    outfile: path.join(outDir, "playground.js"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    tsconfig: path.join(root, "playground", "tsconfig.bundle.json"),
    sourcemap: "linked",
    logLevel: "warning",
  });
  for (const file of ["index.html", "playground.css"]) fs.copyFileSync(path.join(root, "playground", file), path.join(outDir, file));
  return outDir;
}
