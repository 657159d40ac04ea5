/**
 * Sluice against nginx: `deno task bench [--quick] [--out FILE] [--only 1,3]`.
 *
 * Starts each server alone, pinned to core 0, drives it from core 1 with
 * wrk, curl or `load_client.ts`, and prints one markdown table with absolute
 * figures and ratios to nginx (sendfile off and on). Progress goes to stderr.
 * Needs `wrk`, `nginx`, `curl` and `taskset` (`apt-get install wrk nginx
 * curl util-linux`); a scenario whose tool is missing is skipped with the
 * reason in the table.
 *
 * Scenarios: 1 small files, 2 one big download, 3 random ranges, 4 slow
 * clients, 5 idle SSE connections, 6 a streaming upload, 7 a 64 KiB text
 * file gzipped (nginx with `gzip on` and `gzip_static on`), 8 a tus upload
 * against a PUT (resumable_bench.ts), 9 WebDAV PROPFIND against Apache
 * mod_dav, 10 one change reaching SSE clients on a three-instance cluster
 * (cluster_bench.ts).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { denoRunArgs, spawnSluice } from "../helpers/sluice_process.ts";
import {
  type BenchData,
  createBenchData,
  FULL_SIZES,
  QUICK_SIZES,
  readSlice,
  warmPageCache,
} from "./bench_data.ts";
import { describeMachine, formatMachine, hasTool, type Machine } from "./machine.ts";
import { withRaisedFileLimit } from "./machine.ts";
import { startNginx } from "./nginx.ts";
import { clusterFanOut } from "./cluster_bench.ts";
import { countFds, readCpuMs, readMemory, sampleMemory } from "./proc_status.ts";
import { formatTable, type ResultRow, SERVER_LABELS, type ServerKind } from "./results_table.ts";
import { randomRangeScript, runWrk } from "./wrk.ts";
import { resumableUploadBench } from "./resumable_bench.ts";
import { propfindBench } from "./dav_bench.ts";

const MiB = 1024 * 1024;

/** Durations and sizes of one run. */
interface Plan {
  quick: boolean;
  warmupSeconds: number;
  seconds: number;
  downloads: number;
  slowSeconds: number;
  sseMax: number;
  uploadBytes: number;
}

const FULL: Plan = {
  quick: false,
  warmupSeconds: 3,
  seconds: 10,
  downloads: 3,
  slowSeconds: 20,
  sseMax: 10_000,
  uploadBytes: 2 * 1024 ** 3,
};

const QUICK: Plan = {
  quick: true,
  warmupSeconds: 1,
  seconds: 3,
  downloads: 2,
  slowSeconds: 5,
  sseMax: 1000,
  uploadBytes: 256 * MiB,
};

/** A server under test. */
interface Running {
  kind: ServerKind;
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

/** Everything a scenario needs. */
interface Bench {
  plan: Plan;
  machine: Machine;
  data: BenchData;
  tools: { wrk: boolean; nginx: boolean; curl: boolean };
  scratch: string;
  rows: ResultRow[];
}

const started = Date.now();

function progress(message: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  const stamp = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  console.error(`[bench ${stamp}] ${message}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const LOAD_CLIENT = fileURLToPath(new URL("./load_client.ts", import.meta.url));

/** Starts Sluice (`deno run main.ts`) pinned to the server core. */
async function startSluice(bench: Bench, root: string, extra: string[] = []): Promise<Running> {
  const sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(
      [
        "--allow-read",
        "--allow-write",
        "--allow-net",
        "--allow-env",
        ...(extra.includes("--drop-upload-cache") ? ["--allow-ffi"] : []),
      ],
      [root, "--port", "0", "--quiet", "--max-streams", "1000000", ...extra],
    ),
    prefix: withRaisedFileLimit(bench.machine.serverPin),
    env: { NO_COLOR: "1" },
  });
  return { kind: "sluice", url: sluice.url, pid: sluice.pid, stop: sluice.stop };
}

async function startServer(
  bench: Bench,
  kind: ServerKind,
  root = bench.data.root,
  options: { upload?: boolean } = {},
): Promise<Running> {
  if (kind === "sluice") {
    return await startSluice(bench, root, options.upload ? ["--upload"] : []);
  }
  const nginx = await startNginx(
    { root, sendfile: kind === "nginx-on", upload: options.upload },
    bench.machine.serverPin,
  );
  return { kind, url: nginx.url, pid: nginx.pid, stop: nginx.stop };
}

function serverKinds(bench: Bench): ServerKind[] {
  return bench.tools.nginx ? ["sluice", "nginx-off", "nginx-on"] : ["sluice"];
}

/** Runs `fn` against each server in turn, each started fresh and stopped after. */
async function eachServer(
  bench: Bench,
  fn: (server: Running) => Promise<void>,
  kinds = serverKinds(bench),
): Promise<void> {
  for (const kind of kinds) {
    const server = await startServer(bench, kind);
    try {
      await fn(server);
    } finally {
      await server.stop();
    }
  }
}

/**
 * Server CPU time (all threads) per request since `before`, in µs: steadier
 * than requests/s when other work shares the machine.
 */
function cpuPerRequest(pid: number, before: number | null, requests: number): number {
  const after = readCpuMs(pid);
  if (before === null || after === null || requests === 0) return NaN;
  return (after - before) * 1000 / requests;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function skipRow(scenario: string, metric: string, reason: string): ResultRow {
  progress(`${scenario}: skipped (${reason})`);
  return { scenario, metric, unit: "count", values: {}, skipped: reason };
}

// 1. Small files: requests/s and p99 latency with 64 connections.
async function smallFiles(bench: Bench): Promise<void> {
  const files = [
    { label: "1 KiB file", path: bench.data.paths.small },
    { label: "64 KiB file", path: bench.data.paths.medium },
  ];
  if (!bench.tools.wrk) {
    for (const f of files) bench.rows.push(skipRow(`1. ${f.label}`, "req/s", "wrk not installed"));
    return;
  }
  const rps = files.map((f): ResultRow => ({
    scenario: `1. ${f.label}, 64 connections`,
    metric: "requests/s",
    unit: "req/s",
    values: {},
    target: { minRatio: 0.8, against: "nginx-off", text: "≥ 0.8× nginx off" },
  }));
  const p99 = files.map((f): ResultRow => ({
    scenario: `1. ${f.label}, 64 connections`,
    metric: "p99 latency",
    unit: "ms",
    values: {},
  }));
  const cpu = files.map((f): ResultRow => ({
    scenario: `1. ${f.label}, 64 connections`,
    metric: "server CPU per request",
    unit: "µs",
    values: {},
  }));
  await eachServer(bench, async (server) => {
    for (const [i, f] of files.entries()) {
      const result = await smallFileRun(bench, server, f.path, f.label);
      rps[i].values[server.kind] = result.requestsPerSecond;
      p99[i].values[server.kind] = result.p99Ms;
      cpu[i].values[server.kind] = result.cpuUs;
    }
  });
  for (const i of files.keys()) bench.rows.push(rps[i], p99[i], cpu[i]);

  // Sluice once more with --watch: cache hits without a stat each.
  const watched = await startSluice(bench, bench.data.root, ["--watch"]);
  try {
    for (const [i, f] of files.entries()) {
      const result = await smallFileRun(bench, watched, f.path, `${f.label} (--watch)`);
      const scenario = `1. ${f.label}, 64 connections, Sluice --watch`;
      bench.rows.push(
        { ...rps[i], scenario, values: { ...rps[i].values, sluice: result.requestsPerSecond } },
        { ...cpu[i], scenario, values: { ...cpu[i].values, sluice: result.cpuUs } },
      );
    }
  } finally {
    await watched.stop();
  }
}

/** wrk with 64 connections against one small file: warm-up, then the measured run. */
async function smallFileRun(bench: Bench, server: Running, path: string, label: string) {
  const url = new URL(path, server.url).href;
  progress(`1. ${label}: ${SERVER_LABELS[server.kind]} warm-up`);
  await runWrk({
    url,
    connections: 64,
    seconds: bench.plan.warmupSeconds,
    pin: bench.machine.clientPin,
  });
  progress(`1. ${label}: ${SERVER_LABELS[server.kind]} ${bench.plan.seconds} s`);
  const cpuBefore = readCpuMs(server.pid);
  const result = await runWrk({
    url,
    connections: 64,
    seconds: bench.plan.seconds,
    pin: bench.machine.clientPin,
  });
  if (result.non2xx > 0 || result.socketErrors > 0) {
    progress(`  ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`);
  }
  return { ...result, cpuUs: cpuPerRequest(server.pid, cpuBefore, result.requests) };
}

// 2. One download of the big file over one connection.
async function bigDownload(bench: Bench): Promise<void> {
  const size = bench.data.sizes.big;
  const scenario = `2. ${size / MiB} MiB file, 1 connection`;
  if (!bench.tools.curl) {
    bench.rows.push(skipRow(scenario, "MB/s", "curl not installed"));
    return;
  }
  const row: ResultRow = {
    scenario,
    metric: `throughput (median of ${bench.plan.downloads})`,
    unit: "MB/s",
    values: {},
    target: { minRatio: 0.9, against: "nginx-off", text: "≥ 0.9× nginx off" },
  };
  const cpu: ResultRow = { scenario, metric: "server CPU per GiB sent", unit: "ms", values: {} };
  await eachServer(bench, async (server) => {
    const speeds: number[] = [];
    const cpuMs: number[] = [];
    for (let i = 0; i < bench.plan.downloads; i++) {
      await warmPageCache(bench.data.file(bench.data.paths.big));
      progress(`2. big download: ${SERVER_LABELS[server.kind]} run ${i + 1}`);
      const [program, ...args] = [
        ...bench.machine.clientPin,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{size_download} %{speed_download}",
        new URL(bench.data.paths.big, server.url).href,
      ];
      const cpuBefore = readCpuMs(server.pid);
      const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "null" })
        .output();
      cpuMs.push(((readCpuMs(server.pid) ?? NaN) - (cpuBefore ?? NaN)) * 1024 ** 3 / size);
      const [code, bytes, speed] = new TextDecoder().decode(out.stdout).trim().split(" ");
      if (code !== "200" || Number(bytes) !== size) {
        throw new Error(`big download from ${server.kind}: HTTP ${code}, ${bytes} bytes`);
      }
      speeds.push(Number(speed) / 1e6);
    }
    row.values[server.kind] = median(speeds);
    cpu.values[server.kind] = median(cpuMs);
  });
  bench.rows.push(row, cpu);
}

// 3. Random 64 KiB ranges of the big file.
async function randomRanges(bench: Bench): Promise<void> {
  const { big } = bench.data.paths;
  const size = bench.data.sizes.big;
  const scenario = `3. random 64 KiB ranges of ${size / MiB} MiB, 64 connections`;
  if (!bench.tools.wrk) {
    bench.rows.push(skipRow(scenario, "requests/s", "wrk not installed"));
    return;
  }
  const length = 64 * 1024;
  const script = join(bench.scratch, "ranges.lua");
  await Deno.writeTextFile(script, randomRangeScript(big, size, length));
  const rps: ResultRow = {
    scenario,
    metric: "requests/s",
    unit: "req/s",
    values: {},
  };
  const p99: ResultRow = { scenario, metric: "p99 latency", unit: "ms", values: {} };
  const cpu: ResultRow = { scenario, metric: "server CPU per request", unit: "µs", values: {} };
  const checked: string[] = [];
  await eachServer(bench, async (server) => {
    const url = new URL(big, server.url).href;
    const exact = await verifyRanges(bench, url, length, 16);
    checked.push(`${SERVER_LABELS[server.kind]} ${exact}/16`);
    await warmPageCache(bench.data.file(big));
    progress(`3. ranges: ${SERVER_LABELS[server.kind]} warm-up`);
    await runWrk({
      url,
      connections: 64,
      seconds: bench.plan.warmupSeconds,
      script,
      pin: bench.machine.clientPin,
    });
    await warmPageCache(bench.data.file(big));
    progress(`3. ranges: ${SERVER_LABELS[server.kind]} ${bench.plan.seconds} s`);
    const cpuBefore = readCpuMs(server.pid);
    const result = await runWrk({
      url,
      connections: 64,
      seconds: bench.plan.seconds,
      script,
      pin: bench.machine.clientPin,
    });
    if (result.non2xx > 0 || result.socketErrors > 0) {
      progress(`  ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`);
    }
    rps.values[server.kind] = result.requestsPerSecond;
    p99.values[server.kind] = result.p99Ms;
    cpu.values[server.kind] = cpuPerRequest(server.pid, cpuBefore, result.requests);
  });
  rps.note = `byte-exact samples: ${checked.join(", ")}`;
  bench.rows.push(rps, p99, cpu);
}

/** Fetches `count` random ranges and compares them with the file; returns how many matched. */
async function verifyRanges(
  bench: Bench,
  url: string,
  length: number,
  count: number,
): Promise<number> {
  const size = bench.data.sizes.big;
  let exact = 0;
  for (let i = 0; i < count; i++) {
    const start = Math.floor(Math.random() * (size - length));
    const end = start + length - 1;
    const res = await fetch(url, { headers: { range: `bytes=${start}-${end}` } });
    const body = await res.bytes();
    const expected = await readSlice(bench.data.file(bench.data.paths.big), start, length);
    const same = res.status === 206 &&
      res.headers.get("content-range") === `bytes ${start}-${end}/${size}` &&
      body.length === expected.length && body.every((b, j) => b === expected[j]);
    if (same) exact++;
    else progress(`  range ${start}-${end}: NOT byte-exact (status ${res.status})`);
  }
  return exact;
}

/** Spawns `load_client.ts` pinned to the client core; yields its JSON lines. */
function loadClient(bench: Bench, args: string[]) {
  const argv = withRaisedFileLimit([
    ...bench.machine.clientPin,
    Deno.execPath(),
    "run",
    "-A",
    LOAD_CLIENT,
    ...args,
  ]);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const writer = child.stdin.getWriter();
  return {
    child,
    async next(): Promise<Record<string, unknown>> {
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`load client ${args[0]} ended early`);
        buffered += value;
      }
      const line = buffered.slice(0, buffered.indexOf("\n"));
      buffered = buffered.slice(line.length + 1);
      return JSON.parse(line);
    },
    async send(line: string) {
      await writer.write(new TextEncoder().encode(line + "\n"));
    },
    async close() {
      await writer.close().catch(() => {});
      while (!(await reader.read()).done) { /* drain */ }
      return await child.status;
    },
  };
}

// 4. 200 slow clients: peak RSS, for the 100 MiB and the big file.
async function slowClients(bench: Bench): Promise<void> {
  const files = [
    { path: bench.data.paths.slow, size: bench.data.sizes.slow },
    { path: bench.data.paths.big, size: bench.data.sizes.big },
  ];
  for (const file of files) {
    const row: ResultRow = {
      scenario: `4. 200 slow clients of a ${file.size / MiB} MiB file`,
      metric: "server peak RSS",
      unit: "MiB",
      values: {},
      target: { maxValue: 100e6 / MiB, text: "< 100 MB" },
    };
    const fds: string[] = [];
    await eachServer(bench, async (server) => {
      await warmPageCache(bench.data.file(file.path));
      const idle = readMemory(server.pid);
      const fdsBefore = countFds(server.pid);
      progress(
        `4. slow clients (${file.size / MiB} MiB): ${SERVER_LABELS[server.kind]} ` +
          `${bench.plan.slowSeconds} s`,
      );
      const sampler = sampleMemory(server.pid);
      const client = loadClient(bench, [
        "slow",
        new URL(file.path, server.url).href,
        "200",
        "16384",
        "100",
        String(bench.plan.slowSeconds),
      ]);
      await client.next(); // connected
      const done = await client.next();
      await client.close();
      const memory = sampler.stop();
      await sleep(500);
      const fdsAfter = countFds(server.pid);
      fds.push(
        `${SERVER_LABELS[server.kind]} idle ${((idle?.rss ?? NaN) / MiB).toFixed(0)} MiB, ` +
          `fds ${fdsBefore}→${fdsAfter}`,
      );
      progress(
        `  idle ${((idle?.rss ?? 0) / MiB).toFixed(1)} MiB, peak ${
          (memory.hwm / MiB).toFixed(1)
        } MiB, read ${Math.round(Number(done.bytes) / MiB)} MiB, ${done.errors} errors`,
      );
      row.values[server.kind] = Math.max(memory.hwm, memory.maxSampled) / MiB;
    });
    row.note = `idle RSS, open fds before→after: ${fds.join("; ")}`;
    bench.rows.push(row);
  }
}

// 5. Idle SSE connections: RSS, and the time one change takes to reach all.
async function sseFanOut(bench: Bench): Promise<void> {
  const scenario = `5. idle SSE connections (up to ${bench.plan.sseMax.toLocaleString("en-US")})`;
  const server = await startServer(bench, "sluice");
  try {
    const probe = await fetch(new URL("/_/events", server.url), {
      headers: { accept: "text/event-stream" },
    });
    await probe.body?.cancel();
    if (probe.status !== 200) {
      bench.rows.push(
        skipRow(scenario, "RSS", `GET /_/events answers ${probe.status} (not built yet?)`),
      );
      return;
    }
    await sleep(200);
    const idle = readMemory(server.pid);
    const trigger = join(bench.data.root, "sse-trigger.txt");
    progress(`5. SSE: opening up to ${bench.plan.sseMax} connections`);
    const client = loadClient(bench, [
      "sse",
      new URL("/_/events", server.url).href,
      String(bench.plan.sseMax),
      trigger,
      "30000",
    ]);
    const connected = await client.next();
    await sleep(1000);
    const loaded = readMemory(server.pid);
    progress(
      `  ${connected.count} connected${connected.error ? ` (stopped: ${connected.error})` : ""}; ` +
        `RSS ${((idle?.rss ?? 0) / MiB).toFixed(1)} → ${((loaded?.rss ?? 0) / MiB).toFixed(1)} MiB`,
    );
    await client.send("go");
    const done = await client.next();
    await client.close();
    await Deno.remove(trigger).catch(() => {});
    const byName = Number(done.reachedByName);
    const reached = byName > 0 ? byName : Number(done.reachedByData);
    const lastMs = byName > 0 ? done.lastMsByName : done.lastMsByData;
    const count = Number(connected.count);
    bench.rows.push({
      scenario,
      metric: "connections held",
      unit: "count",
      values: { sluice: count },
      note: connected.error ? `limit: ${connected.error}` : undefined,
    }, {
      scenario,
      metric: "server RSS with all connected",
      unit: "MiB",
      values: { sluice: (loaded?.rss ?? NaN) / MiB },
      note: `idle before: ${((idle?.rss ?? 0) / MiB).toFixed(1)} MiB`,
      target: count >= 10_000 ? { maxValue: 300e6 / MiB, text: "< 300 MB at 10,000" } : undefined,
    }, {
      scenario,
      metric: "one change reaches all",
      unit: "ms",
      values: lastMs === null ? {} : { sluice: Number(lastMs) },
      note: `${reached} of ${count} reached${byName > 0 ? "" : " (by any data: line)"}`,
    });
  } finally {
    await server.stop();
  }
}

// 6. One streaming upload: MB/s and peak RSS.
async function upload(bench: Bench): Promise<void> {
  const size = bench.plan.uploadBytes;
  const scenario = `6. ${size / MiB} MiB streaming PUT`;
  const speed: ResultRow = { scenario, metric: "throughput", unit: "MB/s", values: {} };
  const rss: ResultRow = { scenario, metric: "server peak RSS", unit: "MiB", values: {} };
  const cpu: ResultRow = {
    scenario,
    metric: "server CPU per GiB received",
    unit: "ms",
    values: {},
  };
  const kinds: ServerKind[] = bench.tools.nginx ? ["sluice", "nginx-off"] : ["sluice"];
  for (const kind of kinds) {
    const dir = await Deno.makeTempDir({ prefix: "sluice-bench-upload-" });
    const server = await startServer(bench, kind, dir, { upload: true });
    try {
      const probe = await fetch(new URL("/probe.bin", server.url), { method: "PUT", body: "x" });
      await probe.body?.cancel();
      if (probe.status >= 300) {
        if (kind === "sluice") {
          bench.rows.push(skipRow(scenario, "MB/s", `PUT answers ${probe.status}`));
          return;
        }
        progress(`6. upload: ${SERVER_LABELS[kind]} answers PUT with ${probe.status}`);
        continue;
      }
      progress(`6. upload: ${SERVER_LABELS[kind]} ${size / MiB} MiB`);
      const cpuBefore = readCpuMs(server.pid);
      const client = loadClient(bench, [
        "upload",
        new URL("/upload.bin", server.url).href,
        `${size}`,
      ]);
      const done = await client.next();
      const cpuMs = (readCpuMs(server.pid) ?? NaN) - (cpuBefore ?? NaN);
      await client.close();
      const memory = readMemory(server.pid);
      const stored = (await Deno.stat(join(dir, "upload.bin")).catch(() => null))?.size;
      if (Number(done.status) >= 300 || stored !== size) {
        progress(`  upload answered ${done.status}, stored ${stored} bytes`);
        continue;
      }
      speed.values[kind] = size / Number(done.seconds) / 1e6;
      rss.values[kind] = (memory?.hwm ?? NaN) / MiB;
      cpu.values[kind] = cpuMs * 1024 ** 3 / size;
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  }
  if (bench.tools.nginx) speed.note = "nginx: WebDAV PUT, buffers the body to a temp file";
  bench.rows.push(speed, rss, cpu);
}

/** 64 KiB of text with the statistics of prose: words in a seeded random order. */
function benchText(): string {
  const words = "the stream of a file and its range sent in bytes to clients over http".split(" ");
  let text = "";
  let state = 7;
  while (text.length < 64 * 1024) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += words[(state >> 8) % words.length] + ((state >> 4) % 9 === 0 ? ".\n" : " ");
  }
  return text.slice(0, 64 * 1024);
}

// 7. A 64 KiB text file to clients sending `Accept-Encoding: gzip`: Sluice
// gzips it once into its cache; nginx (`gzip on`, `gzip_static on`) per
// request, or sends the `.gz` beside it when there is one.
async function compressedText(bench: Bench): Promise<void> {
  const files = [
    { label: "gzipped by the server", path: "/text-64k.txt" },
    { label: "precompressed .gz beside it", path: "/static-64k.txt" },
  ];
  const scenarios = files.map((f) =>
    `7. 64 KiB text, Accept-Encoding: gzip, ${f.label}, 64 connections`
  );
  if (!bench.tools.wrk) {
    for (const scenario of scenarios) {
      bench.rows.push(skipRow(scenario, "req/s", "wrk not installed"));
    }
    return;
  }
  const text = benchText();
  await Deno.writeTextFile(join(bench.data.root, "text-64k.txt"), text);
  await Deno.writeTextFile(join(bench.data.root, "static-64k.txt"), text);
  await Deno.writeFile(join(bench.data.root, "static-64k.txt.gz"), gzipSync(text, { level: 9 }));
  const rows = scenarios.map((scenario) => ({
    rps: { scenario, metric: "requests/s", unit: "req/s", values: {} } as ResultRow,
    bytes: { scenario, metric: "bytes per response", unit: "count", values: {} } as ResultRow,
    cpu: { scenario, metric: "server CPU per request", unit: "µs", values: {} } as ResultRow,
  }));
  for (const kind of serverKinds(bench)) {
    const server = kind === "sluice"
      ? await startSluice(bench, bench.data.root)
      : await (async (): Promise<Running> => {
        const sendfile = kind === "nginx-on";
        const nginx = await startNginx(
          { root: bench.data.root, sendfile, gzip: true },
          bench.machine.serverPin,
        );
        return { kind, url: nginx.url, pid: nginx.pid, stop: nginx.stop };
      })();
    try {
      for (const [i, f] of files.entries()) {
        const url = new URL(f.path, server.url).href;
        const probe = await fetch(url, { headers: { "accept-encoding": "gzip" } });
        await probe.body?.cancel();
        if (probe.headers.get("content-encoding") !== "gzip") {
          progress(`7. ${SERVER_LABELS[kind]} did not gzip ${f.path}`);
        }
        const headers = ["Accept-Encoding: gzip"];
        const pin = bench.machine.clientPin;
        progress(`7. ${f.label}: ${SERVER_LABELS[kind]} warm-up`);
        await runWrk({ url, connections: 64, seconds: bench.plan.warmupSeconds, pin, headers });
        progress(`7. ${f.label}: ${SERVER_LABELS[kind]} ${bench.plan.seconds} s`);
        const cpuBefore = readCpuMs(server.pid);
        const result = await runWrk({
          url,
          connections: 64,
          seconds: bench.plan.seconds,
          pin,
          headers,
        });
        rows[i].rps.values[kind] = result.requestsPerSecond;
        // wrk's figure counts headers too: the same few hundred bytes for every server.
        rows[i].bytes.values[kind] = result.bytesPerSecond / result.requestsPerSecond;
        rows[i].cpu.values[kind] = cpuPerRequest(server.pid, cpuBefore, result.requests);
      }
    } finally {
      await server.stop();
    }
  }
  for (const row of rows) bench.rows.push(row.rps, row.bytes, row.cpu);
}

// 8. A tus upload in 16 MiB PATCHes against a PUT of the same size (resumable_bench.ts).
async function resumableUpload(bench: Bench): Promise<void> {
  bench.rows.push(
    ...await resumableUploadBench({
      bytes: bench.plan.uploadBytes,
      start: (root, extra) => startSluice(bench, root, extra),
      clientPin: bench.machine.clientPin,
      progress,
    }),
  );
}

// 9. PROPFIND Depth: 1 of a 10,000-file folder against Apache mod_dav (dav_bench.ts).
async function davPropfind(bench: Bench): Promise<void> {
  if (!bench.tools.curl) {
    bench.rows.push(skipRow("9. PROPFIND Depth: 1", "ms", "curl not installed"));
    return;
  }
  bench.rows.push(
    ...await propfindBench({
      files: 10_000,
      runs: bench.plan.quick ? 3 : 7,
      startSluice: (root) => startSluice(bench, root),
      serverPin: bench.machine.serverPin,
      clientPin: bench.machine.clientPin,
      progress,
    }),
  );
}

// 10. A cluster: one change to SSE clients spread over three instances on one Redis.
async function clusterEvents(bench: Bench): Promise<void> {
  const clients = bench.plan.quick ? 300 : 1000;
  const scenario = `10. cluster: one change to ${clients} SSE clients on 3 instances`;
  if (!(await hasTool("redis-server"))) {
    bench.rows.push(skipRow(scenario, "ms", "redis-server not installed"));
    return;
  }
  const rows = await clusterFanOut(clients, progress);
  bench.rows.push(...rows.map((row) => ({ ...row, scenario })));
}

const SCENARIOS: ((bench: Bench) => Promise<void>)[] = [
  smallFiles,
  bigDownload,
  randomRanges,
  slowClients,
  sseFanOut,
  upload,
  compressedText,
  resumableUpload,
  davPropfind,
  clusterEvents,
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log("Usage: deno task bench [--quick] [--out FILE] [--only 1,2,3,4,5,6,7,8,9,10]");
    return;
  }
  const only = values.only
    ? new Set(values.only.split(",").map(Number))
    : new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const plan = values.quick ? QUICK : FULL;
  const machine = await describeMachine();
  const tools = {
    wrk: await hasTool("wrk"),
    nginx: await hasTool("nginx"),
    curl: await hasTool("curl"),
  };
  console.error(formatMachine(machine));
  for (const [tool, present] of Object.entries(tools)) {
    if (!present) progress(`${tool} not installed: apt-get install ${tool}`);
  }

  const scratch = await Deno.makeTempDir({ prefix: "sluice-bench-" });
  await using data = await createBenchData(plan.quick ? QUICK_SIZES : FULL_SIZES, progress);
  const bench: Bench = { plan, machine, data, tools, scratch, rows: [] };
  try {
    for (const [i, scenario] of SCENARIOS.entries()) {
      if (only.has(i + 1)) await scenario(bench);
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }

  const report = [
    `## Sluice ${plan.quick ? "quick " : ""}benchmark, ${new Date().toISOString().slice(0, 16)}Z`,
    "",
    formatMachine(machine),
    "",
    formatTable(bench.rows),
    "",
  ].join("\n");
  console.log(report);
  if (values.out) {
    await Deno.writeTextFile(values.out, report);
    progress(`wrote ${values.out}`);
  }
  progress("done");
}

if (import.meta.main) await main();
