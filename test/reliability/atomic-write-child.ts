/**
 * Child for atomic-write.test.ts: rewrites one file forever with writeFileAtomic, each version a
 * few MB of one repeated byte plus a trailer naming that byte, until the parent kills it.
 */
import { writeFileAtomic } from "../../nn/atomic-write";

const file = process.argv[2];
const size = 4 << 20;
for (let version = 1; ; version++) {
  const bytes = new Uint8Array(size).fill(version & 0xff);
  writeFileAtomic(file, bytes);
  if (version === 1) process.stdout.write("ready\n");
}
