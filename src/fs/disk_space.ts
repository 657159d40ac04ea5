import { statfsSync } from "node:fs";

/** Space on the file system holding a folder, in bytes. */
export interface DiskSpace {
  /** What an unprivileged writer may still use. */
  available: number;
  /** What is taken (by anyone) on the whole file system. */
  used: number;
}

/**
 * The space of the file system `path` is on, from `statfs(2)`, as Apache's
 * mod_dav_fs reports it for RFC 4331 quotas; `null` where the OS cannot say
 * or Deno was not given `--allow-sys=statfs` (never prompts).
 */
export function diskSpace(path: string): DiskSpace | null {
  if (Deno.permissions.querySync({ name: "sys", kind: "statfs" }).state !== "granted") return null;
  try {
    const fs = statfsSync(path);
    return {
      available: Number(fs.bavail) * Number(fs.bsize),
      used: (Number(fs.blocks) - Number(fs.bfree)) * Number(fs.bsize),
    };
  } catch {
    return null;
  }
}
