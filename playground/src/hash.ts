/**
 * Settings <-> URL hash (`#panel=surface&surface=beale&s.lion.lr=0.003...`). Every setting is
 * written, so a shared link means the same thing even if the defaults change later. Reading is
 * forgiving: a malformed hash, an unknown key or a bad value is reported and skipped, and the
 * rest still applies.
 */
import { SPECS, Settings, checkValue, defaultSettings } from "./settings";
import { surfaceById } from "./surfaces";

/**
 * The hash for `settings` (without the leading "#").
 * @example encodeHash(defaultSettings()).startsWith("panel=surface&surface=rosenbrock") // true
 */
export function encodeHash(settings: Settings): string {
  const parts: string[] = [];
  for (const key of Object.keys(SPECS)) {
    const v = settings[key];
    const text = typeof v === "boolean" ? (v ? "1" : "0") : String(v);
    parts.push(`${key}=${encodeURIComponent(text).replace(/%2C/g, ",")}`);
  }
  return parts.join("&");
}

export interface DecodedHash {
  settings: Settings;
  /** One message per problem; empty when the hash was clean. */
  problems: string[];
}

/**
 * Reads a hash (with or without "#") over the defaults. A hash that names a surface but no
 * start point starts from that surface's own start, as choosing it in the menu does.
 * @example decodeHash("#surface=beale&bogus=1").problems // ['unknown setting "bogus"']
 */
export function decodeHash(hash: string): DecodedHash {
  const settings = defaultSettings();
  const problems: string[] = [];
  const body = hash.startsWith("#") ? hash.slice(1) : hash;
  if (body.trim() === "") return { settings, problems };
  const seen = new Set<string>();
  for (const part of body.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) {
      problems.push(`"${part}" is not key=value`);
      continue;
    }
    let key: string, raw: string;
    try {
      key = decodeURIComponent(part.slice(0, eq));
      raw = decodeURIComponent(part.slice(eq + 1));
    } catch {
      problems.push(`"${part}" is not valid URL encoding`);
      continue;
    }
    if (seen.has(key)) {
      problems.push(`"${key}" is given twice; the first is kept`);
      continue;
    }
    seen.add(key);
    const checked = checkValue(key, raw);
    if ("error" in checked) problems.push(checked.error);
    else settings[key] = checked.value;
  }
  if (!seen.has("s.startX") && !seen.has("s.startY")) [settings["s.startX"], settings["s.startY"]] = surfaceById(settings.surface as string).start;
  return { settings, problems };
}
