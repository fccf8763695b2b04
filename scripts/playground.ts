/**
 * `npm run playground`: builds the package (when dist/browser is missing or stale) and the
 * playground into playground/dist/, serves that folder on 127.0.0.1 and prints the URL; stop
 * it with Ctrl-C. The folder also works offline, opened from file://.
 *
 *   npm run playground                   build and serve
 *   npm run playground -- --build-only   build, print the file:// URL, exit
 *   npm run playground -- --screenshots  build, save docs/img/playground-*.png, exit
 */
import * as path from "path";
import { pathToFileURL } from "url";
import { buildPlayground } from "./playground-build";
import { takeScreenshots } from "./playground-screenshots";
import { serveStatic } from "../test/support/chromium";

const USAGE = "usage: npm run playground [-- --build-only | --screenshots]";

async function main(argv: string[]): Promise<void> {
  const known = new Set(["--build-only", "--screenshots", "--help"]);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length > 0) throw new Error(`playground: unknown argument ${unknown.join(" ")}; ${USAGE}`);
  if (argv.includes("--help")) {
    console.log(USAGE);
    return;
  }
  const dir = await buildPlayground();
  const fileUrl = pathToFileURL(path.join(dir, "index.html")).href;
  if (argv.includes("--build-only")) {
    console.log(`playground: built ${fileUrl}`);
    return;
  }
  const server = await serveStatic(dir);
  if (argv.includes("--screenshots")) {
    try {
      await takeScreenshots(server.url);
    } finally {
      await server.close();
    }
    return;
  }
  console.log(`playground: serving ${server.url}/index.html  (offline copy: ${fileUrl}; Ctrl-C stops)`);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
