/**
 * Builds the single executable `dist/sluice` with `deno compile`.
 *
 * ```sh
 * deno task compile                       # dist/sluice for this machine
 * deno task compile --target aarch64-unknown-linux-gnu --output dist/sluice-linux-arm64
 * deno task compile --read-only           # a binary without write permission
 * deno task compile --ffi                 # with FFI, for --drop-upload-cache
 * ```
 *
 * `deno compile` downloads its runtime (`denort`) on first use. Offline,
 * point `DENORT_BIN` at a local `denort` of the same Deno version and target;
 * without one this script fails with an explanation instead of a stack trace.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ENV_NAMES } from "../src/config/parse_config.ts";
import { VERSION } from "../src/version.ts";

/** Targets `deno compile --target` accepts. */
export const TARGETS: readonly string[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** Absolute path of the repository (the folder holding `main.ts`). */
export const REPO_DIR: string = dirname(dirname(fileURLToPath(import.meta.url)));

/** Variables besides `SLUICE_*` the binary reads: where the default state folder is. */
export const STATE_ENV_NAMES: readonly string[] = ["HOME", "XDG_STATE_HOME"];

/**
 * The permissions baked into the binary: read any ROOT, net, the `SLUICE_*`
 * variables and the two that locate the default state folder, free disk
 * space (WebDAV quota), write only when `write` (needed by `--upload`), and
 * FFI only when `ffi` (needed by `--drop-upload-cache`).
 */
export function permissionFlags(write: boolean, ffi = false): string[] {
  return [
    "--allow-read",
    ...(write ? ["--allow-write"] : []),
    "--allow-net",
    `--allow-env=${[...ENV_NAMES, ...STATE_ENV_NAMES].join(",")}`,
    "--allow-sys=statfs",
    ...(ffi ? ["--allow-ffi"] : []),
  ];
}

/** What to build. */
export interface CompileOptions {
  /** Where to write the binary, relative to the repository or absolute. */
  output: string;
  /** A `deno compile --target` triple; the host's when absent. */
  target?: string;
  /** Grant write permission (for `--upload`). */
  write: boolean;
  /** Grant FFI (for `--drop-upload-cache`). */
  ffi?: boolean;
}

/** The `deno` arguments that build Sluice; run them with the repository as cwd. */
export function compileArgs(options: CompileOptions): string[] {
  return [
    "compile",
    ...permissionFlags(options.write, options.ffi),
    "--include",
    "static",
    ...(options.target ? ["--target", options.target] : []),
    "--output",
    options.output,
    "main.ts",
  ];
}

/** Whether `deno compile` can get its runtime without the network, and why. */
export interface RuntimeAvailability {
  available: boolean;
  reason: string;
}

/**
 * Checks for a runtime `deno compile` can use offline: `DENORT_BIN`, or the
 * `denort` zip cached in `$DENO_DIR/dl/release/v<version>/` by an earlier,
 * online compile.
 */
export async function findRuntime(target: string = Deno.build.target): Promise<
  RuntimeAvailability
> {
  const denortBin = Deno.env.get("DENORT_BIN");
  if (denortBin) {
    try {
      if (Deno.statSync(denortBin).isFile) {
        return { available: true, reason: `DENORT_BIN=${denortBin}` };
      }
    } catch {
      // Reported below.
    }
    return { available: false, reason: `DENORT_BIN=${denortBin} is not a file` };
  }
  const zip = `${await denoDir()}/dl/release/v${Deno.version.deno}/denort-${target}.zip`;
  try {
    if (Deno.statSync(zip).isFile) return { available: true, reason: `cached runtime ${zip}` };
  } catch {
    // Not cached.
  }
  return {
    available: false,
    reason: `no denort runtime: DENORT_BIN is unset and ${zip} is not cached ` +
      "(deno compile would have to download it, and this machine may be offline)",
  };
}

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

/** The explanation printed when `deno compile` could not get `denort`. */
export function denortHelp(target: string): string {
  const version = Deno.version.deno;
  return [
    `deno compile could not download its runtime (denort ${version} for ${target}).`,
    "This machine is probably offline. To build anyway, point DENORT_BIN at a local",
    `denort binary of exactly Deno ${version} for ${target} (unzip`,
    `denort-${target}.zip from the Deno ${version} release on a machine with`,
    "internet access, then copy it here):",
    "",
    "  DENORT_BIN=/path/to/denort deno task compile",
    "",
    "DENORT_BIN must be denort, not the deno CLI itself (a binary built on the CLI",
    "starts a REPL instead of Sluice). An earlier online `deno compile` also works:",
    `it caches the runtime under $DENO_DIR/dl/release/v${version}/.`,
  ].join("\n");
}

/** Whether `deno compile`'s stderr says fetching the runtime failed. */
export function isRuntimeDownloadFailure(stderr: string): boolean {
  return /denort|dl\.deno\.land|base binary/i.test(stderr) &&
    /error sending request|dns error|connect|download|timed out|not found/i.test(stderr);
}

/** Runs the built binary with `--version` and checks it is Sluice. */
async function verify(binary: string): Promise<string | null> {
  const child = new Deno.Command(binary, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const { stdout, stderr } = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(stdout).trim();
  if (text === `sluice ${VERSION}`) return null;
  return `expected "sluice ${VERSION}" from ${binary} --version, got:\n${text}\n` +
    new TextDecoder().decode(stderr).trim();
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      target: { type: "string" },
      output: { type: "string", default: "dist/sluice" },
      "read-only": { type: "boolean", default: false },
      ffi: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "Usage: deno task compile [--target TRIPLE] [--output PATH] [--read-only] [--ffi]\n" +
        `Targets: ${TARGETS.join(", ")}`,
    );
    return 0;
  }
  if (values.target !== undefined && !TARGETS.includes(values.target)) {
    console.error(`compile: unknown --target ${values.target}; one of ${TARGETS.join(", ")}`);
    return 2;
  }
  const target = values.target ?? Deno.build.target;
  const args = compileArgs({
    output: values.output,
    target: values.target,
    write: !values["read-only"],
    ffi: values.ffi,
  });
  console.error(`compile: deno ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_DIR,
    // Deno's own error stays a few lines; the explanation below is the point.
    env: { RUST_BACKTRACE: "0" },
    stdout: "inherit",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  await child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        stderr += chunk;
        Deno.stderr.writeSync(new TextEncoder().encode(chunk));
      },
    }),
  );
  const status = await child.status;
  if (!status.success) {
    if (isRuntimeDownloadFailure(stderr)) {
      console.error(`\ncompile: ${denortHelp(target).replaceAll("\n", "\n  ")}`);
      return 3;
    }
    console.error(`compile: deno compile failed with exit code ${status.code}`);
    return 1;
  }
  if (target === Deno.build.target) {
    const output = isAbsolute(values.output) ? values.output : join(REPO_DIR, values.output);
    const problem = await verify(output);
    if (problem !== null) {
      console.error(`compile: the binary does not start Sluice: ${problem}`);
      if (Deno.env.get("DENORT_BIN")) {
        console.error(
          `compile: DENORT_BIN must point at denort ${Deno.version.deno} for ${target}, ` +
            "not at the deno CLI or another version",
        );
      }
      return 1;
    }
  }
  console.error(`compile: built ${values.output} (${target})`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
