/**
 * ndgrad: a small, fast, honest deep-learning framework in TypeScript.
 * Everything is exported from here (`import { tensor, nn, optim } from "ndgrad"`), and from the
 * parts `ndgrad/core`, `ndgrad/nn`, `ndgrad/optim`.
 */
export * from "./core";
export * as core from "./core";
export * as nn from "./nn";
export * as optim from "./optim";
