/**
 * litmus, the WebDAV conformance suite (RFC 4918 class 1 and 2), against
 * a real Sluice with `--upload` and a SQLite state store, by default and
 * with `--dav-strict`.
 * Apache's mod_dav passes 104 of 104 tests here; so must Sluice, with no
 * warnings.
 */
import { assertEquals } from "./helpers/assert.ts";
import { startStatefulServer, tempDir } from "./helpers/server.ts";

/** What litmus printed for one suite. */
interface SuiteResult {
  run: number;
  passed: number;
  failed: number;
  warnings: string[];
  failures: string[];
}

/** Reads litmus's output: the summary line of the suite, its warnings and failures. */
function parseLitmus(output: string): SuiteResult {
  const summary = /summary for `\w+': of (\d+) tests run: (\d+) passed, (\d+) failed/.exec(output);
  if (summary === null) throw new Error(`No litmus summary in:\n${output}`);
  return {
    run: Number(summary[1]),
    passed: Number(summary[2]),
    failed: Number(summary[3]),
    warnings: output.split("\n").filter((line) => line.includes("WARNING")),
    failures: output.split("\n").filter((line) => /\bFAIL\b/.test(line)),
  };
}

function hasLitmus(): boolean {
  try {
    new Deno.Command("litmus", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return true;
  } catch {
    return false;
  }
}

const SUITES: [string, number][] = [
  ["basic", 16],
  ["copymove", 13],
  ["props", 30],
  ["locks", 41],
  ["http", 4],
];

for (const [mode, overrides] of [["", {}], [" with --dav-strict", { davStrict: true }]] as const) {
  Deno.test({
    name: `litmus passes every test of basic, copymove, props, locks and http${mode} (104 of 104)`,
    ignore: !hasLitmus(),
    async fn(t) {
      await using root = await tempDir();
      await using work = await tempDir();
      await using server = await startStatefulServer(root.path, { upload: true, ...overrides });
      let total = 0;
      for (const [suite, count] of SUITES) {
        await t.step(`${suite}: ${count} passed, no warnings`, async () => {
          // litmus writes debug.log and child.log into its working directory.
          const { stdout, stderr } = await new Deno.Command("litmus", {
            args: ["-k", server.href("/")],
            env: { TESTS: suite },
            cwd: work.path,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
          const result = parseLitmus(output);
          assertEquals(result.failures, [], output);
          assertEquals(result.warnings, [], output);
          assertEquals([result.run, result.passed, result.failed], [count, count, 0], output);
          total += result.passed;
        });
      }
      assertEquals(total, 104);
    },
  });
}

if (!hasLitmus()) {
  console.log("dav_litmus_test: litmus is not installed (apt-get install litmus); skipped");
}
