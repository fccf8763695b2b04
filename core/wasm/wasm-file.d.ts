/**
 * A `.wasm` import is its bytes: only the browser build imports one (`kernel-bytes.browser.ts`),
 * and esbuild's `binary` loader turns it into a Uint8Array there.
 */
declare module "*.wasm" {
  const bytes: Uint8Array;
  export default bytes;
}
