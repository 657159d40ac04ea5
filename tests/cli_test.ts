import { VERSION } from "../src/version.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";

const PERMISSIONS = ["--allow-read", "--allow-net", "--allow-env"];

/**
 * The child's environment: only what Deno needs to find its cache, so no
 * SLUICE_* variable of the test run leaks in.
 */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs `main.ts` to completion and returns its exit code and output. */
async function runMain(
  args: string[],
  env: Record<string, string> = {},
  permissions: string[] = PERMISSIONS,
) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: denoRunArgs(permissions, args),
    env: baseEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Starts `main.ts` and waits for its start line; `await using` stops it. */
function startMain(args: string[], env: Record<string, string> = {}, cwd?: string) {
  return spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(PERMISSIONS, args),
    env: baseEnv(env),
    cwd,
  });
}

/** A port that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("main.ts --help prints usage with every flag and exits 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout, stderr } = await runMain([flag]);
    assertEquals([code, stderr], [0, ""]);
    for (
      const name of [
        "ROOT",
        "--host",
        "--port",
        "--dotfiles",
        "--no-listing",
        "--index",
        "--cors",
        "--quiet",
        "--help",
        "--version",
        "SLUICE_PORT",
      ]
    ) {
      assertOk(stdout.includes(name), `${flag} mentions ${name}`);
    }
  }
});

Deno.test("main.ts --version prints the version and exits 0", async () => {
  for (const flag of ["--version", "-V"]) {
    const { code, stdout, stderr } = await runMain([flag]);
    assertEquals([code, stdout, stderr], [0, `sluice ${VERSION}\n`, ""]);
  }
});

Deno.test("main.ts exits 2 with a one-line error for bad flags and bad ROOTs", async (t) => {
  await using dir = await tempDir({ "file.txt": "x" });
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ["unknown flag", ["--bogus"], {}, /^sluice: unknown flag --bogus \(see --help\)\n$/],
    ["port not a number", ["--port", "http"], {}, /port/],
    ["port out of range", ["--port", "70000"], {}, /port/],
    ["bad env value", [dir.path], { SLUICE_PORT: "x" }, /SLUICE_PORT|port/],
    ["two ROOTs", [dir.path, dir.path], {}, /ROOT/],
    ["missing ROOT", [`${dir.path}/nope`], {}, /does not exist/],
    ["ROOT is a file", [`${dir.path}/file.txt`], {}, /not a directory/],
  ];
  for (const [label, args, env, message] of cases) {
    await t.step(label, async () => {
      const { code, stdout, stderr } = await runMain(args, env);
      assertEquals(code, 2, stderr);
      assertEquals(stdout, "");
      assertEquals(stderr.trimEnd().split("\n").length, 1, stderr);
      assertMatch(stderr, /^sluice: /);
      assertMatch(stderr, message);
    });
  }
});

Deno.test("main.ts names ROOT's real path when only a symlink to it may be read", async () => {
  await using dir = await tempDir({ "real/o.txt": "hi" });
  await Deno.symlink(`${dir.path}/real`, `${dir.path}/link`);
  const repo = new URL("..", import.meta.url).pathname;
  const read = `--allow-read=${dir.path}/link,${repo}`;
  const { code, stderr } = await runMain([`${dir.path}/link`], {}, [read, "--allow-net"]);
  assertEquals(code, 2, stderr);
  assertEquals(
    stderr,
    `sluice: no read access to ${dir.path}/real (the real path of ROOT ${dir.path}/link): ` +
      `run Deno with --allow-read=${dir.path}/real\n`,
  );
  const upload = await runMain([`${dir.path}/link`, "--upload"], {}, [
    `${read},${dir.path}/real`,
    `--allow-write=${dir.path}/link`,
    "--allow-net",
  ]);
  assertEquals(upload.code, 2, upload.stderr);
  assertMatch(upload.stderr, new RegExp(`--allow-write=${dir.path}/real\n$`));
});

Deno.test("main.ts exits 1 with a clear message when the port is in use", async () => {
  await using dir = await tempDir({});
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const { code, stderr } = await runMain([dir.path, "--port", String(port)]);
  assertEquals(code, 1, stderr);
  assertEquals(stderr.trimEnd().split("\n").length, 1, stderr);
  assertMatch(stderr, new RegExp(`port ${port} .*already in use`));
});

Deno.test("main.ts prints the start line: version, absolute root, URL and mode", async () => {
  await using dir = await tempDir({ "sub/a.txt": "a" });
  await using sluice = await startMain(["sub", "--port", "0", "--quiet"], {}, dir.path);
  assertEquals(sluice.version, VERSION);
  assertEquals(sluice.root, await Deno.realPath(`${dir.path}/sub`));
  assertMatch(sluice.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assertEquals(sluice.mode, "read-only");
  const res = await fetch(sluice.href("/a.txt"));
  assertEquals([res.status, await res.text()], [200, "a"]);
  const status = await sluice.stop();
  assertEquals(status.code, 0);
});

Deno.test("main.ts honours SLUICE_* environment variables", async () => {
  await using dir = await tempDir({ "d/a.txt": "a" });
  const port = freePort();
  await using sluice = await startMain([dir.path, "--quiet"], {
    SLUICE_PORT: String(port),
    SLUICE_NO_LISTING: "1",
  });
  assertEquals(sluice.url, `http://127.0.0.1:${port}/`);
  const listing = await fetch(sluice.href("/d/"));
  assertEquals([listing.status, await listing.text()], [404, "Not found\n"]);
  await sluice.stop();
});

Deno.test("main.ts writes one access-log line per request unless --quiet", async () => {
  await using dir = await tempDir({ "a.txt": "abc" });
  const child = new Deno.Command(Deno.execPath(), {
    args: denoRunArgs(PERMISSIONS, [dir.path, "--port", "0"]),
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async () => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`stdout ended: ${buffered}`);
      buffered += value;
    }
    const newline = buffered.indexOf("\n");
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    return line;
  };
  try {
    const start = await nextLine();
    const url = /at (\S+) \(/.exec(start)?.[1];
    assertOk(url, start);
    const res = await fetch(new URL("/a.txt", url));
    assertEquals(await res.text(), "abc");
    assertMatch(await nextLine(), /^127\.0\.0\.1 GET \/a\.txt 200 3B [\d.]+ms$/);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await lines.cancel();
  }
});
