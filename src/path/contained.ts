import { sep as SEPARATOR } from "node:path";

/**
 * Whether `path` is `root` itself or lies inside it. Both must be absolute,
 * normalised real paths.
 */
export function contained(root: string, path: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith(SEPARATOR) ? root : root + SEPARATOR;
  return path.startsWith(prefix);
}
