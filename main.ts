/**
 * Sluice command line: `sluice [ROOT] [flags]`. The only module that touches
 * `Deno.args`, `Deno.env`, `Deno.exit` and signals.
 *
 * @module
 */
import { isAbsolute, relative, resolve, sep as SEP } from "node:path";
import { checkSafety } from "./src/config/check_safety.ts";
import { ENV_NAMES, parseConfig } from "./src/config/parse_config.ts";
import { UsageError } from "./src/config/usage_error.ts";
import { HELP } from "./src/config/help.ts";
import { fdLimitAdvice, readFdLimit } from "./src/net/fd_limit.ts";
import { openStateStore, startServer } from "./src/server.ts";
import { defaultStateDir } from "./src/state/state_dir.ts";
import { StoreUnavailable } from "./src/state/state_store.ts";
import { VERSION } from "./src/version.ts";

function readEnv(
  names: readonly string[] = ENV_NAMES,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of names) {
    try {
      env[name] = Deno.env.get(name);
    } catch {
      // Without --allow-env for this name the variable is simply unset.
    }
  }
  return env;
}

function fail(message: string, code: number): never {
  console.error(`sluice: ${message}`);
  Deno.exit(code);
}

/**
 * The state folder: `--state`, or the default per-ROOT folder under the
 * user's state directory. Never served: one inside ROOT must be a dot-folder
 * (hidden) and is refused with `--dotfiles`.
 */
function stateDir(explicit: string | null, root: string, dotfiles: boolean): string | null {
  if (explicit === null) return defaultStateDir(root, readEnv(["XDG_STATE_HOME", "HOME"]));
  const dir = resolve(explicit);
  const inside = relative(root, dir);
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    if (dotfiles || !inside.split(SEP).some((part) => part.startsWith("."))) {
      fail(
        `--state ${explicit} is inside ROOT and would be served: use a folder outside ROOT ` +
          "(or a dot-folder such as ROOT/.sluice, without --dotfiles)",
        2,
      );
    }
  }
  return dir;
}

/** `url` without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.href;
  } catch {
    return "(invalid URL)";
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(Deno.args, readEnv());
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message} (see --help)`, 2);
    throw error;
  }
  if (config.help) {
    console.log(HELP);
    return;
  }
  if (config.version) {
    console.log(`sluice ${VERSION}`);
    return;
  }
  const unsafe = checkSafety(config);
  if (unsafe !== null) fail(unsafe, 2);
  try {
    if (!Deno.statSync(config.root).isDirectory) fail(`ROOT is not a directory: ${config.root}`, 2);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) fail(`ROOT does not exist: ${config.root}`, 2);
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      fail(
        `no read access to ROOT ${config.root}: run Deno with --allow-read=${config.root} ` +
          `(deno task start reads only the current folder; from the checkout: ` +
          `deno run --allow-read=${config.root},. --allow-net --allow-env=SLUICE_* main.ts ${config.root})`,
        2,
      );
    }
    throw error;
  }
  // Sluice reads through ROOT's real path, and Deno checks permissions on
  // that path, not on a symlink leading to it.
  const real = Deno.realPathSync(config.root);
  const via = real === config.root ? "" : ` (the real path of ROOT ${config.root})`;
  if (Deno.permissions.querySync({ name: "read", path: real }).state !== "granted") {
    fail(`no read access to ${real}${via}: run Deno with --allow-read=${real}`, 2);
  }
  if (
    config.upload &&
    Deno.permissions.querySync({ name: "write", path: real }).state !== "granted"
  ) {
    fail(
      `--upload needs write access to ${real}${via}: run Deno with --allow-write=${real}`,
      2,
    );
  }

  if (config.dropUploadCache && Deno.build.os !== "linux") {
    fail("--drop-upload-cache works on Linux only", 2);
  }
  if (config.dropUploadCache && Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    fail(
      "--drop-upload-cache calls posix_fadvise from the C library: run Deno with --allow-ffi",
      2,
    );
  }

  const required = config.state !== null;
  const dir = config.redis === null ? stateDir(config.state, real, config.dotfiles) : null;
  if (required && dir !== null) {
    for (const name of ["read", "write"] as const) {
      if (Deno.permissions.querySync({ name, path: dir }).state !== "granted") {
        fail(
          `--state needs read and write access to ${dir}: run Deno with ` +
            `--allow-read=${dir} --allow-write=${dir}`,
          2,
        );
      }
    }
  }
  let stateStore;
  try {
    stateStore = await openStateStore(config, { dir, required, create: config.upload });
  } catch (error) {
    if (error instanceof StoreUnavailable) fail(error.message, 1);
    fail(`cannot open the state store in ${dir}: ${(error as Error).message}`, 2);
  }

  let server;
  try {
    server = startServer(config, stateStore);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      fail(`port ${config.port} on ${config.host} is already in use (try --port 0)`, 1);
    }
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      fail(error.message, 2);
    }
    throw error;
  }
  const mode = config.upload ? "read-write" : "read-only";
  console.log(`Sluice ${VERSION} serving ${server.store.root} at ${server.url} (${mode})`);
  const fdLimit = readFdLimit();
  const advice = fdLimit && fdLimitAdvice(fdLimit);
  if (advice) console.error(advice);
  if (!config.quiet && stateStore) {
    const where = config.redis === null ? dir : redactUrl(config.redis);
    console.log(`State store: ${stateStore.backend} (${where})`);
  }
  if (config.upload && !stateStore) {
    console.error(
      `sluice: no state store (${dir ?? "no HOME"} is not writable): WebDAV locks, resumable ` +
        "uploads and shares answer 503; pass --state DIR and allow Deno to write there",
    );
  }

  let signalled = false;
  // A second signal quits at once, with the shell's code for it (128 + number).
  const onSignal = (code: number) => () => {
    if (signalled) Deno.exit(code);
    signalled = true;
    if (!config.quiet) console.log("Shutting down (press Ctrl+C again to quit at once)");
    server.shutdown().then(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", onSignal(130));
  Deno.addSignalListener("SIGTERM", onSignal(143));
}

if (import.meta.main) await main();
