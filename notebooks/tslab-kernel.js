#!/usr/bin/env node
// The Jupyter kernel of ndgrad's notebooks: the repository's own tslab, with three adjustments.
//
// 1. It runs at the repository root, whatever directory Jupyter starts it in. tslab type-checks
//    a cell together with every .ts file it imports and insists they all lie under the kernel's
//    working directory ("File '../index.ts' is not under 'rootDir'" otherwise), so from
//    notebooks/ even `import ... from "../index"` fails. Notebooks therefore import
//    "./index" and "./examples/display": paths from the repository root.
// 2. ts-node is registered (transpile-only, the repo's tsconfig). tslab executes a cell's own
//    imports of .ts files itself but cannot load a folder (`./core` -> core/index.ts); with
//    ts-node those loads fall through to Node's require and work. A notebook should import
//    folders or index.ts (as the examples do), never core's files directly: a second copy of
//    core/tensor.ts would make a second Tensor class.
//
// 3. tslab's watching of the imported files is switched off. When a library file changed on
//    disk mid-session, tslab's rebuild timer collided with the next cell's and the cell failed
//    with "Unexpected pending rebuildTimer". Node caches loaded modules anyway, so after editing
//    the library, restart the kernel (as in any Node REPL).
//
// Installed as the kernel spec by notebooks/jupyter.ts (npm run notebooks, and the test).
const path = require("path");
const repo = path.resolve(__dirname, "..");
process.chdir(repo);
require("ts-node").register({ transpileOnly: true, project: path.join(repo, "tsconfig.json") });
const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] }));
ts.sys.watchFile = () => ({ close() {} });
require(path.join(tslabDir, "dist", "main.js")).main();
