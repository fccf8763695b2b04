// AssemblyScript (compiled by `npm run build:wasm`): im2col and its adjoint col2im for float32,
// the data movement of conv2d through the GEMM (core/ops/conv.ts does the same in JS). Both are
// exact (copies and, for col2im, float32 additions in the JS order), so a wasm conv2d differs from
// the JS one only by the GEMM's float32 summation.

@inline function ceilDiv(a: i32, b: i32): i32 { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
@inline function floorDiv(a: i32, b: i32): i32 { return a >= 0 ? a / b : -((-a + b - 1) / b); }
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }
@inline function imax(a: i32, b: i32): i32 { return a > b ? a : b; }

/**
 * Unfolds one image x (C × H × W) into cols (C·KH·KW rows of row stride ld elements, OH·OW
 * columns), zeros where a window hangs over the padding.
 */
export function im2colF32(px: usize, C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, pcols: usize, ld: i32): void {
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = px + (<usize>(c * H * W) << 2);
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const lo = imin(OW, imax(0, ceilDiv(PW - j, SW)));
        const hi = imax(lo, imin(OW, floorDiv(W - 1 + PW - j, SW) + 1));
        let q = pcols + (<usize>(r * ld) << 2);
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * SH - PH + i;
          if (ih < 0 || ih >= H) {
            memory.fill(q, 0, <usize>OW << 2);
          } else {
            // row start may be "before" the plane (−PW + j < 0): only lanes ow ≥ lo are read
            const row = <isize>plane + (<isize>(ih * W - PW + j) << 2);
            for (let ow = 0; ow < lo; ow++) store<f32>(q + (<usize>ow << 2), 0);
            if (SW == 1) memory.copy(q + (<usize>lo << 2), <usize>(row + (<isize>lo << 2)), <usize>(hi - lo) << 2);
            else for (let ow = lo; ow < hi; ow++) store<f32>(q + (<usize>ow << 2), load<f32>(<usize>(row + (<isize>(ow * SW) << 2))));
            for (let ow = hi; ow < OW; ow++) store<f32>(q + (<usize>ow << 2), 0);
          }
          q += <usize>OW << 2;
        }
        r++;
      }
    }
  }
}

/** The adjoint of im2colF32: adds every column entry back onto the pixel it was read from (dx += ...). */
export function col2imF32(pcols: usize, ld: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PH: i32, PW: i32,
  OH: i32, OW: i32, pdx: usize): void {
  let r = 0;
  for (let c = 0; c < C; c++) {
    const plane = pdx + (<usize>(c * H * W) << 2);
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const lo = imin(OW, imax(0, ceilDiv(PW - j, SW)));
        const hi = imax(lo, imin(OW, floorDiv(W - 1 + PW - j, SW) + 1));
        let q = pcols + (<usize>(r * ld) << 2);
        for (let oh = 0; oh < OH; oh++, q += <usize>OW << 2) {
          const ih = oh * SH - PH + i;
          if (ih < 0 || ih >= H) continue;
          const row = <isize>plane + (<isize>(ih * W - PW + j) << 2);
          for (let ow = lo; ow < hi; ow++) {
            const at = <usize>(row + (<isize>(ow * SW) << 2));
            store<f32>(at, load<f32>(at) + load<f32>(q + (<usize>ow << 2)));
          }
        }
        r++;
      }
    }
  }
}
