#!/usr/bin/env node
// The Jupyter kernel of ndgrad's notebooks: this repository's tslab, with three adjustments.
//
// 1. Notebooks import ndgrad as a user's would ("ndgrad", "ndgrad/display", "ndgrad/datasets"),
//    so they run from any folder where ndgrad is installed. The kernel runs in the notebook's own
//    folder (Jupyter's default). tslab type-checks cells with TypeScript's "node10" module
//    resolution, which finds packages only in node_modules folders (it knows neither the exports
//    map's self-reference nor the ndgrad-source condition); inside this repository the kernel
//    therefore links node_modules/ndgrad to the repository itself, as `npm link` would. Types
//    then come from dist/ (`npm run build`), and so does the code (jupyter.ts starts Jupyter
//    without the ndgrad-source condition), so a notebook runs exactly what its types describe.
//
// 2. tslab's watching of the imported files is switched off. When a library file changed on
//    disk mid-session, tslab's rebuild timer collided with the next cell's and the cell failed
//    with "Unexpected pending rebuildTimer". Node caches loaded modules anyway, so after
//    `npm run build`, restart the kernel (as in any Node REPL).
//
// 3. It is started with the node that installed it (see notebooks/jupyter.ts), whatever `node`
//    Jupyter's PATH finds first.
"use strict";
const fs = require("fs");
const path = require("path");

const repo = path.resolve(__dirname, "..");
if (process.cwd() === repo || process.cwd().startsWith(repo + path.sep)) {
  const link = path.join(repo, "node_modules", "ndgrad");
  if (!fs.existsSync(link)) fs.symlinkSync(path.relative(path.dirname(link), repo) || ".", link, "dir");
}

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
ts.sys.watchFile = () => ({ close() {} });
require(path.join(tslabDir, "dist", "main.js")).main();
