/**
 * What the benchmark runs on: tool availability, exact versions, CPU and
 * kernel, and the `taskset` prefixes that pin servers and clients.
 *
 * @module
 */

/** Runs a command and returns its stdout and stderr, or `null` when it cannot start. */
export async function capture(
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string } | null> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Whether `name` is an executable on `PATH`. */
export async function hasTool(name: string): Promise<boolean> {
  const out = await capture("sh", ["-c", `command -v ${name}`]);
  return out !== null && out.code === 0 && out.stdout.trim() !== "";
}

/** The machine and the tools, as printed above the results. */
export interface Machine {
  deno: string;
  nginx: string | null;
  wrk: string | null;
  curl: string | null;
  kernel: string;
  cpu: string;
  cores: number;
  memory: string;
  /** Prefix that pins a server to core 0, or `[]` without taskset / a second core. */
  serverPin: string[];
  /** Prefix that pins a load generator to core 1. */
  clientPin: string[];
}

function firstLine(text: string | undefined): string | null {
  const line = text?.split("\n").find((l) => l.trim() !== "");
  return line?.trim() ?? null;
}

/** Collects versions and CPU facts; tools that are missing come back as `null`. */
export async function describeMachine(): Promise<Machine> {
  const [nginx, wrk, curl, taskset] = await Promise.all([
    capture("nginx", ["-v"]),
    capture("wrk", ["-v"]),
    capture("curl", ["-V"]),
    hasTool("taskset"),
  ]);
  let cpu = "unknown";
  let memory = "unknown";
  let kernel = "unknown";
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1] ?? cpu;
    const kib = /^MemTotal:\s+(\d+) kB/m.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1];
    if (kib) memory = `${(Number(kib) / 1024 / 1024).toFixed(1)} GiB`;
    kernel = Deno.readTextFileSync("/proc/sys/kernel/osrelease").trim();
  } catch {
    // Not Linux: leave the unknowns.
  }
  const cores = navigator.hardwareConcurrency;
  const pin = taskset && cores >= 2;
  return {
    deno: `deno ${Deno.version.deno} (v8 ${Deno.version.v8})`,
    nginx: nginx
      ? firstLine(nginx.stderr + nginx.stdout)?.replace(/^nginx version: /, "") ?? null
      : null,
    wrk: wrk ? firstLine(wrk.stdout)?.replace(/ Copyright.*$/, "") ?? null : null,
    curl: curl ? firstLine(curl.stdout)?.split(" ").slice(0, 2).join(" ") ?? null : null,
    kernel,
    cpu,
    cores,
    memory,
    serverPin: pin ? ["taskset", "-c", "0"] : [],
    clientPin: pin ? ["taskset", "-c", "1"] : [],
  };
}

/** The machine as markdown bullet lines. */
export function formatMachine(machine: Machine): string {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} RAM, Linux ${machine.kernel}`,
    `- ${machine.deno}; nginx ${machine.nginx ?? "not installed"}; ${
      machine.wrk ?? "wrk not installed"
    }; ${machine.curl ?? "curl not installed"}`,
    machine.serverPin.length > 0
      ? "- servers pinned to core 0 (`taskset -c 0`), load generators to core 1"
      : "- not pinned (taskset missing or a single core): numbers are noisier",
  ].join("\n");
}

/**
 * Wraps a command so it runs with the open-file limit raised to the hard
 * limit (needed for thousands of SSE connections).
 */
export function withRaisedFileLimit(argv: string[]): string[] {
  return ["sh", "-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...argv];
}
