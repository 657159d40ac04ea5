/**
 * The cluster scenario of `deno task bench`: one redis-server, three Sluice
 * instances over one folder, SSE clients spread evenly over them, and one
 * change made through the first instance. Reports when the last client saw
 * it, and how many Redis round trips all instances made for it.
 *
 * Standalone: `deno run -A tests/bench/cluster_bench.ts [CLIENTS]`.
 *
 * @module
 */
import { startRedis } from "../helpers/redis_server.ts";
import { denoRunArgs, type SluiceProcess, spawnSluice } from "../helpers/sluice_process.ts";
import { withRaisedFileLimit } from "./machine.ts";
import type { ResultRow } from "./results_table.ts";

const encoder = new TextEncoder();

/** Opens one raw SSE connection and resolves when `name` shows up in its stream. */
async function listen(url: URL, name: string, ready: () => void): Promise<() => Promise<number>> {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  await conn.write(encoder.encode(
    `GET /_/events HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`,
  ));
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  const seen = (async () => {
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) return NaN;
        text += decoder.decode(buffer.subarray(0, n));
        if (text.includes("event: ready")) {
          ready();
          text = text.slice(text.indexOf("event: ready") + 12);
        }
        if (text.includes(name)) return performance.now();
        if (text.length > 8192) text = text.slice(-4096);
      }
    } catch {
      return NaN;
    }
  })();
  return async () => {
    const at = await seen;
    conn.close();
    return at;
  };
}

/** Round trips to the state store an instance reports in `/_/metrics`. */
async function roundTrips(sluice: SluiceProcess): Promise<number> {
  const text = await (await fetch(sluice.href("/_/metrics"))).text();
  const match = /^sluice_state_store_round_trips_total\{[^}]*\} (\d+)/m.exec(text);
  return match ? Number(match[1]) : NaN;
}

/**
 * Runs the scenario with `clients` SSE clients over three instances and
 * returns its table rows.
 */
export async function clusterFanOut(
  clients: number,
  progress: (line: string) => void = console.error,
): Promise<ResultRow[]> {
  const scenario = `cluster: one change to ${
    clients.toLocaleString("en-US")
  } SSE clients on 3 instances`;
  await using redis = await startRedis();
  const root = await Deno.makeTempDir({ prefix: "sluice-cluster-bench-" });
  const instances: SluiceProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      instances.push(
        await spawnSluice({
          command: Deno.execPath(),
          args: denoRunArgs(["--allow-read", "--allow-write", "--allow-net", "--allow-env"], [
            root,
            "--port",
            "0",
            "--quiet",
            "--upload",
            "--max-streams",
            "1000000",
            "--max-client-connections",
            "1000000",
            "--redis",
            redis.url,
          ]),
          prefix: withRaisedFileLimit([]),
          env: { NO_COLOR: "1" },
        }),
      );
    }
    const name = `trigger-${Date.now()}.txt`;
    let connected = 0;
    const { promise: allReady, resolve } = Promise.withResolvers<void>();
    const waiters: (() => Promise<number>)[] = [];
    progress(`cluster: connecting ${clients} SSE clients over 3 instances`);
    for (let i = 0; i < clients; i += 100) {
      const batch = Array.from(
        { length: Math.min(100, clients - i) },
        (_, j) =>
          listen(new URL(instances[(i + j) % 3].url), name, () => {
            if (++connected === clients) resolve();
          }),
      );
      waiters.push(...await Promise.all(batch));
    }
    const timeout = setTimeout(() => resolve(), 30_000);
    await allReady;
    clearTimeout(timeout);
    if (connected < clients) progress(`cluster: only ${connected} of ${clients} connected`);
    await new Promise((r) => setTimeout(r, 500));
    const before = await Promise.all(instances.map(roundTrips));
    const started = performance.now();
    const put = await fetch(new URL(name, instances[0].url), { method: "PUT", body: "go" });
    await put.body?.cancel();
    const seen = await Promise.all(waiters.map((w) => w()));
    const after = await Promise.all(instances.map(roundTrips));
    const latencies = seen.filter((at) => !Number.isNaN(at)).map((at) => at - started).sort((
      a,
      b,
    ) => a - b);
    const trips = after.reduce((sum, n, i) => sum + n - before[i], 0);
    progress(
      `cluster: ${latencies.length} of ${clients} reached, last after ${
        latencies.at(-1)?.toFixed(0)
      } ms, ${trips} round trips`,
    );
    return [{
      scenario,
      metric: "last client reached",
      unit: "ms",
      values: { sluice: latencies.at(-1) ?? NaN },
      note: `${latencies.length} of ${clients} reached; median ${
        latencies[latencies.length >> 1]?.toFixed(0)
      } ms`,
      target: { maxValue: 1000, text: "< 1 s" },
    }, {
      scenario,
      metric: "Redis round trips for the change",
      unit: "count",
      values: { sluice: trips },
      note: "all three instances, including their metrics reads and 5 s health PINGs",
    }];
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await Deno.remove(root, { recursive: true });
  }
}

if (import.meta.main) {
  const rows = await clusterFanOut(Number(Deno.args[0] ?? 1000));
  console.log(JSON.stringify(rows, null, 2));
}
