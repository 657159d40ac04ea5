/**
 * The single executable: `scripts/compile.ts` (`deno task compile`) and the
 * binary it builds. Building needs Deno's `denort` runtime; without it (the
 * machine is offline and DENORT_BIN is unset) the binary test is ignored
 * with the reason printed, and the offline error path is tested instead.
 */
import { join } from "node:path";
import {
  compileArgs,
  denortHelp,
  findRuntime,
  isRuntimeDownloadFailure,
  permissionFlags,
  REPO_DIR,
} from "../scripts/compile.ts";
import { ENV_NAMES } from "../src/config/parse_config.ts";
import { VERSION } from "../src/version.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";
import { checkServedTree, checkSseEvent, SERVED_TREE } from "./helpers/served_tree.ts";
import { spawnSluice } from "./helpers/sluice_process.ts";

const runtime = await findRuntime();
if (!runtime.available) {
  console.log(
    `compile_test: not building the binary: ${runtime.reason}. ` +
      "Set DENORT_BIN to a local denort binary to run that test.",
  );
}

/** Runs scripts/compile.ts like `deno task compile` does. */
async function compile(args: string[], env: Record<string, string> = {}) {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-run",
      "--allow-env=DENORT_BIN",
      join(REPO_DIR, "scripts/compile.ts"),
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test("permissionFlags() grants write only when asked, env only for SLUICE_* and the state folder", () => {
  const envFlag = `--allow-env=${[...ENV_NAMES, "HOME", "XDG_STATE_HOME"].join(",")}`;
  const sys = "--allow-sys=statfs";
  assertEquals(permissionFlags(false), ["--allow-read", "--allow-net", envFlag, sys]);
  assertEquals(permissionFlags(true), [
    "--allow-read",
    "--allow-write",
    "--allow-net",
    envFlag,
    sys,
  ]);
  assertEquals(permissionFlags(false, true).at(-1), "--allow-ffi");
  assertOk(!permissionFlags(true).includes("--allow-ffi"));
  assertOk(ENV_NAMES.every((name) => name.startsWith("SLUICE_")));
});

Deno.test("compileArgs() embeds static/ and passes the target and output through", () => {
  const args = compileArgs({ output: "dist/x", target: "aarch64-apple-darwin", write: false });
  assertEquals(args.slice(0, 1), ["compile"]);
  assertEquals(args.slice(-7), [
    "--include",
    "static",
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "dist/x",
    "main.ts",
  ]);
});

Deno.test("isRuntimeDownloadFailure() recognises deno compile's offline error", () => {
  const offline = "error: Writing deno compile executable to temporary file 'dist/sluice.tmp'\n" +
    "Caused by:\n    0: Setting up base binary.\n" +
    "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/" +
    "denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error";
  assertEquals(isRuntimeDownloadFailure(offline), true);
  assertEquals(isRuntimeDownloadFailure("error: TS2322 Type 'string' is not assignable"), false);
  assertMatch(denortHelp("x86_64-unknown-linux-gnu"), /DENORT_BIN=\/path\/to\/denort/);
});

Deno.test({
  name: "scripts/compile.ts explains DENORT_BIN when denort cannot be downloaded",
  ignore: runtime.available,
  async fn() {
    await using out = await tempDir();
    // A proxy on a closed port makes the download fail fast, online or not.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const proxy = `http://127.0.0.1:${listener.addr.port}`;
    listener.close();
    const { code, stderr } = await compile(["--output", join(out.path, "sluice")], {
      HTTPS_PROXY: proxy,
      https_proxy: proxy,
    });
    assertEquals(code, 3, stderr);
    assertMatch(stderr, /could not download its runtime/);
    assertMatch(stderr, /DENORT_BIN=\/path\/to\/denort deno task compile/);
  },
});

Deno.test("scripts/compile.ts embeds static/ and rejects a DENORT_BIN that is not denort", async () => {
  // The deno CLI is a valid base binary to write, but it runs a REPL instead
  // of the embedded program: the script's --version check must catch that.
  await using out = await tempDir();
  const { code, stderr } = await compile(["--output", join(out.path, "sluice")], {
    DENORT_BIN: Deno.execPath(),
  });
  assertEquals(code, 1, stderr);
  assertMatch(stderr, /Embedded Files/);
  assertMatch(stderr, /static\//);
  assertMatch(stderr, /the binary does not start Sluice/);
  assertMatch(stderr, /DENORT_BIN must point at denort/);
});

Deno.test({
  name: "dist/sluice serves a file, a range, the UI and SSE from another directory",
  ignore: !runtime.available,
  async fn() {
    await using out = await tempDir();
    const binary = join(out.path, "sluice");
    const built = await compile(["--output", binary]);
    assertEquals(built.code, 0, built.stderr);

    await using root = await tempDir(SERVED_TREE);
    await using elsewhere = await tempDir();
    await using sluice = await spawnSluice({
      command: binary,
      args: [root.path, "--port", "0", "--quiet"],
      cwd: elsewhere.path,
    });
    assertEquals(sluice.version, VERSION);
    assertEquals(sluice.root, Deno.realPathSync(root.path));
    await checkServedTree(sluice.href.bind(sluice));

    const checked = await checkSseEvent(sluice.href.bind(sluice));
    if (!checked) console.log("compile_test: /_/sse/countdown answers 404, SSE not checked");
  },
});
