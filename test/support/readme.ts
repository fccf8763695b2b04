/** The code blocks of README.md, for the tests that run them as written. */
import * as fs from "fs";
import * as path from "path";

export interface ReadmeBlock {
  lang: "ts" | "js";
  code: string;
  /** For js blocks: the file name their first line gives (`// train.cjs: ...` → "train.cjs"). */
  file: string | null;
}

/** Every ```ts and ```js block of README.md, in order. */
export function readmeBlocks(root: string): ReadmeBlock[] {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  return [...readme.matchAll(/```(ts|js)\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1] as "ts" | "js",
    code: m[2],
    file: m[1] === "js" ? (/^\/\/ ([\w.-]+\.[cm]?js)\b/.exec(m[2])?.[1] ?? null) : null,
  }));
}
