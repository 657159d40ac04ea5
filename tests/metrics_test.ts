import { createHash } from "node:crypto";
import { formatPrometheus } from "../src/http/prometheus_text.ts";
import { Metrics } from "../src/metrics.ts";
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";

/** Samples of the exposition text by `name{labels}`. */
async function scrape(server: TestServer): Promise<Map<string, number>> {
  const res = await fetch(server.href("/_/metrics"));
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

Deno.test("formatPrometheus() writes HELP, TYPE and escaped labels", () => {
  const text = formatPrometheus([{
    name: "x_total",
    help: "Things.",
    type: "counter",
    samples: [{ labels: { path: 'a"b\\c\nd' }, value: 3 }, { value: 1 }],
  }]);
  assertEquals(
    text,
    '# HELP x_total Things.\n# TYPE x_total counter\nx_total{path="a\\"b\\\\c\\nd"} 3\nx_total 1\n',
  );
});

Deno.test("serveMetrics() counters move with requests, uploads and failures", async () => {
  await using dir = await tempDir({ "a.txt": "0123456789" });
  await using server = startTestServer(dir.path, { upload: true });
  const before = await scrape(server);
  assertEquals(before.get('sluice_open_streams{kind="upload"}'), 0);
  assertEquals(before.get("sluice_received_bytes_total"), 0);

  const get = await fetch(server.href("/a.txt"));
  assertEquals(await get.text(), "0123456789");
  const missing = await fetch(server.href("/missing"));
  await missing.body?.cancel();
  const created = await fetch(server.href("/b.txt"), { method: "PUT", body: "hello" });
  await created.body?.cancel();
  const wrong = createHash("sha256").update("other").digest("base64");
  const bad = await fetch(server.href("/c.txt"), {
    method: "PUT",
    body: "abc",
    headers: { "repr-digest": `sha-256=:${wrong}:` },
  });
  await bad.body?.cancel();
  assertEquals([get.status, missing.status, created.status, bad.status], [200, 404, 201, 400]);

  const after = await scrape(server);
  assertEquals(after.get('sluice_requests_total{method="GET",status="200"}'), 2); // incl. scrape 1
  assertEquals(after.get('sluice_requests_total{method="GET",status="404"}'), 1);
  assertEquals(after.get('sluice_requests_total{method="PUT",status="201"}'), 1);
  assertEquals(after.get('sluice_requests_total{method="PUT",status="400"}'), 1);
  assertEquals(after.get("sluice_received_bytes_total"), 8);
  assertEquals(after.get('sluice_upload_failures_total{reason="digest"}'), 1);
  assertEquals(after.get('sluice_open_streams{kind="upload"}'), 0);
  assertEquals((after.get("sluice_sent_bytes_total") ?? 0) >= 10, true);
});

Deno.test("serveMetrics() reports open streams by kind", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const release = server.state.track("sse");
  assertEquals((await scrape(server)).get('sluice_open_streams{kind="sse"}'), 1);
  release();
  assertEquals((await scrape(server)).get('sluice_open_streams{kind="sse"}'), 0);
});

Deno.test("Metrics.record() folds unknown methods into OTHER (no series per made-up method)", () => {
  const metrics = new Metrics();
  for (let i = 0; i < 100; i++) metrics.record(`X${i}`, 405, 0);
  metrics.record("GET", 200, 5);
  metrics.record("MOVE", 201, 0);
  assertEquals([...metrics.requests], [["OTHER 405", 100], ["GET 200", 1], ["MOVE 201", 1]]);
});
