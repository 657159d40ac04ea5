import { parseConfig } from "../src/config/parse_config.ts";
import { HELP } from "../src/config/help.ts";
import { assertEquals, assertMatch } from "./helpers/assert.ts";

Deno.test("parseConfig() reads --dav-strict and SLUICE_DAV_STRICT, off by default", async (t) => {
  const cases: [string[], Record<string, string>, boolean][] = [
    [[], {}, false],
    [["--dav-strict"], {}, true],
    [[], { SLUICE_DAV_STRICT: "1" }, true],
    [[], { SLUICE_DAV_STRICT: "off" }, false],
  ];
  for (const [argv, env, expected] of cases) {
    await t.step(`${argv.join(" ")} ${JSON.stringify(env)} → ${expected}`, () => {
      assertEquals(parseConfig(argv, env).davStrict, expected);
    });
  }
});

Deno.test("HELP documents --dav-strict", () => {
  assertMatch(HELP, /--dav-strict\s+RFC 4918/);
});
