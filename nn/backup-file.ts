/**
 * BackupAndRestore's file access (Node only; the browser build swaps in `backup-file.browser.ts`).
 * The checkpoint is one file, written atomically, so a crash at any moment leaves either the
 * previous checkpoint or the new one.
 */
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "./atomic-write";

/** The checkpoint's path in the backup folder. */
export function checkpointPath(dir: string): string {
  return path.join(dir, "checkpoint.safetensors");
}

/** The checkpoint's bytes, or null when there is none (a fresh run). */
export function readCheckpoint(dir: string): Uint8Array | null {
  const file = checkpointPath(dir);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`BackupAndRestore: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Writes the checkpoint atomically, creating the folder when needed. */
export function writeCheckpoint(dir: string, bytes: Uint8Array): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(checkpointPath(dir), bytes);
}

/**
 * Deletes the checkpoint, the temporary files of writers killed mid-write (hidden
 * `.checkpoint.safetensors.<pid>.<n>.tmp`, see atomic-write.ts), and the folder when that leaves
 * it empty.
 */
export function deleteCheckpoint(dir: string): void {
  fs.rmSync(checkpointPath(dir), { force: true });
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (/^\.checkpoint\.safetensors\.\d+\.\d+\.tmp$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (the user keeps other files there) or already gone: leave it
  }
}
