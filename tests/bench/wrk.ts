/**
 * Drives HTTP load with `wrk` and reads its summary.
 *
 * @module
 */

/** What one `wrk --latency` run measured. */
export interface WrkResult {
  requestsPerSecond: number;
  /** Bytes per second read, as wrk reports it. */
  bytesPerSecond: number;
  /** 99th percentile latency in milliseconds. */
  p99Ms: number;
  requests: number;
  /** Responses that were not 2xx or 3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors added up. */
  socketErrors: number;
}

const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
const TIME_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/**
 * Parses the text `wrk --latency` prints.
 *
 * @example
 * ```ts
 * parseWrkOutput("     99%    1.09ms\n  5 requests in 2.00s, 1MB read\n" +
 *   "Requests/sec:  27006.75\nTransfer/sec:      6.57MB\n").p99Ms; // 1.09
 * ```
 */
export function parseWrkOutput(text: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  const transfer = /^Transfer\/sec:\s+([\d.]+)([KMGT]?)B/m.exec(text);
  if (!rps || !transfer) throw new SyntaxError(`Unexpected wrk output:\n${text}`);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(text);
  const requests = /^\s+(\d+) requests in /m.exec(text);
  const non2xx = /^\s+Non-2xx or 3xx responses:\s+(\d+)/m.exec(text);
  const errors = /^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/m
    .exec(text);
  return {
    requestsPerSecond: Number(rps[1]),
    bytesPerSecond: Number(transfer[1]) * UNITS[transfer[2]],
    p99Ms: p99 ? Number(p99[1]) * TIME_MS[p99[2]] : NaN,
    requests: requests ? Number(requests[1]) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** One load run. */
export interface WrkOptions {
  url: string;
  connections: number;
  seconds: number;
  /** A Lua script file (e.g. random Range headers). */
  script?: string;
  /** Request headers, e.g. `["Accept-Encoding: gzip"]`. */
  headers?: string[];
  /** Prefix that pins wrk to a core. */
  pin: string[];
}

/** Runs wrk with one thread (it gets one core) and `--latency`. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const [program, ...args] = [
    ...options.pin,
    "wrk",
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "10s",
    "--latency",
    ...(options.script ? ["-s", options.script] : []),
    ...(options.headers ?? []).flatMap((header) => ["-H", header]),
    options.url,
  ];
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`wrk failed (${out.code}): ${text}${new TextDecoder().decode(out.stderr)}`);
  }
  return parseWrkOutput(text);
}

/**
 * A wrk Lua script asking for random `bytes=a-b` ranges of `length` bytes
 * inside a file of `size` bytes at `path`, from a per-thread random seed.
 */
export function randomRangeScript(path: string, size: number, length: number): string {
  return `-- random ${length}-byte ranges of ${path} (${size} bytes)
local path, size, length = ${JSON.stringify(path)}, ${size}, ${length}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", os.time() * 1000 + counter)
end
function init(args)
  math.randomseed(seed)
end
function request()
  local start = math.random(0, size - length)
  return wrk.format("GET", path, { ["Range"] = "bytes=" .. start .. "-" .. (start + length - 1) })
end
`;
}
