import { envName, parseAuth, parseConfig } from "../src/config/parse_config.ts";
import { parseByteSize } from "../src/config/parse_byte_size.ts";
import { UsageError } from "../src/config/usage_error.ts";
import { assertEquals, assertThrows } from "./helpers/assert.ts";

Deno.test("parseConfig() has the documented defaults", () => {
  const config = parseConfig([]);
  assertEquals(config.root, ".");
  assertEquals(config.host, "127.0.0.1");
  assertEquals(config.port, 8000);
  assertEquals(config.dotfiles, false);
  assertEquals(config.listing, true);
  assertEquals(config.index, null);
  assertEquals(config.cors, null);
  assertEquals(config.quiet, false);
  assertEquals(config.upload, false);
  assertEquals(config.watch, false);
  assertEquals(config.logFormat, "text");
  assertEquals(config.help, false);
  assertEquals(config.version, false);
});

Deno.test("parseConfig() reads every core flag", async (t) => {
  const rows: [string[], Partial<ReturnType<typeof parseConfig>>][] = [
    [["./videos"], { root: "./videos" }],
    [["--host", "0.0.0.0"], { host: "0.0.0.0" }],
    [["--port", "0"], { port: 0 }],
    [["-p", "9000"], { port: 9000 }],
    [["--port=65535"], { port: 65535 }],
    [["--dotfiles"], { dotfiles: true }],
    [["--no-listing"], { listing: false }],
    [["--index", "index.html"], { index: "index.html" }],
    [["--cors"], { cors: "*" }],
    [["--cors", "./site"], { cors: "*", root: "./site" }],
    [["--cors", "--quiet"], { cors: "*", quiet: true }],
    [["--cors", "https://app.example"], { cors: "https://app.example" }],
    [["--cors=https://app.example", "dir"], { cors: "https://app.example", root: "dir" }],
    [["--quiet"], { quiet: true }],
    [["--watch"], { watch: true }],
    [["--help"], { help: true }],
    [["-h"], { help: true }],
    [["--version"], { version: true }],
    [["-V"], { version: true }],
  ];
  for (const [argv, expected] of rows) {
    await t.step(argv.join(" "), () => {
      const config = parseConfig(argv);
      for (const [key, value] of Object.entries(expected)) {
        assertEquals(config[key as keyof typeof config], value, key);
      }
    });
  }
});

Deno.test("parseConfig() reads SLUICE_* environment variables, flags win", async (t) => {
  await t.step(
    "SLUICE_PORT",
    () => assertEquals(parseConfig([], { SLUICE_PORT: "1234" }).port, 1234),
  );
  await t.step("flag over env", () => {
    assertEquals(parseConfig(["--port", "5"], { SLUICE_PORT: "1234" }).port, 5);
  });
  await t.step("boolean words", () => {
    assertEquals(parseConfig([], { SLUICE_DOTFILES: "yes" }).dotfiles, true);
    assertEquals(parseConfig([], { SLUICE_DOTFILES: "0" }).dotfiles, false);
    assertEquals(parseConfig([], { SLUICE_WATCH: "on" }).watch, true);
    assertEquals(parseConfig([], { SLUICE_NO_LISTING: "true" }).listing, false);
    assertEquals(parseConfig([], { SLUICE_QUIET: "on" }).quiet, true);
  });
  await t.step(
    "SLUICE_CORS: empty or a true word means *, a false word off, else an origin",
    () => {
      assertEquals(parseConfig([], { SLUICE_CORS: "" }).cors, "*");
      assertEquals(parseConfig([], { SLUICE_CORS: "1" }).cors, "*");
      assertEquals(parseConfig([], { SLUICE_CORS: "true" }).cors, "*");
      assertEquals(parseConfig([], { SLUICE_CORS: "off" }).cors, null);
      assertEquals(
        parseConfig([], { SLUICE_CORS: "http://a.test:8080" }).cors,
        "http://a.test:8080",
      );
      assertEquals(
        parseConfig(["--cors", "https://b.test"], { SLUICE_CORS: "0" }).cors,
        "https://b.test",
      );
    },
  );
  await t.step("SLUICE_INDEX and SLUICE_HOST", () => {
    const config = parseConfig([], { SLUICE_INDEX: "index.html", SLUICE_HOST: "::1" });
    assertEquals([config.index, config.host], ["index.html", "::1"]);
  });
  await t.step("envName()", () => assertEquals(envName("no-listing"), "SLUICE_NO_LISTING"));
});

Deno.test("parseConfig() throws a one-line UsageError for bad input", async (t) => {
  const rows: [string[], Record<string, string>][] = [
    [["--bogus"], {}],
    [["-x"], {}],
    [["--port"], {}],
    [["--port", "abc"], {}],
    [["--port", "-1"], {}],
    [["--port", "65536"], {}],
    [["--port", "1.5"], {}],
    [["a", "b"], {}],
    [["--index", "../x"], {}],
    [["--index", ".hidden"], {}],
    [["--index", ""], {}],
    [["--log-format", "xml"], {}],
    [["--cors=example.com"], {}],
    [["--cors=https://example.com/path"], {}],
    [[], { SLUICE_CORS: "maybe" }],
    [["--cert", "c.pem"], {}],
    [["--max-upload", "lots"], {}],
    [[], { SLUICE_PORT: "http" }],
    [[], { SLUICE_DOTFILES: "maybe" }],
  ];
  for (const [argv, env] of rows) {
    await t.step(`${argv.join(" ")} ${JSON.stringify(env)}`, () => {
      assertThrows(() => parseConfig(argv, env), (error: unknown) => {
        return error instanceof UsageError && !error.message.includes("\n") &&
          error.message.length > 0;
      });
    });
  }
});

Deno.test("parseByteSize() reads decimal and binary units", () => {
  assertEquals(parseByteSize("1024"), 1024);
  assertEquals(parseByteSize("500MB"), 500e6);
  assertEquals(parseByteSize("2GiB"), 2 * 1024 ** 3);
  assertEquals(parseByteSize("1.5k"), 1536);
  assertThrows(() => parseByteSize("-1"), UsageError);
});

Deno.test("parseAuth() splits user, password (may hold colons) and access", () => {
  assertEquals(parseAuth("ann:secret"), { user: "ann", password: "secret", access: "rw" });
  assertEquals(parseAuth("ann:a:b:ro"), { user: "ann", password: "a:b", access: "ro" });
  assertThrows(() => parseAuth("ann"), UsageError);
  assertThrows(() => parseAuth(":pw"), UsageError);
});
