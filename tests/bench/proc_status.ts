/**
 * Memory and file-descriptor readings of a process from Linux's `/proc`.
 *
 * @module
 */

/** Resident set sizes of a process, in bytes. */
export interface MemoryReading {
  /** Current resident set size (`VmRSS`). */
  rss: number;
  /** Peak resident set size since the process started (`VmHWM`). */
  hwm: number;
}

/**
 * Parses the `VmRSS` and `VmHWM` lines of `/proc/<pid>/status`.
 *
 * @example
 * ```ts
 * parseProcStatus("VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"); // { rss: 1048576, hwm: 2097152 }
 * ```
 */
export function parseProcStatus(text: string): MemoryReading {
  const kib = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    if (!match) throw new SyntaxError(`No ${name} line in /proc status`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

/** Reads the memory of `pid`, or `null` when `/proc` is missing or the process is gone. */
export function readMemory(pid: number): MemoryReading | null {
  try {
    return parseProcStatus(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return null;
  }
}

/** Number of open file descriptors of `pid`, or `null` when unreadable. */
export function countFds(pid: number): number | null {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
    return n;
  } catch {
    return null;
  }
}

/**
 * Samples `pid`'s resident set every `intervalMs` until `stop()`; the result
 * holds the highest sample and the kernel's own peak (`VmHWM`).
 */
export function sampleMemory(pid: number, intervalMs = 100): {
  stop(): MemoryReading & { maxSampled: number };
} {
  let maxSampled = 0;
  const take = () => {
    const reading = readMemory(pid);
    if (reading) maxSampled = Math.max(maxSampled, reading.rss);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const last = readMemory(pid) ?? { rss: 0, hwm: 0 };
      return { ...last, maxSampled };
    },
  };
}

/**
 * CPU time (user + system, all threads) `pid` has used, in milliseconds,
 * from `/proc/<pid>/stat`; `null` when unreadable. Assumes 100 ticks/s.
 */
export function readCpuMs(pid: number): number | null {
  try {
    return parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/**
 * User plus system CPU milliseconds from a `/proc/<pid>/stat` line (fields
 * 14 and 15, counted after the parenthesised command name).
 *
 * @example
 * ```ts
 * parseProcStat("42 (deno) S 1 42 42 0 -1 0 0 0 0 0 150 50 0 0"); // 2000
 * ```
 */
export function parseProcStat(line: string): number {
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new SyntaxError("Unexpected /proc stat line");
  return ticks * 10;
}
