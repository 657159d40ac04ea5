/**
 * The relay's flags and its key: parsed like every flag, the key read only
 * from `SLUICE_LLM_KEY` and never printed.
 * @module
 */
import { assertEquals, assertOk, assertThrows } from "./helpers/assert.ts";
import { startFakeLlm } from "./helpers/fake_llm.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";
import { tempDir } from "./helpers/server.ts";
import { allSseEvents } from "./helpers/sse_parser.ts";
import { ENV_NAMES, parseConfig } from "../src/config/parse_config.ts";
import { Secret } from "../src/config/secret.ts";
import { UsageError } from "../src/config/usage_error.ts";
import { HELP } from "../src/config/help.ts";

const KEY = "sk-config-test-SECRET";

Deno.test("parseConfig() reads the relay flags and variables", async (t) => {
  const rows: [string[], Record<string, string>, Record<string, unknown> | null][] = [
    [[], {}, null],
    [[], { SLUICE_LLM_KEY: KEY }, null],
    [["--llm-url", "http://127.0.0.1:8080/v1"], {}, {
      url: "http://127.0.0.1:8080/v1",
      model: null,
      key: null,
      timeout: 300_000,
      idle: 60_000,
    }],
    [
      ["--llm-url=https://api.openai.com/v1", "--llm-model", "gpt-4o-mini", "--llm-idle", "500"],
      {},
      { url: "https://api.openai.com/v1", model: "gpt-4o-mini", idle: 500 },
    ],
    [[], { SLUICE_LLM_URL: "http://localhost:11434/v1", SLUICE_LLM_MODEL: "llama3.2" }, {
      url: "http://localhost:11434/v1",
      model: "llama3.2",
    }],
    [["--llm-url", "http://a/v1"], { SLUICE_LLM_URL: "http://b/v1", SLUICE_LLM_TIMEOUT: "2000" }, {
      url: "http://a/v1",
      timeout: 2000,
    }],
  ];
  for (const [argv, env, expected] of rows) {
    await t.step(`${argv.join(" ")} ${JSON.stringify(env)}`, () => {
      const llm = parseConfig(argv, env).llm;
      if (expected === null) return assertEquals(llm, null);
      assertOk(llm !== null);
      for (const [field, value] of Object.entries(expected)) {
        assertEquals(llm[field as keyof typeof llm], value, field);
      }
    });
  }
  const keyed = parseConfig(["--llm-url", "http://a/v1"], { SLUICE_LLM_KEY: ` ${KEY}\n` }).llm;
  assertEquals(keyed?.key?.reveal(), KEY);
  assertOk(ENV_NAMES.includes("SLUICE_LLM_KEY"), "main.ts reads the key variable");
});

Deno.test("parseConfig() refuses bad relay settings, and a key on the command line", async (t) => {
  const rows: [string[], string][] = [
    [["--llm-url", "localhost:8080"], '--llm-url must be an http(s) URL, got "localhost:8080"'],
    [["--llm-url", "ftp://h/v1"], '--llm-url must be an http(s) URL, got "ftp://h/v1"'],
    [
      ["--llm-url", "https://me:sk-1@h/v1"],
      "--llm-url must not contain credentials: put the key in SLUICE_LLM_KEY",
    ],
    [
      ["--llm-url", "http://h", "--llm-idle", "50"],
      "--llm-idle must be between 100 and 3600000, got 50",
    ],
    [
      ["--llm-url", "http://h", "--llm-timeout", "1s"],
      '--llm-timeout must be a whole number, got "1s"',
    ],
    [["--llm-key", KEY], "unknown flag --llm-key"],
  ];
  for (const [argv, message] of rows) {
    await t.step(argv.join(" "), () => {
      assertThrows(
        () => parseConfig(argv),
        (error: unknown) => error instanceof UsageError && error.message === message,
      );
    });
  }
});

Deno.test("Secret.reveal() alone shows the key: printing the config shows [redacted]", () => {
  const config = parseConfig(["--llm-url", "http://h/v1"], { SLUICE_LLM_KEY: KEY });
  for (
    const text of [
      JSON.stringify(config),
      Deno.inspect(config, { depth: 10 }),
      String(config.llm?.key),
      `${config.llm?.key}`,
    ]
  ) {
    assertOk(!text.includes(KEY), text);
    assertOk(text.includes("[redacted]"), text);
  }
  assertEquals(new Secret("x").reveal(), "x");
});

Deno.test("--help documents the relay flags", () => {
  for (
    const flag of ["--llm-url", "--llm-model", "--llm-timeout", "--llm-idle", "SLUICE_LLM_KEY"]
  ) {
    assertOk(HELP.includes(flag), flag);
  }
});

Deno.test("main.ts sends the SLUICE_LLM_KEY it read to the upstream and prints it nowhere", async () => {
  await using dir = await tempDir();
  await using llm = startFakeLlm({ tokens: ["Hi"] });
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(
      [`--allow-read=${dir.path},.`, "--allow-net", "--allow-env=SLUICE_*"],
      [dir.path, "--port", "0", "--llm-url", llm.url],
    ),
    env: { SLUICE_LLM_KEY: KEY },
  });
  const res = await fetch(sluice.href("/_/sse/chat?message=Hi"));
  assertEquals((await allSseEvents(res.body!)).map((e) => e.data), ["Hi", "[DONE]"]);
  assertEquals(llm.requests[0].authorization, `Bearer ${KEY}`);
  const health = await (await fetch(sluice.href("/_/health"))).text();
  assertOk(!health.includes(KEY));
});
