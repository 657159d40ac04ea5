/** The open-files limit of a process (`RLIMIT_NOFILE`); `null` means unlimited. */
export interface FdLimit {
  soft: number | null;
  hard: number | null;
}

/** Below this soft limit Sluice says at start how to raise it. */
export const LOW_FD_LIMIT = 4096;

/**
 * Reads the "Max open files" row of a `/proc/<pid>/limits` text, or returns
 * `null` when there is none.
 *
 * @example
 * ```ts
 * parseFdLimit("Max open files            1024                 524288               files");
 * // → { soft: 1024, hard: 524288 }
 * ```
 */
export function parseFdLimit(text: string): FdLimit | null {
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!match) return null;
  const value = (word: string) => word === "unlimited" ? null : Number(word);
  return { soft: value(match[1]), hard: value(match[2]) };
}

/**
 * The start-time advice for a low limit, or `null` when the limit is fine:
 * each connection, open file and watcher takes one descriptor.
 */
export function fdLimitAdvice(limit: FdLimit): string | null {
  if (limit.soft === null || limit.soft >= LOW_FD_LIMIT) return null;
  const target = limit.hard === null ? 65536 : Math.min(limit.hard, 65536);
  const raise = target > limit.soft
    ? `raise it with \`ulimit -n ${target}\` before starting, or LimitNOFILE=${target} in a systemd unit`
    : `the hard limit is ${limit.hard} too: raise it with LimitNOFILE= in a systemd unit or in ` +
      "/etc/security/limits.conf";
  return `sluice: the open-file limit is ${limit.soft}, so at most about that many connections, ` +
    `files and watchers at once; ${raise}`;
}

/**
 * This process's limit from `/proc/self/limits`, or `null` when it cannot be
 * read: not Linux, or Deno has no read permission for it (never prompts).
 */
export function readFdLimit(): FdLimit | null {
  const path = "/proc/self/limits";
  try {
    if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") return null;
    return parseFdLimit(Deno.readTextFileSync(path));
  } catch {
    return null;
  }
}
