/** Run in a fresh process by resume.test.ts: `node -r ts-node/register/transpile-only resume-child.ts DIR KIND...`. */
import { KINDS, Kind, resumeInThisProcess } from "./resume-setup";

const [dir, ...kinds] = process.argv.slice(2);
for (const k of kinds) {
  if (!(KINDS as readonly string[]).includes(k)) throw new Error(`resume-child: unknown kind ${k}`);
  resumeInThisProcess(dir, k as Kind);
}
