/**
 * Starts Sluice as a separate process (`deno run main.ts` or a compiled
 * binary) and reads its URL from the start line.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** What the start line `Sluice <ver> serving <root> at <url> (<mode>)` says. */
export interface StartLine {
  version: string;
  root: string;
  url: string;
  mode: "read-only" | "read-write";
}

const START_LINE = /^Sluice (\S+) serving (.+) at (\S+) \((read-only|read-write)\)$/;

/**
 * Parses Sluice's start line, or returns `null` for any other line.
 *
 * @example
 * ```ts
 * parseStartLine("Sluice 0.1.0 serving /srv at http://127.0.0.1:8000/ (read-only)");
 * // → { version: "0.1.0", root: "/srv", url: "http://127.0.0.1:8000/", mode: "read-only" }
 * ```
 */
export function parseStartLine(line: string): StartLine | null {
  const match = START_LINE.exec(line.trimEnd());
  if (!match) return null;
  return {
    version: match[1],
    root: match[2],
    url: match[3],
    mode: match[4] as StartLine["mode"],
  };
}

/** A running Sluice process; `await using` stops it with SIGTERM. */
export interface SluiceProcess extends StartLine, AsyncDisposable {
  child: Deno.ChildProcess;
  /** Process id, e.g. for reading `/proc/<pid>/status`. */
  pid: number;
  /** Resolves a path against the server's URL. */
  href(path: string): string;
  /** Sends SIGTERM and waits for the exit and the end of its output. */
  stop(): Promise<Deno.CommandStatus>;
}

/** How to spawn Sluice. */
export interface SpawnOptions {
  /** The program: `Deno.execPath()` for `deno run`, or a compiled binary. */
  command: string;
  /** Arguments, e.g. `["run", "-A", "/repo/main.ts", root, "--port", "0"]`. */
  args: string[];
  /** Working directory of the child. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Wraps the command, e.g. `["taskset", "-c", "0"]`. */
  prefix?: string[];
}

/** The `deno run` arguments that start this checkout's `main.ts`. */
export function denoRunArgs(permissions: string[], sluiceArgs: string[]): string[] {
  const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
  return ["run", ...permissions, main, ...sluiceArgs];
}

/**
 * Spawns Sluice and resolves once it printed its start line. Rejects with
 * the child's stderr when it exits first. Later output is drained (and
 * dropped) so the child never blocks on a full pipe.
 */
export async function spawnSluice(options: SpawnOptions): Promise<SluiceProcess> {
  const [program, ...prefixArgs] = [...(options.prefix ?? []), options.command];
  const child = new Deno.Command(program, {
    args: [...prefixArgs, ...options.args],
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let stderrText = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        if (stderrText.length < 16_384) stderrText += chunk;
      },
    }),
  );

  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  let start: StartLine | null = null;
  while (start === null) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let newline;
    while (start === null && (newline = buffered.indexOf("\n")) >= 0) {
      start = parseStartLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  }
  const stdoutDone = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();

  if (start === null) {
    const status = await child.status;
    await Promise.all([stdoutDone, stderrDone]);
    throw new Error(
      `Sluice exited with code ${status.code} before printing its start line:\n${stderrText}`,
    );
  }

  let stopping: Promise<Deno.CommandStatus> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already exited.
      }
      const status = await child.status;
      await Promise.all([stdoutDone, stderrDone]);
      return status;
    })();
    return stopping;
  };
  const url = start.url;
  return {
    ...start,
    child,
    pid: child.pid,
    href: (path: string) => new URL(path, url).href,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}
