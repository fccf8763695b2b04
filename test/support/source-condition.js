// Loaded by mocha (.mocharc.json "require"). In this checkout, "ndgrad" resolves to the
// TypeScript sources through the package's "ndgrad-source" export condition (mocha's own process
// gets it from "node-option"); putting the flag in NODE_OPTIONS gives it to every process a test
// starts too (examples, notebooks' kernel, worker processes), so none of them runs a stale dist/.
// Tests of the packed package clear NODE_OPTIONS for the user's processes.
"use strict";
const flag = "--conditions=ndgrad-source";
const current = process.env.NODE_OPTIONS || "";
if (!current.includes(flag)) process.env.NODE_OPTIONS = `${current} ${flag}`.trim();
