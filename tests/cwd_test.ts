/**
 * The code paths the compiled binary relies on, proven with `deno run`:
 * Sluice started from a working directory that is not the checkout still
 * finds its UI assets (located through `import.meta`, not the cwd).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENV_NAMES } from "../src/config/parse_config.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";
import { checkServedTree, checkSseEvent, SERVED_TREE } from "./helpers/served_tree.ts";

// The same permissions the compiled binary gets (scripts/compile.ts).
const PERMISSIONS = ["--allow-read", "--allow-net", `--allow-env=${ENV_NAMES.join(",")}`];

Deno.test("main.ts serves files and UI assets when started from another directory", async () => {
  await using root = await tempDir(SERVED_TREE);
  await using elsewhere = await tempDir();
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(PERMISSIONS, [root.path, "--port", "0", "--quiet"]),
    cwd: elsewhere.path,
    env: { NO_COLOR: "1" },
  });
  assertEquals(sluice.root, Deno.realPathSync(root.path));
  assertEquals(sluice.mode, "read-only");
  await checkServedTree(sluice.href.bind(sluice));
  if (!await checkSseEvent(sluice.href.bind(sluice))) {
    console.log("cwd_test: /_/sse/countdown answers 404, SSE not checked");
  }
});

Deno.test("main.ts serves its working directory when ROOT is left out", async () => {
  await using root = await tempDir(SERVED_TREE);
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(PERMISSIONS, ["--port", "0", "--quiet"]),
    cwd: root.path,
    env: { NO_COLOR: "1" },
  });
  assertEquals(sluice.root, Deno.realPathSync(root.path));
  assertMatch(sluice.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const res = await fetch(sluice.href("/digits.txt"));
  assertEquals(await res.text(), "0123456789");
  const health = await fetch(sluice.href("/_/health"));
  assertOk(health.ok);
  assertEquals((await health.json()).root, Deno.realPathSync(root.path));
});

Deno.test("main.ts finds its UI assets when its own path has a space in it", async () => {
  // A copy of the checkout under "a b/": import.meta.url percent-encodes the
  // space, which a plain URL pathname would keep.
  await using copy = await tempDir();
  const repo = fileURLToPath(new URL("..", import.meta.url));
  const checkout = join(copy.path, "a b");
  for (const name of ["main.ts", "deno.json", "deno.lock", "src", "static"]) {
    await copyTree(join(repo, name), join(checkout, name));
  }
  await using root = await tempDir(SERVED_TREE);
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: ["run", ...PERMISSIONS, join(checkout, "main.ts"), root.path, "--port", "0", "--quiet"],
    cwd: root.path,
    env: { NO_COLOR: "1" },
  });
  await checkServedTree(sluice.href.bind(sluice));
});

async function copyTree(from: string, to: string): Promise<void> {
  if ((await Deno.stat(from)).isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      await copyTree(join(from, entry.name), join(to, entry.name));
    }
  } else {
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
  }
}
