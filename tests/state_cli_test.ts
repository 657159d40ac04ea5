import { parseConfig } from "../src/config/parse_config.ts";
import { UsageError } from "../src/config/usage_error.ts";
import { defaultStateDir } from "../src/state/state_dir.ts";
import { assertEquals, assertMatch, assertOk, assertThrows } from "./helpers/assert.ts";
import { freePort } from "./helpers/redis_server.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";

Deno.test("defaultStateDir() picks a per-ROOT folder under the user's state directory", async (t) => {
  const rows: [string, { XDG_STATE_HOME?: string; HOME?: string }, RegExp | null][] = [
    [
      "/srv/media",
      { HOME: "/home/ana" },
      /^\/home\/ana\/\.local\/state\/sluice\/media-[0-9a-f]{8}$/,
    ],
    ["/srv/media", { XDG_STATE_HOME: "/st", HOME: "/h" }, /^\/st\/sluice\/media-[0-9a-f]{8}$/],
    ["/srv/media", { XDG_STATE_HOME: "relative", HOME: "/h" }, /^\/h\/\.local\/state\/sluice\//],
    ["/", { HOME: "/h" }, /^\/h\/\.local\/state\/sluice\/root-[0-9a-f]{8}$/],
    ["/srv/.hidden dir", { HOME: "/h" }, /\/sluice\/hidden_dir-[0-9a-f]{8}$/],
    ["/srv/media", {}, null],
  ];
  for (const [root, env, expected] of rows) {
    await t.step(`${root} with ${JSON.stringify(env)}`, () => {
      const dir = defaultStateDir(root, env);
      if (expected === null) assertEquals(dir, null);
      else assertMatch(dir ?? "", expected);
    });
  }
  await t.step("two ROOTs with one name get different folders", () => {
    assertOk(
      defaultStateDir("/a/media", { HOME: "/h" }) !== defaultStateDir("/b/media", { HOME: "/h" }),
    );
  });
});

const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-net", "--allow-env"];

async function runMain(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs(PERMISSIONS, args),
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("main.ts refuses a --state folder that ROOT would serve", async () => {
  await using root = await tempDir({ "a.txt": "a" });
  const { code, stderr } = await runMain([root.path, "--upload", "--state", `${root.path}/state`]);
  assertEquals(code, 2);
  assertMatch(stderr, /inside ROOT and would be served/);
});

Deno.test("main.ts exits 1 when --redis cannot be reached, 2 for a bad URL", async () => {
  await using root = await tempDir();
  const down = await runMain([root.path, "--redis", `redis://127.0.0.1:${freePort()}`]);
  assertEquals(down.code, 1);
  assertMatch(down.stderr, /Cannot connect to Redis/);
  const bad = await runMain([root.path, "--redis", "http://x"]);
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /--redis must be a redis:\/\/ or rediss:\/\/ URL/);
});

Deno.test("main.ts --upload --state DIR keeps its store in DIR, outside ROOT", async () => {
  await using root = await tempDir({ "a.txt": "a" });
  await using state = await tempDir();
  const dir = `${state.path}/nested/state`;
  {
    await using sluice = await spawnSluice({
      command: Deno.execPath(),
      args: denoRunArgs(PERMISSIONS, [root.path, "--port", "0", "--upload", "--state", dir]),
      env: { NO_COLOR: "1" },
    });
    const health = await (await fetch(sluice.href("/_/health"))).json();
    assertEquals(health.store.backend, "sqlite");
    assertEquals(health.store.state, "ok");
  }
  assertOk(Deno.statSync(`${dir}/state.db`).isFile);
  assertEquals((Deno.statSync(dir).mode ?? 0) & 0o777, 0o700);
  const inRoot = [...Deno.readDirSync(root.path)].map((e) => e.name);
  assertEquals(inRoot, ["a.txt"]);
});

Deno.test("main.ts serves a read-only ROOT with no state folder and no store", async () => {
  await using root = await tempDir({ "a.txt": "a" });
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(["--allow-read=" + root.path + ",.", "--allow-net"], [
      root.path,
      "--port",
      "0",
    ]),
    env: { NO_COLOR: "1", HOME: "/nonexistent-home" },
  });
  const health = await (await fetch(sluice.href("/_/health"))).json();
  assertEquals([health.status, health.store], ["ok", null]);
  assertEquals(await (await fetch(sluice.href("/a.txt"))).text(), "a");
});

Deno.test("parseConfig() reads --state and --redis (and their variables), and refuses both at once", async (t) => {
  await t.step("flags", () => {
    const config = parseConfig(["--state", "/var/lib/sluice"]);
    assertEquals([config.state, config.redis], ["/var/lib/sluice", null]);
    assertEquals(parseConfig(["--redis", "rediss://u:p@h:6380/0"]).redis, "rediss://u:p@h:6380/0");
  });
  await t.step("environment", () => {
    const config = parseConfig([], { SLUICE_REDIS: "redis://127.0.0.1:6379" });
    assertEquals([config.state, config.redis], [null, "redis://127.0.0.1:6379"]);
    assertEquals(parseConfig([], { SLUICE_STATE: "/s" }).state, "/s");
  });
  await t.step("errors", () => {
    assertThrows(() => parseConfig(["--redis", "http://x"]), UsageError);
    assertThrows(() => parseConfig(["--redis", "redis://x", "--state", "/s"]), UsageError);
    assertThrows(() => parseConfig(["--state", "/s"], { SLUICE_REDIS: "redis://x" }), UsageError);
  });
});

/** Where this Deno keeps its cache. */
function denoDir(): string {
  return Deno.env.get("DENO_DIR") ??
    `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/deno`;
}

Deno.test("main.ts read-only uses the default store an --upload run made, and never creates one", async () => {
  await using root = await tempDir({ "a.txt": "a" });
  await using home = await tempDir();
  const start = (extra: string[]) =>
    spawnSluice({
      command: Deno.execPath(),
      args: denoRunArgs(PERMISSIONS, [root.path, "--port", "0", "--quiet", ...extra]),
      // Deno's own cache stays where it is (it would follow HOME).
      env: { NO_COLOR: "1", HOME: home.path, DENO_DIR: denoDir() },
    });
  const storeOf = async (extra: string[]) => {
    await using sluice = await start(extra);
    return (await (await fetch(sluice.href("/_/health"))).json()).store;
  };
  assertEquals(await storeOf([]), null, "read-only creates no store");
  assertEquals([...Deno.readDirSync(home.path)], [], "no state folder made");
  assertEquals((await storeOf(["--upload"]))?.backend, "sqlite");
  assertEquals((await storeOf([]))?.backend, "sqlite", "read-only finds it");
});
