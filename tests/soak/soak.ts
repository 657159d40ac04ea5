/**
 * Soak test: `deno task soak [--minutes N] [--seed S] [-- SLUICE FLAGS]`
 * (not part of `deno task test`; flags after `--` go to Sluice, e.g.
 * `-- --header-timeout 20000`). Runs Sluice as its own process under mixed load for N
 * minutes — downloads, ranges, listings, SSE subscribers that come and go,
 * uploads, aborted requests and malformed requests from a seeded fuzzer —
 * sampling its RSS and open descriptors. Fails (exit 1) when either grows
 * without bound, a request gets an unexpected 5xx or error, or the process
 * exits. Prints a table of the samples and the counts at the end.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fixtureBytes } from "../helpers/http_fixtures.ts";
import { tempDir } from "../helpers/server.ts";
import { denoRunArgs, spawnSluice } from "../helpers/sluice_process.ts";
import { countFds, readMemory } from "../bench/proc_status.ts";
import { judgeGrowth } from "./growth.ts";
import { malformedRequest, random } from "./malformed_requests.ts";

const { values, positionals: sluiceFlags } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { minutes: { type: "string", default: "5" }, seed: { type: "string", default: "1" } },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) {
  console.error("soak: --minutes must be a positive number");
  Deno.exit(2);
}
const rand = random(Number(values.seed));
const WORKERS = 12;
const SAMPLE_MS = 5000;
const MiB = 1024 * 1024;

const BIG = fixtureBytes(8 * MiB);
const SMALL = "0123456789\n".repeat(100);

await using root = await tempDir({
  "small.txt": SMALL,
  "big.bin": BIG,
  ...Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`dir/f${i}.txt`, `file ${i}`])),
  "up/.keep": "",
});
await using state = await tempDir();
const sluice = await spawnSluice({
  command: Deno.execPath(),
  args: denoRunArgs(
    ["--allow-read", "--allow-write", "--allow-net"],
    [root.path, "--port", "0", "--quiet", "--upload", "--state", state.path, ...sluiceFlags],
  ),
  env: { NO_COLOR: "1" },
});
let exitedWith: number | null = null;
sluice.child.status.then((status) => exitedWith = status.code);

/** Outcome counts by action; `unexpected` lists what made the run fail. */
const counts = new Map<string, number>();
const unexpected: string[] = [];
function count(what: string): void {
  counts.set(what, (counts.get(what) ?? 0) + 1);
}
function fail(what: string): void {
  count("unexpected");
  if (unexpected.length < 20) unexpected.push(what);
}

/** Checks a status: 5xx is always unexpected; `ok` lists what this action may get. */
function expectStatus(action: string, status: number, ok: number[]): void {
  count(action);
  if (status >= 500 || !ok.includes(status)) fail(`${action}: status ${status}`);
}

const DOWNLOADS: [string, number][] = [
  ["/small.txt", SMALL.length],
  ["/big.bin", BIG.length],
  ["/dir/f7.txt", "file 7".length],
];
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const ACTIONS: Record<string, () => Promise<void>> = {
  async download() {
    const [path, length] = pick(DOWNLOADS);
    // fetch decodes a compressed text body: compare what the file holds.
    const res = await fetch(sluice.href(path));
    const body = await res.arrayBuffer();
    expectStatus("download", res.status, [200]);
    if (body.byteLength !== length) fail(`download: ${body.byteLength} of ${length} bytes`);
  },
  async range() {
    const start = Math.floor(rand() * BIG.length);
    const end = Math.min(BIG.length - 1, start + Math.floor(rand() * 256 * 1024));
    const res = await fetch(sluice.href("/big.bin"), {
      headers: { range: `bytes=${start}-${end}` },
    });
    const body = new Uint8Array(await res.arrayBuffer());
    expectStatus("range", res.status, [206]);
    if (body.length !== end - start + 1 || body[0] !== BIG[start]) fail("range: wrong bytes");
  },
  async listing() {
    const json = rand() < 0.5;
    const url = sluice.href(pick(["/", "/dir/", "/dir/?q=f1", "/up/"]));
    const res = await fetch(url, { headers: json ? { accept: "application/json" } : {} });
    await res.arrayBuffer();
    expectStatus("listing", res.status, [200]);
  },
  async sse() {
    const controller = new AbortController();
    const path = pick(["/_/events", "/_/sse/countdown?from=100&interval=200"]);
    const res = await fetch(sluice.href(path), { signal: controller.signal });
    expectStatus("sse", res.status, [200]);
    const reader = res.body!.getReader();
    await reader.read();
    await pause(200 + rand() * 2000);
    controller.abort();
    await reader.cancel().catch(() => {});
  },
  async upload() {
    const body = fixtureBytes(Math.floor(rand() * 256 * 1024), Math.floor(rand() * 1e9));
    const res = await fetch(sluice.href(`/up/u${Math.floor(rand() * 20)}.bin`), {
      method: "PUT",
      body,
    });
    await res.arrayBuffer();
    // Two uploads racing to one name: the loser may be refused (409/412/423).
    expectStatus("upload", res.status, [201, 204, 409, 412, 423]);
  },
  async abortedDownload() {
    const controller = new AbortController();
    const res = await fetch(sluice.href("/big.bin"), { signal: controller.signal });
    expectStatus("aborted download", res.status, [200]);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
  },
  async abortedUpload() {
    const { hostname, port } = new URL(sluice.url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      const head = `PUT /up/aborted${Math.floor(rand() * 5)}.bin HTTP/1.1\r\nHost: x\r\n` +
        `Content-Length: ${MiB}\r\n\r\n`;
      await conn.write(new TextEncoder().encode(head));
      await conn.write(fixtureBytes(64 * 1024));
      await pause(rand() * 200);
    } finally {
      conn.close();
    }
    count("aborted upload");
  },
  async malformed() {
    const { hostname, port } = new URL(sluice.url);
    const conn = await Deno.connect({ hostname, port: Number(port) });
    try {
      await conn.write(malformedRequest(rand)).catch(() => {});
      await conn.closeWrite().catch(() => {});
      const status = await readStatus(conn);
      count("malformed");
      if (status !== null && status >= 500) fail(`malformed: status ${status}`);
    } finally {
      conn.close();
    }
  },
};
const WEIGHTS: [string, number][] = [
  ["download", 4],
  ["range", 4],
  ["listing", 2],
  ["sse", 1],
  ["upload", 2],
  ["abortedDownload", 1],
  ["abortedUpload", 1],
  ["malformed", 3],
];
const WHEEL = WEIGHTS.flatMap(([name, weight]) => Array<string>(weight).fill(name));

/** The status of the first response on `conn`, or `null` when it closed without one. */
async function readStatus(conn: Deno.Conn): Promise<number | null> {
  const buffer = new Uint8Array(64);
  let text = "";
  const timer = setTimeout(() => conn.close(), 10_000);
  try {
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
  } catch {
    // Reset: the server dropped a request it could not parse.
  } finally {
    clearTimeout(timer);
  }
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : null;
}

const deadlineAt = performance.now() + minutes * 60_000;
async function worker(): Promise<void> {
  while (performance.now() < deadlineAt && exitedWith === null) {
    const action = pick(WHEEL);
    try {
      await ACTIONS[action]();
    } catch (error) {
      fail(`${action}: ${(error as Error).message}`);
    }
  }
}

interface Sample {
  at: number;
  rss: number;
  fds: number;
  requests: number;
}
const samples: Sample[] = [];
const started = performance.now();
const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
const take = () => {
  const memory = readMemory(sluice.pid);
  const fds = countFds(sluice.pid);
  if (memory && fds !== null) {
    samples.push({ at: performance.now() - started, rss: memory.rss, fds, requests: total() });
  }
};
take();
const sampler = setInterval(take, SAMPLE_MS);
await Promise.all(Array.from({ length: WORKERS }, worker));
clearInterval(sampler);
take();

const rss = judgeGrowth(samples.map((s) => s.rss), { ratio: 1.5, slack: 64 * MiB });
const fds = judgeGrowth(samples.map((s) => s.fds), { ratio: 1.5, slack: 64 });
const alive = exitedWith === null;
await sluice.stop();

console.log("| time | RSS MiB | open fds | requests |");
console.log("|---:|---:|---:|---:|");
for (const s of samples) {
  console.log(
    `| ${(s.at / 1000).toFixed(0)} s | ${(s.rss / MiB).toFixed(1)} | ${s.fds} | ${s.requests} |`,
  );
}
console.log();
console.log("| outcome | count |");
console.log("|---|---:|");
for (const [what, n] of [...counts].sort()) console.log(`| ${what} | ${n} |`);
console.log();
console.log(
  `RSS ${(rss.early / MiB).toFixed(1)} → ${(rss.late / MiB).toFixed(1)} MiB ` +
    `(${rss.bounded ? "bounded" : "GROWING"}); fds ${fds.early} → ${fds.late} ` +
    `(${fds.bounded ? "bounded" : "GROWING"}); process ${
      alive ? "alive" : `EXITED (${exitedWith})`
    }`,
);
for (const line of unexpected) console.log(`unexpected: ${line}`);
const passed = rss.bounded && fds.bounded && alive && unexpected.length === 0;
console.log(passed ? "soak passed" : "soak FAILED");
if (!passed) Deno.exitCode = 1;
