/**
 * Scenario 8 of `deno task bench`: a tus upload in 16 MiB `PATCH`es against
 * a plain `PUT` of the same size in the same run, each into a fresh Sluice
 * (with its own state store): MB/s, the ratio, and peak RSS.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readMemory } from "./proc_status.ts";
import type { ResultRow } from "./results_table.ts";

const MiB = 1024 * 1024;

/** Bytes per PATCH. */
const CHUNK = 16 * MiB;

const CLIENT = fileURLToPath(new URL("./resumable_client.ts", import.meta.url));

/** A Sluice started by the bench. */
export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

/** What the scenario needs from the bench. */
export interface ResumableBenchOptions {
  /** Upload size in bytes. */
  bytes: number;
  /** Starts Sluice on `root` with extra flags, pinned to the server core. */
  start(root: string, extra: string[]): Promise<BenchServer>;
  /** Prefix that pins a command to the client core (e.g. `taskset -c 1`). */
  clientPin: string[];
  progress(message: string): void;
}

interface Measured {
  mbps: number;
  rssMiB: number;
}

/** How Sluice runs in a round: as it ships, or with `--drop-upload-cache`. */
type Setup = "default" | "drop";

const SETUP_FLAGS: Record<Setup, string[]> = {
  default: [],
  drop: ["--drop-upload-cache"],
};

async function measure(
  o: ResumableBenchOptions,
  mode: "put" | "tus",
  setup: Setup,
): Promise<Measured | string> {
  const root = await Deno.makeTempDir({ prefix: "sluice-bench-tus-" });
  const state = await Deno.makeTempDir({ prefix: "sluice-bench-state-" });
  const server = await o.start(root, [
    "--upload",
    "--state",
    state,
    "--max-upload",
    "1TiB",
    ...SETUP_FLAGS[setup],
  ]);
  try {
    const target = mode === "put" ? "/upload.bin" : "/_/uploads/";
    const args = [CLIENT, mode, new URL(target, server.url).href, `${o.bytes}`, `${CHUNK}`];
    const argv = [...o.clientPin, Deno.execPath(), "run", "-A", ...args];
    const out = await new Deno.Command(argv[0], { args: argv.slice(1), stderr: "inherit" })
      .output();
    const memory = readMemory(server.pid);
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    const stored = (await Deno.stat(join(root, "upload.bin")).catch(() => null))?.size;
    if (result.status >= 300 || stored !== o.bytes) {
      return `${mode} answered ${result.status}, stored ${stored} bytes`;
    }
    return { mbps: o.bytes / result.seconds / 1e6, rssMiB: (memory?.hwm ?? NaN) / MiB };
  } finally {
    await server.stop();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(state, { recursive: true });
    // Each run starts with nothing of the last one left to write back.
    await new Deno.Command("sync").output().catch(() => {});
  }
}

/**
 * Rounds of one `PUT` and one tus upload each; the medians are reported.
 * The order flips every round (PUT, tus, tus, PUT, …): on the bench VMs a
 * tus upload right after a `PUT` ran about 0.75× as fast as one right
 * after another tus upload (a 10 s pause did not help), so a fixed order
 * measured the order as much as the upload.
 */
const ROUNDS = 4;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle)
    ? (sorted[middle - 1] + sorted[middle]) / 2
    : sorted[Math.floor(middle)];
}

function medians(runs: Measured[]): Measured {
  return { mbps: median(runs.map((r) => r.mbps)), rssMiB: median(runs.map((r) => r.rssMiB)) };
}

/**
 * Runs the scenario; returns its table rows (throughput and peak RSS of the
 * tus upload, with the `PUT` figures and the ratio in the notes), once as
 * Sluice ships and once with `--drop-upload-cache` for both. `PUT` and tus
 * alternate over four rounds in flipped order (disk speed drifts a lot on
 * these machines) and the medians count.
 */
export async function resumableUploadBench(o: ResumableBenchOptions): Promise<ResultRow[]> {
  const scenario = `8. ${o.bytes / MiB} MiB tus upload in ${CHUNK / MiB} MiB PATCHes vs PUT`;
  const rows: ResultRow[] = [];
  for (const setup of ["default", "drop"] as const) {
    const runs: Record<"put" | "tus", Measured[]> = { put: [], tus: [] };
    const label = setup === "drop" ? ", both --drop-upload-cache" : "";
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? ["put", "tus"] as const : ["tus", "put"] as const;
      for (const mode of order) {
        o.progress(
          `8. resumable upload${label}: ${mode} of ${o.bytes / MiB} MiB (${round}/${ROUNDS})`,
        );
        const result = await measure(o, mode, setup);
        if (typeof result === "string") {
          rows.push({ scenario, metric: "throughput", unit: "MB/s", values: {}, skipped: result });
          return rows;
        }
        o.progress(`  ${result.mbps.toFixed(0)} MB/s, peak RSS ${result.rssMiB.toFixed(0)} MiB`);
        runs[mode].push(result);
      }
    }
    const put = medians(runs.put);
    const tus = medians(runs.tus);
    rows.push(
      {
        scenario,
        metric: `throughput${label}`,
        unit: "MB/s",
        values: { sluice: tus.mbps },
        note: `PUT ${put.mbps.toFixed(0)} MB/s, tus ${(tus.mbps / put.mbps).toFixed(2)}× PUT ` +
          "(goal ≥ 0.9×)",
      },
      {
        scenario,
        metric: `server peak RSS${label}`,
        unit: "MiB",
        values: { sluice: tus.rssMiB },
        note: `PUT ${put.rssMiB.toFixed(0)} MiB`,
      },
    );
  }
  return rows;
}
