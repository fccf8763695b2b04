/** Reading IDX files (the MNIST format): a big-endian header, then raw uint8 data. */
import * as fs from "fs";
import * as zlib from "zlib";

/** An IDX file's contents: its dimensions and its raw uint8 data. @example readIdx("t10k-labels-idx1-ubyte").dims // [10000] */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX buffer: bytes 0-1 zero, byte 2 the dtype (0x08 = uint8), byte 3 the rank,
 * then one big-endian uint32 per dimension. Gzipped files are inflated first.
 * @example const { dims, data } = readIdx("train-images-idx3-ubyte"); // dims [60000, 28, 28]
 */
export function readIdx(file: string): IdxArray {
  let buf = fs.readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error(`readIdx: ${file} is not an IDX file (bad magic)`);
  const dtype = buf[2];
  const rank = buf[3];
  if (dtype !== 0x08) throw new Error(`readIdx: ${file}: only uint8 data (0x08) is supported, got 0x${dtype.toString(16)}`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (buf.length < start + count) throw new Error(`readIdx: ${file} is truncated: header says ${count} bytes of data, file has ${buf.length - start}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}
