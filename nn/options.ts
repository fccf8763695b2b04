/** The option-key check lives in core (ops use it too); nn re-exports it for its own callers. */
export { checkOptionKeys } from "../core/options";
