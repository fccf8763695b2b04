/**
 * Self time per function from a V8 .cpuprofile (written by `node --cpu-prof --cpu-prof-dir=DIR`).
 * `npx ts-node -T bench/experiments/prof-top.ts DIR [rows=15]`
 * A tool for the experiments (no measurement of its own).
 */
import * as fs from "fs";
import * as path from "path";

interface ProfNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfNode[];
  samples: number[];
  timeDeltas: number[];
}

const dir = process.argv[2];
const rows = Number(process.argv[3] ?? 15);
const file = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".cpuprofile"))
  .sort()
  .pop();
if (!file) throw new Error(`prof-top: no .cpuprofile in ${dir}`);
const p = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const cf = byId.get(id)!.callFrame;
  const key = `${cf.functionName || "(anonymous)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
  const dt = p.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
  console.log(`${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}
