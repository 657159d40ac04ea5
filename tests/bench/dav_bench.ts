/**
 * Scenario 9 of `deno task bench`: `PROPFIND` with `Depth: 1` (an empty
 * body, so `allprop`) of a folder of 10,000 files, Sluice against Apache's
 * mod_dav from Debian in the same run: median time to the last byte over
 * several requests (curl on the client core), and each server's peak RSS.
 * Apache runs from a generated config on a loopback port, in the
 * foreground (`-X`), with its own ServerRoot, PidFile and lock database in
 * a temporary folder, pinned to the server core like Sluice.
 *
 * @module
 */
import { join } from "node:path";
import { freePort, waitForPort } from "./ports.ts";
import { readMemory } from "./proc_status.ts";
import type { ResultRow } from "./results_table.ts";

const APACHE = "/usr/sbin/apache2";
const APACHE_MODULES = "/usr/lib/apache2/modules";

/** A server started for the scenario. */
export interface DavBenchServer {
  url: string;
  pid: number;
  stop(): Promise<unknown>;
}

/** What the scenario needs from the bench. */
export interface DavBenchOptions {
  /** Files in the folder. */
  files: number;
  /** Timed requests per server (the median is reported). */
  runs: number;
  /** Starts Sluice (read-only) on `root`, pinned to the server core. */
  startSluice(root: string): Promise<DavBenchServer>;
  /** Prefix that pins a command to the server core (e.g. `taskset -c 0`). */
  serverPin: string[];
  /** Prefix that pins a command to the client core. */
  clientPin: string[];
  progress(message: string): void;
}

/** Whether Debian's Apache with mod_dav_fs is installed. */
export function hasApacheDav(): boolean {
  try {
    return Deno.statSync(APACHE).isFile &&
      Deno.statSync(join(APACHE_MODULES, "mod_dav_fs.so")).isFile;
  } catch {
    return false;
  }
}

/**
 * The Apache config: one folder with `Dav On`, nothing else loaded but the
 * event MPM, authz_core and mime (for `getcontenttype`, as Sluice reports).
 * Started by root, it serves as `www-data` (Apache refuses to run as root).
 */
export function apacheConfig(
  o: { prefix: string; root: string; port: number; asUser: string | null },
): string {
  const user = o.asUser === null ? "" : `User ${o.asUser}\nGroup ${o.asUser}\n`;
  return `ServerRoot "${o.prefix}"
ServerName 127.0.0.1
Listen 127.0.0.1:${o.port}
PidFile ${join(o.prefix, "httpd.pid")}
ErrorLog ${join(o.prefix, "error.log")}
LoadModule mpm_event_module ${APACHE_MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${APACHE_MODULES}/mod_authz_core.so
LoadModule mime_module ${APACHE_MODULES}/mod_mime.so
LoadModule dav_module ${APACHE_MODULES}/mod_dav.so
LoadModule dav_fs_module ${APACHE_MODULES}/mod_dav_fs.so
TypesConfig /etc/mime.types
${user}DavLockDB ${join(o.prefix, "lock", "DavLock")}
DocumentRoot "${o.root}"
<Directory "${o.root}">
  Dav On
  Require all granted
</Directory>
`;
}

async function startApache(root: string, serverPin: string[]): Promise<DavBenchServer> {
  const prefix = await Deno.makeTempDir({ prefix: "sluice-bench-apache-" });
  await Deno.mkdir(join(prefix, "lock"));
  const asUser = Deno.uid() === 0 ? "www-data" : null;
  // The user Apache switches to must reach the lock database.
  await Deno.chmod(prefix, 0o755);
  await Deno.chmod(join(prefix, "lock"), 0o777);
  const port = freePort();
  await Deno.writeTextFile(
    join(prefix, "httpd.conf"),
    apacheConfig({ prefix, root, port, asUser }),
  );
  const argv = [...serverPin, APACHE, "-X", "-f", join(prefix, "httpd.conf")];
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await waitForPort(port, child.status);
  } catch (error) {
    const log = await Deno.readTextFile(join(prefix, "error.log")).catch(() => "");
    throw new Error(`Apache did not start: ${error}\n${log}`);
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(prefix, { recursive: true });
    },
  };
}

/** Times one PROPFIND with curl on the client core: seconds to the last byte, and bytes. */
async function timedPropfind(
  url: string,
  clientPin: string[],
): Promise<{ seconds: number; bytes: number }> {
  const argv = [
    ...clientPin,
    "curl",
    "-s",
    "-o",
    "/dev/null",
    "-X",
    "PROPFIND",
    "-H",
    "Depth: 1",
    "-w",
    "%{http_code} %{time_total} %{size_download}",
    url,
  ];
  const out = await new Deno.Command(argv[0], { args: argv.slice(1), stdout: "piped" }).output();
  const [status, seconds, bytes] = new TextDecoder().decode(out.stdout).split(" ");
  if (status !== "207") throw new Error(`PROPFIND ${url} answered ${status}`);
  return { seconds: Number(seconds), bytes: Number(bytes) };
}

/** How many `<D:response>`s a PROPFIND answer holds (both servers must list every file). */
async function countResponses(url: string): Promise<number> {
  const res = await fetch(url, { method: "PROPFIND", headers: { depth: "1" } });
  return (await res.text()).match(/<D:response[ >]/g)?.length ?? 0;
}

interface Measured {
  ms: number;
  /** RSS before the first PROPFIND. */
  idleMiB: number;
  rssMiB: number;
  bytes: number;
}

async function measure(
  o: DavBenchOptions,
  server: DavBenchServer,
  label: string,
): Promise<Measured> {
  const idle = readMemory(server.pid);
  const found = await countResponses(server.url);
  if (found !== o.files + 1) throw new Error(`${label} listed ${found - 1} of ${o.files} files`);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < o.runs; i++) {
    const run = await timedPropfind(server.url, o.clientPin);
    times.push(run.seconds * 1000);
    bytes = run.bytes;
  }
  times.sort((a, b) => a - b);
  const memory = readMemory(server.pid);
  o.progress(`9. ${label}: median ${times[times.length >> 1].toFixed(0)} ms, ${bytes} bytes`);
  return {
    ms: times[times.length >> 1],
    idleMiB: (idle?.rss ?? NaN) / 1024 ** 2,
    rssMiB: (memory?.hwm ?? NaN) / 1024 ** 2,
    bytes,
  };
}

/** Runs the scenario; rows carry Sluice's figures, with Apache's and the ratio in the note. */
export async function propfindBench(o: DavBenchOptions): Promise<ResultRow[]> {
  const scenario = `9. PROPFIND Depth: 1, ${o.files.toLocaleString("en-US")} files`;
  const root = await Deno.makeTempDir({ prefix: "sluice-bench-dav-" });
  try {
    await Deno.chmod(root, 0o755);
    const body = new TextEncoder().encode("x".repeat(100));
    for (let i = 0; i < o.files; i++) {
      Deno.writeFileSync(join(root, `file-${String(i).padStart(5, "0")}.txt`), body, {
        mode: 0o644,
      });
    }
    o.progress(`9. ${o.files} files ready`);
    const sluiceServer = await o.startSluice(root);
    let sluice: Measured;
    try {
      sluice = await measure(o, sluiceServer, "Sluice");
    } finally {
      await sluiceServer.stop();
    }
    let apache: Measured | string = "apache2 with mod_dav_fs not installed";
    if (hasApacheDav()) {
      const apacheServer = await startApache(root, o.serverPin);
      try {
        apache = await measure(o, apacheServer, "Apache mod_dav");
      } finally {
        await apacheServer.stop();
      }
    }
    const versus = (mine: number, theirs: number, unit: string) =>
      `Apache mod_dav: ${theirs.toFixed(1)} ${unit}, Sluice ÷ Apache ${
        (mine / theirs).toFixed(2)
      }×`;
    return [
      {
        scenario,
        metric: `time to last byte, median of ${o.runs}`,
        unit: "ms",
        values: { sluice: sluice.ms },
        note: typeof apache === "string" ? apache : versus(sluice.ms, apache.ms, "ms"),
      },
      {
        scenario,
        metric: "server peak RSS",
        unit: "MiB",
        values: { sluice: sluice.rssMiB },
        note: typeof apache === "string" ? apache : versus(sluice.rssMiB, apache.rssMiB, "MiB"),
      },
      {
        scenario,
        metric: "server RSS before the first request",
        unit: "MiB",
        values: { sluice: sluice.idleMiB },
        note: typeof apache === "string" ? apache : versus(sluice.idleMiB, apache.idleMiB, "MiB"),
      },
      {
        scenario,
        metric: "body bytes",
        unit: "count",
        values: { sluice: sluice.bytes },
        note: typeof apache === "string"
          ? apache
          : `Apache mod_dav: ${apache.bytes.toLocaleString("en-US")}`,
      },
    ];
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
