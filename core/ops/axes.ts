/** Viewing a contiguous tensor as [outer, n, inner] around one axis: the layout every axis kernel loops over. */
export interface AxisView {
  outer: number;
  n: number;
  inner: number;
}

/** @example axisView([2, 3, 4], 1) // { outer: 2, n: 3, inner: 4 } */
export function axisView(shape: readonly number[], axis: number): AxisView {
  let outer = 1,
    inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, n: shape[axis], inner };
}
