/**
 * The package as a user gets it: `npm pack` of this checkout (from the dist/ that `npm test`
 * just built), installed with `npm install ./ndgrad-x.y.z.tgz` into an empty project in a
 * temporary folder. Done once per test run and shared by the tests that need it.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const root = path.resolve(__dirname, "..", "..");

export interface InstalledPackage {
  /** The user's project folder, with node_modules/ndgrad installed from the tarball. */
  dir: string;
  tarball: string;
  tarballBytes: number;
}

let installed: InstalledPackage | null = null;

const npm = (args: string[], cwd: string): string =>
  execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NPM_CONFIG_LOGLEVEL: "error" },
    timeout: 240_000,
  });

/** Packs and installs ndgrad into a fresh temporary project (once); removed at process exit. */
export function installPackedNdgrad(): InstalledPackage {
  if (installed) return installed;
  if (!fs.existsSync(path.join(root, "dist", "cjs", "index.js")) || !fs.existsSync(path.join(root, "dist", "browser", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first (`npm test` does)");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ndgrad-user-"));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  // --ignore-scripts: dist/ was built by `npm test` from this very checkout moments ago.
  const name = npm(["pack", "--ignore-scripts", "--pack-destination", dir], root).trim().split("\n").pop()!;
  const tarball = path.join(dir, name);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user-app", version: "1.0.0", private: true }));
  npm(["install", "--no-audit", "--no-fund", "--prefer-offline", `./${name}`], dir);
  installed = { dir, tarball, tarballBytes: fs.statSync(tarball).size };
  return installed;
}
