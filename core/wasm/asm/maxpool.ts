// AssemblyScript (compiled by `npm run build:wasm`): max pooling over 2 × 2 windows with stride 2
// (NCHW planes), the CNN's pooling. Per output the same comparisons in the same order as the JS
// loop of core/ops/pool.ts (start at the window's first element; a later one wins when it is
// greater or NaN), done four outputs at a time with lane selects, so values and arg-max indices
// are identical to the JS ones: there is no arithmetic, only selection.

/**
 * out[plane, oh, ow] = max of x[plane, 2oh .. 2oh+1, 2ow .. 2ow+1] over `planes` planes of H × W
 * (OH = ⌊H/2⌋, OW = ⌊W/2⌋ given); with parg ≠ 0 also arg[...] = the flat index (from x's start)
 * of the maximum, first one on ties.
 */
export function maxPool2x2F32(px: usize, pout: usize, parg: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  const body = OW & ~3;
  const lanes = i32x4(0, 2, 4, 6);
  let o: i32 = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const p0 = base + 2 * oh * W; // index of the row's first window
      let ow = 0;
      for (; ow < body; ow += 4, o += 4) {
        const p = p0 + 2 * ow;
        const top = px + (<usize>p << 2), bottom = top + (<usize>W << 2);
        const t0 = v128.load(top), t1 = v128.load(top, 16);
        const b0 = v128.load(bottom), b1 = v128.load(bottom, 16);
        let best = v128.shuffle<f32>(t0, t1, 0, 2, 4, 6);
        const v1 = v128.shuffle<f32>(t0, t1, 1, 3, 5, 7);
        const v2 = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        const v3 = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        let m = v128.or(f32x4.gt(v1, best), f32x4.ne(v1, v1));
        best = v128.bitselect(v1, best, m);
        if (parg == 0) {
          m = v128.or(f32x4.gt(v2, best), f32x4.ne(v2, v2));
          best = v128.bitselect(v2, best, m);
          m = v128.or(f32x4.gt(v3, best), f32x4.ne(v3, v3));
          best = v128.bitselect(v3, best, m);
        } else {
          const i0 = i32x4.add(i32x4.splat(p), lanes);
          let at = v128.bitselect(i32x4.add(i0, i32x4.splat(1)), i0, m);
          m = v128.or(f32x4.gt(v2, best), f32x4.ne(v2, v2));
          best = v128.bitselect(v2, best, m);
          at = v128.bitselect(i32x4.add(i0, i32x4.splat(W)), at, m);
          m = v128.or(f32x4.gt(v3, best), f32x4.ne(v3, v3));
          best = v128.bitselect(v3, best, m);
          at = v128.bitselect(i32x4.add(i0, i32x4.splat(W + 1)), at, m);
          v128.store(parg + (<usize>o << 2), at);
        }
        v128.store(pout + (<usize>o << 2), best);
      }
      for (; ow < OW; ow++, o++) {
        const p = p0 + 2 * ow;
        const a = px + (<usize>p << 2);
        let best = load<f32>(a), at = p;
        const v1 = load<f32>(a, 4), v2 = load<f32>(a + (<usize>W << 2)), v3 = load<f32>(a + (<usize>W << 2), 4);
        if (v1 > best || v1 != v1) { best = v1; at = p + 1; }
        if (v2 > best || v2 != v2) { best = v2; at = p + W; }
        if (v3 > best || v3 != v3) { best = v3; at = p + W + 1; }
        store<f32>(pout + (<usize>o << 2), best);
        if (parg != 0) store<i32>(parg + (<usize>o << 2), at);
      }
    }
  }
}
