/**
 * `npm run playground`: builds the package (when dist/browser is missing or stale) and the
 * playground into playground/dist/, serves that folder on 127.0.0.1 and prints the URL; stop
 * it with Ctrl-C. The folder also works offline, opened from file://.
 *
 *   npm run playground                   build and serve (on a free port)
 *   npm run playground -- --port 8017    build and serve on that port
 *   npm run playground -- --build-only   build, print the file:// URL, exit
 *   npm run playground -- --screenshots  build, save docs/img/playground-*.png, exit
 *   npm run playground -- --measure      build, print frames and steps per second in Chromium, exit
 */
import * as path from "path";
import { pathToFileURL } from "url";
import { buildPlayground } from "./playground-build";
import { takeScreenshots } from "./playground-screenshots";
import { measure } from "./playground-measure";
import { serveStatic } from "../test/support/chromium";

const USAGE = "usage: npm run playground [-- --port N | --build-only | --screenshots | --measure]";

/** The value of `--port N` (0 = any free port), or an error naming what was given. */
function portOf(argv: string[]): number {
  const i = argv.indexOf("--port");
  if (i < 0) return 0;
  const raw = argv[i + 1];
  const port = Number(raw);
  if (raw === undefined || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`playground: --port must be a whole number from 1 to 65535, got ${raw === undefined ? "nothing" : `"${raw}"`}; ${USAGE}`);
  return port;
}

async function main(argv: string[]): Promise<void> {
  const port = portOf(argv);
  const known = new Set(["--build-only", "--screenshots", "--measure", "--help", "--port"]);
  const unknown = argv.filter((a, i) => !known.has(a) && argv[i - 1] !== "--port");
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
  const oneShot = argv.includes("--screenshots") || argv.includes("--measure");
  const server = await serveStatic(dir, oneShot ? 0 : port);
  if (oneShot) {
    try {
      if (argv.includes("--screenshots")) await takeScreenshots(server.url);
      if (argv.includes("--measure")) await measure(server.url);
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
