/** Element types ndgrad computes in: float32 by default, float64 for gradient checks and references. */
export type DType = "float32" | "float64";

/** The typed array behind a tensor of either dtype. */
export type FloatArray = Float32Array | Float64Array;

/** Allocates a zero-filled typed array of `dtype`. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/** The dtype of a typed array (anything but Float64Array counts as float32). */
export function dtypeOf(array: ArrayLike<number>): DType {
  return array instanceof Float64Array ? "float64" : "float32";
}

/** Throws unless `dtype` is one ndgrad supports; `where` names the caller. */
export function checkDType(dtype: unknown, where: string): DType {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new Error(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  return dtype;
}
