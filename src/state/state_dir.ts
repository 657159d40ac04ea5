import { basename, join } from "node:path";

/**
 * The default folder of the embedded state store for `root` (an absolute
 * real path): `$XDG_STATE_HOME/sluice/<name>-<hash>` or
 * `~/.local/state/sluice/<name>-<hash>`, one per ROOT and never inside it.
 * `null` when neither variable is set.
 *
 * @example
 * ```ts
 * defaultStateDir("/srv/media", { HOME: "/home/ana" });
 * // → "/home/ana/.local/state/sluice/media-<8 hex digits>"
 * ```
 */
export function defaultStateDir(
  root: string,
  env: { XDG_STATE_HOME?: string; HOME?: string },
): string | null {
  const base = env.XDG_STATE_HOME?.startsWith("/")
    ? env.XDG_STATE_HOME
    : env.HOME?.startsWith("/")
    ? join(env.HOME, ".local", "state")
    : null;
  if (base === null) return null;
  const name = basename(root).replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "") || "root";
  return join(base, "sluice", `${name.slice(0, 40)}-${fnv1a(root)}`);
}

/** 32-bit FNV-1a of `text`'s UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
