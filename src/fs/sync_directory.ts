/**
 * Makes a rename in `dir` durable (fsync of the folder); best effort, as
 * not every file system allows it.
 *
 * @example
 * ```ts
 * await Deno.rename(temp, target);
 * await syncDirectory(dirname(target));
 * ```
 */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // The data is already synced; only the directory entry may lag.
  }
}
