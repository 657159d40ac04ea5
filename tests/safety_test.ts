import { checkSafety, isLoopback } from "../src/config/check_safety.ts";
import { parseConfig } from "../src/config/parse_config.ts";
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("isLoopback() knows the loopback addresses", async (t) => {
  const cases: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["127.0.0.1.example.com", false],
    ["my-laptop.local", false],
  ];
  for (const [host, expected] of cases) {
    await t.step(`${host} → ${expected}`, () => assertEquals(isLoopback(host), expected));
  }
});

Deno.test("checkSafety() refuses writes on a network host without --auth", async (t) => {
  const cases: [string[], boolean][] = [
    [["--host", "0.0.0.0", "--upload"], false],
    [["--host", "192.168.1.10", "--upload"], false],
    [["--host", "0.0.0.0", "--upload", "--insecure"], true],
    [["--host", "0.0.0.0", "--upload", "--auth", "u:p"], true],
    [["--host", "0.0.0.0"], true],
    [["--upload"], true],
    [["--host", "localhost", "--upload"], true],
  ];
  for (const [argv, safe] of cases) {
    await t.step(`${argv.join(" ")} → ${safe ? "starts" : "refuses"}`, () => {
      const message = checkSafety(parseConfig(argv));
      assertEquals(message === null, safe);
      if (message !== null) assertMatch(message, /--auth.*--insecure/);
    });
  }
});

Deno.test("main() exits 2 with one line on stderr for unsafe writes", async () => {
  await using dir = await tempDir();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, dir.path, "--host", "0.0.0.0", "--port", "0", "--upload"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 2);
  assertEquals(new TextDecoder().decode(stdout), "");
  const lines = new TextDecoder().decode(stderr).trimEnd().split("\n");
  assertEquals(lines.length, 1);
  assertMatch(lines[0], /^sluice: refusing to enable --upload on 0\.0\.0\.0 without --auth/);
});

Deno.test("main() starts with writes on a network host when --insecure is given", async () => {
  await using dir = await tempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      dir.path,
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--upload",
      "--insecure",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  child.kill("SIGTERM");
  while (!(await reader.read()).done) { /* drain */ }
  await child.stderr.cancel();
  await child.status;
  assertMatch(out, /^Sluice \S+ serving .* \(read-write\)/);
});
