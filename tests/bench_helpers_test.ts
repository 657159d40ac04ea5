/**
 * The pure pieces of the benchmark (tests/bench/) and of the process helper:
 * output parsers, the nginx config and the results table.
 */
import { nginxConfig } from "./bench/nginx.ts";
import { parseProcStat, parseProcStatus } from "./bench/proc_status.ts";
import { formatTable, ratio, type ResultRow, targetVerdict } from "./bench/results_table.ts";
import { parseWrkOutput, randomRangeScript } from "./bench/wrk.ts";
import { assertEquals, assertMatch, assertOk, assertThrows } from "./helpers/assert.ts";
import { parseStartLine } from "./helpers/sluice_process.ts";

const WRK_OUTPUT = `Running 2s test @ http://127.0.0.1:38401/a.txt
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   601.86us  215.64us   4.53ms   98.44%
    Req/Sec    27.17k   829.51    28.37k    75.00%
  Latency Distribution
     50%  580.00us
     75%  609.00us
     90%  646.00us
     99%    1.09ms
  54114 requests in 2.00s, 13.16MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  27006.75
Transfer/sec:      6.57MB
`;

Deno.test("parseWrkOutput() reads rate, transfer, p99, counts and errors", () => {
  const result = parseWrkOutput(WRK_OUTPUT);
  assertEquals(result.requestsPerSecond, 27006.75);
  assertEquals(result.bytesPerSecond, 6.57 * 1024 * 1024);
  assertEquals(result.p99Ms, 1.09);
  assertEquals(result.requests, 54114);
  assertEquals(result.non2xx, 7);
  assertEquals(result.socketErrors, 3);
});

Deno.test("parseWrkOutput() converts microsecond and second latencies to ms", () => {
  const us = WRK_OUTPUT.replace("99%    1.09ms", "99%  750.00us");
  assertEquals(parseWrkOutput(us).p99Ms, 0.75);
  const s = WRK_OUTPUT.replace("99%    1.09ms", "99%    2.50s");
  assertEquals(parseWrkOutput(s).p99Ms, 2500);
});

Deno.test("parseWrkOutput() rejects text that is not a wrk summary", () => {
  assertThrows(() => parseWrkOutput("unable to connect to 127.0.0.1:1"), SyntaxError);
});

Deno.test("randomRangeScript() asks for ranges of the given length inside the file", () => {
  const script = randomRangeScript("/big.bin", 1000, 100);
  assertMatch(script, /local path, size, length = "\/big.bin", 1000, 100/);
  assertMatch(script, /math\.random\(0, size - length\)/);
  assertMatch(script, /"bytes=" \.\. start \.\. "-" \.\. \(start \+ length - 1\)/);
});

Deno.test("parseProcStatus() reads VmRSS and VmHWM in bytes", () => {
  const status = "Name:\tdeno\nVmPeak:\t 900 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\n";
  assertEquals(parseProcStatus(status), { rss: 1024 * 1024, hwm: 2048 * 1024 });
  assertThrows(() => parseProcStatus("Name:\tdeno\n"), SyntaxError);
});

Deno.test("parseProcStat() adds user and system ticks after a command name with spaces", () => {
  const line = "42 (my (odd) cmd) S 1 42 42 0 -1 4194560 10 0 0 0 150 50 0 0 20 0 9 0 100";
  assertEquals(parseProcStat(line), 2000);
});

Deno.test("nginxConfig() turns sendfile on or off and keeps tcp_nopush off", () => {
  const base = { root: "/srv/data", prefix: "/tmp/p", port: 8080 };
  const off = nginxConfig({ ...base, sendfile: false });
  const on = nginxConfig({ ...base, sendfile: true });
  assertMatch(off, /^\s*sendfile off;$/m);
  assertMatch(on, /^\s*sendfile on;$/m);
  for (const conf of [off, on]) {
    assertMatch(conf, /^\s*tcp_nopush off;$/m);
    assertMatch(conf, /^\s*access_log off;$/m);
    assertMatch(conf, /^\s*worker_processes 1;$/m);
    assertMatch(conf, /^daemon off;$/m);
    assertMatch(conf, /listen 127\.0\.0\.1:8080;/);
    assertOk(!conf.includes("dav_methods"));
  }
  assertMatch(nginxConfig({ ...base, sendfile: false, upload: true }), /dav_methods PUT;/);
});

Deno.test("formatTable() shows ratios to each nginx and the target verdict", () => {
  const row: ResultRow = {
    scenario: "1. 1 KiB file",
    metric: "requests/s",
    unit: "req/s",
    values: { sluice: 40_000, "nginx-off": 50_000, "nginx-on": 80_000 },
    target: { minRatio: 0.8, against: "nginx-off", text: "≥ 0.8× nginx off" },
  };
  assertEquals(ratio(row, "nginx-off"), "0.80×");
  assertEquals(ratio(row, "nginx-on"), "0.50×");
  assertEquals(targetVerdict(row), "≥ 0.8× nginx off: met");
  assertEquals(
    targetVerdict({ ...row, values: { ...row.values, sluice: 39_000 } }),
    "≥ 0.8× nginx off: not met",
  );
  const table = formatTable([row, {
    scenario: "5. SSE",
    metric: "RSS",
    unit: "MiB",
    values: {},
    skipped: "GET /_/events answers 404",
  }]);
  const lines = table.split("\n");
  assertEquals(lines.length, 4);
  assertEquals(
    lines[2],
    "| 1. 1 KiB file | requests/s | 40.0 k | 50.0 k | 80.0 k | 0.80× | 0.50× | ≥ 0.8× nginx off: met |",
  );
  assertMatch(lines[3], /skipped: GET \/_\/events answers 404/);
});

Deno.test("targetVerdict() checks an absolute ceiling", () => {
  const row: ResultRow = {
    scenario: "4. slow clients",
    metric: "peak RSS",
    unit: "MiB",
    values: { sluice: 80 },
    target: { maxValue: 95.4, text: "< 100 MB" },
  };
  assertEquals(targetVerdict(row), "< 100 MB: met");
  assertEquals(targetVerdict({ ...row, values: { sluice: 120 } }), "< 100 MB: not met");
});

Deno.test("parseStartLine() reads version, root, URL and mode", () => {
  assertEquals(
    parseStartLine("Sluice 0.1.0 serving /srv/my files at http://127.0.0.1:8000/ (read-write)\n"),
    {
      version: "0.1.0",
      root: "/srv/my files",
      url: "http://127.0.0.1:8000/",
      mode: "read-write",
    },
  );
  assertEquals(parseStartLine("Shutting down"), null);
});
