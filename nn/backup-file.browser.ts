/** The browser build's stand-in for `backup-file.ts`: BackupAndRestore needs a file system. */

const message = (fn: string) =>
  `BackupAndRestore (${fn}) needs Node (a folder on disk); in a browser, save the state yourself from a callback: encodeTrainingState gives the bytes to keep in IndexedDB`;

/** Node only. @example checkpointPath("backup") // throws in a browser */
export function checkpointPath(_dir: string): string {
  throw new Error(message("checkpointPath"));
}
/** Node only. @example readCheckpoint("backup") // throws in a browser */
export function readCheckpoint(_dir: string): Uint8Array | null {
  throw new Error(message("readCheckpoint"));
}
/** Node only. @example writeCheckpoint("backup", bytes) // throws in a browser */
export function writeCheckpoint(_dir: string, _bytes: Uint8Array): void {
  throw new Error(message("writeCheckpoint"));
}
/** Node only. @example deleteCheckpoint("backup") // throws in a browser */
export function deleteCheckpoint(_dir: string): void {
  throw new Error(message("deleteCheckpoint"));
}
