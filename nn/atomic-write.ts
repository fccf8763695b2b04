/**
 * Crash-safe file writing (Node only; the browser build swaps in `atomic-write.browser.ts`).
 *
 * A plain `writeFileSync(path, data)` truncates the old file first and then writes: a crash, a
 * SIGKILL or a full disk in between leaves a torn file where the last good one was. Here the
 * bytes go to a temporary file in the same folder (same file system, so the rename cannot turn
 * into a copy), are fsynced, and the temporary file is renamed over the target. POSIX rename is
 * atomic: a reader sees the old file or the new one, never a mix. The folder is fsynced too, so
 * the rename itself survives a power loss. On any error the temporary file is removed and the
 * old file is left as it was.
 */
import * as fs from "fs";
import * as path from "path";

let counter = 0;

/**
 * Writes `data` to `file` atomically: a temp file in the same folder, fsync, rename into place.
 * @example writeFileAtomic("report.html", html); writeFileAtomic("model.safetensors", bytes)
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  if (typeof file !== "string" || file === "")
    throw new Error(`writeFileAtomic: path must be a non-empty string, got ${typeof file === "string" ? '""' : typeof file}`);
  if (typeof data !== "string" && !(data instanceof Uint8Array)) throw new Error(`writeFileAtomic: data must be a string or a Uint8Array, got ${typeof data}`);
  const dir = path.dirname(path.resolve(file));
  // Unique per process and call; the leading dot keeps it out of casual listings and globs.
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, "wx", 0o644);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new Error(`writeFileAtomic: could not write ${file}: ${(e as Error).message}`);
  }
  syncDirectory(dir);
}

/** Makes a rename durable; some platforms (Windows) cannot open a folder, which is harmless there. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR on file systems without directory fsync: the rename is still atomic.
  } finally {
    fs.closeSync(fd);
  }
}
