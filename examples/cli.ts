/** Command-line options for the examples: `--name value` flags with defaults and a --help text. */
import { parseArgs } from "util";

export interface FlagSpec {
  type: "number" | "string" | "boolean";
  default: number | string | boolean;
  help: string;
}

/**
 * Parses `process.argv` against `spec`; prints usage and exits on --help; throws on unknown
 * flags or non-numeric numbers (with the flag's name).
 * @example const opts = cli("mlp-mnist", "Trains an MLP", { epochs: { type: "number", default: 5, help: "passes" } });
 */
export function cli<S extends Record<string, FlagSpec>>(
  name: string,
  about: string,
  spec: S,
  argv = process.argv.slice(2),
): { [K in keyof S]: S[K]["default"] } {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const [key, f] of Object.entries(spec)) options[kebab(key)] = { type: f.type === "boolean" ? "boolean" : "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    console.error(`${name}: ${(e as Error).message} (see --help)`);
    process.exit(2);
  }
  if (values.help) {
    const lines = [`${name}: ${about}`, "", `usage: npx ts-node -T examples/${name}.ts [options]`, ""];
    for (const [key, f] of Object.entries(spec)) lines.push(`  --${kebab(key).padEnd(16)} ${f.help} (default: ${f.default})`);
    console.log(lines.join("\n"));
    process.exit(0);
  }
  const out: Record<string, number | string | boolean> = {};
  for (const [key, f] of Object.entries(spec)) {
    const raw = values[kebab(key)];
    if (raw === undefined) out[key] = f.default;
    else if (f.type === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`${name}: --${kebab(key)} must be a number, got ${JSON.stringify(raw)}`);
      out[key] = n;
    } else out[key] = raw as string | boolean;
  }
  return out as { [K in keyof S]: S[K]["default"] };
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}
