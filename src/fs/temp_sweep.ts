import { join } from "node:path";
import { TEMP_PREFIX } from "../path/decode_path.ts";

/** What `sweepTemps` may remove and how far it looks. */
export interface SweepOptions {
  /**
   * Only temp files unchanged for at least this many ms go. A running upload
   * writes its temp file at least every megabyte, so an old one belongs to
   * an upload that died with its process — this process or another Sluice
   * sharing ROOT, even on another host, where a pid would mean nothing.
   */
  staleAfterMs: number;
  /** Temp files of this process's running uploads (`ServerState.temps`): never removed. */
  running: ReadonlySet<string>;
  /** Stops the walk (shutdown). */
  signal?: AbortSignal;
  /** Most directory entries looked at (default 100,000): a bounded walk. */
  maxEntries?: number;
  /** Milliseconds since the epoch (tests pass a fixed clock). */
  now?: () => number;
}

/** What a sweep did. */
export interface SweepResult {
  /** Paths removed. */
  removed: string[];
  /** Whether the walk stopped at `maxEntries` or on the signal. */
  truncated: boolean;
}

/**
 * Removes upload temp files (`.sluice-upload-*`) that uploads killed with
 * their process (`kill -9`, power loss) left under `root`: the graceful
 * shutdown removes its own, a crash cannot. Symlinks are not followed;
 * entries that vanish or cannot be read are skipped.
 *
 * @example
 * ```ts
 * const { removed } = await sweepTemps("/srv", { staleAfterMs: 3_600_000, running: new Set() });
 * ```
 */
export async function sweepTemps(root: string, options: SweepOptions): Promise<SweepResult> {
  const { staleAfterMs, running, signal, maxEntries = 100_000, now = Date.now } = options;
  const removed: string[] = [];
  const folders = [root];
  let visited = 0;
  while (folders.length > 0) {
    const dir = folders.pop()!;
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (signal?.aborted || ++visited > maxEntries) return { removed, truncated: true };
        const path = join(dir, entry.name);
        if (entry.isDirectory) folders.push(path);
        else if (entry.isFile && entry.name.startsWith(TEMP_PREFIX) && !running.has(path)) {
          if (await removeIfStale(path, now() - staleAfterMs)) removed.push(path);
        }
      }
    } catch {
      // A folder that vanished or cannot be read: nothing of ours to sweep there.
    }
  }
  return { removed, truncated: false };
}

async function removeIfStale(path: string, before: number): Promise<boolean> {
  try {
    const stat = await Deno.lstat(path);
    if (!stat.isFile || (stat.mtime?.getTime() ?? 0) > before) return false;
    await Deno.remove(path);
    return true;
  } catch {
    return false;
  }
}
