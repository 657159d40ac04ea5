/**
 * Limits and failure behaviour in process: the pure pieces as tables, then
 * the two listeners, the memory budget and the temp sweep on real sockets
 * and files. The process-level cases are in limits_fd_test.ts,
 * slowloris_test.ts and crash_safety_test.ts.
 */
import { join } from "node:path";
import { parseConfig } from "../src/config/parse_config.ts";
import { BufferPool, uploadBatches } from "../src/fs/buffer_pool.ts";
import { sweepTemps } from "../src/fs/temp_sweep.ts";
import { nearBudget } from "../src/memory_budget.ts";
import { ConnectionServer } from "../src/net/connection_server.ts";
import { isDescriptorExhaustion } from "../src/net/descriptor_exhaustion.ts";
import { fdLimitAdvice, parseFdLimit } from "../src/net/fd_limit.ts";
import { RateLimitedLog } from "../src/net/rate_limited_log.ts";
import { SupervisedServer } from "../src/net/supervised_server.ts";
import { TEMP_PREFIX } from "../src/path/decode_path.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { captureConsole } from "./helpers/console.ts";
import { deadline } from "./helpers/deadline.ts";
import { connectRaw } from "./helpers/raw_http.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

Deno.test("RateLimitedLog.write() writes one line per interval and counts the dropped ones", () => {
  let now = 0;
  const lines: string[] = [];
  const log = new RateLimitedLog((line) => lines.push(line), 1000, () => now);
  const rows: [number, boolean][] = [[0, true], [10, false], [999, false], [1000, true], [
    1500,
    false,
  ]];
  for (const [at, written] of rows) {
    now = at;
    assertEquals(log.write("full"), written, `at ${at} ms`);
  }
  now = 2000;
  log.write("full");
  assertEquals(lines, ["full", "full (2 similar lines dropped)", "full (1 similar lines dropped)"]);
});

Deno.test("isDescriptorExhaustion() knows EMFILE, ENFILE and the watcher's bare message", async (t) => {
  const withCode = (code: string) => Object.assign(new Error("x"), { code });
  const rows: [string, unknown, boolean][] = [
    ["EMFILE code", withCode("EMFILE"), true],
    ["ENFILE code", withCode("ENFILE"), true],
    ["watcher message", new Error("Too many open files (os error 24)"), true],
    ["system table message", new Error("Too many open files in system (os error 23)"), true],
    ["another code", withCode("ENOENT"), false],
    ["another os error", new Error("No space left on device (os error 28)"), false],
    ["not an error", "EMFILE", false],
  ];
  for (const [name, error, expected] of rows) {
    await t.step(name, () => assertEquals(isDescriptorExhaustion(error), expected));
  }
});

Deno.test("parseFdLimit() reads the Max open files row of /proc/<pid>/limits", async (t) => {
  const rows: [string, string, ReturnType<typeof parseFdLimit>][] = [
    [
      "numbers",
      "Max processes             95853                95853                processes\n" +
      "Max open files            1024                 524288               files\n",
      { soft: 1024, hard: 524288 },
    ],
    ["unlimited", "Max open files            unlimited            unlimited            files", {
      soft: null,
      hard: null,
    }],
    ["no such row", "Max processes 1 1 processes", null],
  ];
  for (const [name, text, expected] of rows) {
    await t.step(name, () => assertEquals(parseFdLimit(text), expected));
  }
});

Deno.test("fdLimitAdvice() speaks up below 4096 and says how to raise the limit", async (t) => {
  await t.step("1024 with room under the hard limit: ulimit -n", () => {
    assertMatch(
      fdLimitAdvice({ soft: 1024, hard: 524288 })!,
      /is 1024.*ulimit -n 65536.*LimitNOFILE=65536/,
    );
  });
  await t.step("soft equals hard: LimitNOFILE", () => {
    assertMatch(fdLimitAdvice({ soft: 256, hard: 256 })!, /hard limit is 256 too.*LimitNOFILE=/);
  });
  await t.step("4096 and unlimited are fine", () => {
    assertEquals(fdLimitAdvice({ soft: 4096, hard: 4096 }), null);
    assertEquals(fdLimitAdvice({ soft: null, hard: null }), null);
  });
});

Deno.test("nearBudget() refuses from 90 % of the budget, never on an unknown RSS", async (t) => {
  const rows: [number, number, boolean][] = [
    [899, 1000, false],
    [900, 1000, true],
    [2000, 1000, true],
    [0, 1, false],
  ];
  for (const [rss, budget, expected] of rows) {
    await t.step(`${rss} of ${budget}`, () => assertEquals(nearBudget(rss, budget), expected));
  }
});

Deno.test("parseConfig() reads the connection, memory and temp-file limits", async (t) => {
  await t.step("defaults", () => {
    const config = parseConfig([]);
    assertEquals(config.headerTimeout, 0);
    assertEquals(config.keepAliveTimeout, 0);
    assertEquals(config.maxClientConnections, 0);
    assertEquals(config.maxMemory, 2 * 1024 ** 3);
    assertEquals(config.staleTempAge, 3_600_000);
  });
  const rows: [string[], Record<string, string>, Partial<ReturnType<typeof parseConfig>>][] = [
    [["--header-timeout", "5000"], {}, { headerTimeout: 5000 }],
    [["--keepalive-timeout", "0"], { SLUICE_KEEPALIVE_TIMEOUT: "9" }, { keepAliveTimeout: 0 }],
    [[], { SLUICE_MAX_CLIENT_CONNECTIONS: "32" }, { maxClientConnections: 32 }],
    [["--max-memory", "512MiB"], {}, { maxMemory: 512 * 1024 ** 2 }],
    [[], { SLUICE_STALE_TEMP_AGE: "0" }, { staleTempAge: 0 }],
  ];
  for (const [argv, env, expected] of rows) {
    await t.step([...argv, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(" "), () => {
      const config = parseConfig(argv, env) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected)) assertEquals(config[key], value);
    });
  }
  await t.step("bad values are usage errors", () => {
    for (const argv of [["--header-timeout", "-1"], ["--max-memory", "lots"]]) {
      let message = "";
      try {
        parseConfig(argv);
      } catch (error) {
        message = (error as Error).message;
      }
      assertOk(message !== "", `${argv.join(" ")} was accepted`);
    }
  });
});

function guarded(overrides: Partial<ConstructorParameters<typeof ConnectionServer>[0]> = {}) {
  const server = new ConnectionServer({
    hostname: "127.0.0.1",
    port: 0,
    headerTimeout: 0,
    keepAliveTimeout: 0,
    maxClientConnections: 0,
    onError: () => new Response(null, { status: 500 }),
    ...overrides,
  }, () => new Response("ok\n"));
  return Object.assign(server, {
    url: `http://127.0.0.1:${server.addr.port}/`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  });
}

/** Reads until the server closes the connection; returns what it sent. */
async function readToClose(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  try {
    for (let n; (n = await conn.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
  } catch {
    // A reset is a close too.
  }
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

Deno.test("ConnectionServer closes connections that send no complete headers in time", async (t) => {
  await using server = guarded({ headerTimeout: 200 });
  for (const [name, sent] of [["silent", ""], ["half a head", "GET / HTTP/1.1\r\nHost: x\r\n"]]) {
    await t.step(name, async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
      if (sent) await conn.write(new TextEncoder().encode(sent));
      assertEquals(await deadline(readToClose(conn), "the close"), "");
      conn.close();
    });
  }
  const res = await fetch(server.url);
  assertEquals(await res.text(), "ok\n");
});

Deno.test("ConnectionServer closes a kept-alive connection idle past the keep-alive timeout", async () => {
  await using server = guarded({ keepAliveTimeout: 200 });
  using raw = await connectRaw(server.url);
  await raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const first = await raw.read();
  assertEquals(first.status, 200);
  await raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assertEquals((await raw.read()).status, 200, "a prompt second request is served");
  let closed = false;
  try {
    await deadline(raw.read(), "the close");
  } catch (error) {
    closed = /Connection closed/.test((error as Error).message);
  }
  assertOk(closed, "the idle connection was closed");
});

Deno.test("ConnectionServer answers 429 to connections over the per-client cap", async () => {
  const lines = await captureConsole("error", async () => {
    await using server = guarded({ maxClientConnections: 2 });
    const held = await Promise.all([1, 2].map(() => connectRaw(server.url)));
    const over = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    const answer = await deadline(readToClose(over), "the refusal");
    over.close();
    assertMatch(
      answer,
      /^HTTP\/1\.1 429 .*retry-after: 5.*Too many connections from this client\n$/s,
    );
    held.forEach((c) => c.close());
    // The cap counts open connections: once they are gone, the client is welcome again.
    const res = await deadline(
      (async () => {
        while (true) {
          const res = await fetch(server.url);
          if (res.status === 200) return res;
          await res.body?.cancel();
        }
      })(),
      "a 200 after the held connections closed",
    );
    assertEquals(await res.text(), "ok\n");
  });
  assertMatch(lines[0], /Refused a connection from 127\.0\.0\.1.*--max-client-connections/);
});

Deno.test("ConnectionServer refuses WebSocket upgrades with 501 instead of a dead socket", async () => {
  await using server = guarded({ headerTimeout: 10_000 });
  const res = await fetch(server.url, {
    headers: { upgrade: "websocket", connection: "upgrade" },
  });
  assertEquals(res.status, 501);
  assertMatch(await res.text(), /WebSocket is off/);
});

Deno.test("SupervisedServer serves like Deno.serve and shuts down", async () => {
  const server = new SupervisedServer({
    hostname: "127.0.0.1",
    port: 0,
    onError: () => new Response(null, { status: 500 }),
  }, () => new Response("ok\n"));
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  assertEquals(await res.text(), "ok\n");
  await server.shutdown();
  await server.finished;
  assertEquals(server.restarts, 0);
});

Deno.test("openStream() answers 503 with Retry-After when the process is near --max-memory", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { maxMemory: 1024 });
  const res = await fetch(server.href("/_/sse/countdown?from=1&interval=10"));
  assertEquals(res.status, 503);
  assertEquals(res.headers.get("retry-after"), "5");
  assertEquals(await res.text(), "Server is low on memory, try again later\n");
});

Deno.test("sweepTemps() removes stale temp files only, never a running upload's", async () => {
  await using dir = await tempDir({ "keep.txt": "x", "sub/.hidden": "y" });
  const stale = join(dir.path, "sub", `${TEMP_PREFIX}stale`);
  const fresh = join(dir.path, `${TEMP_PREFIX}fresh`);
  const running = join(dir.path, `${TEMP_PREFIX}running`);
  for (const path of [stale, fresh, running]) await Deno.writeTextFile(path, "partial");
  const hour = 3_600_000;
  const old = new Date(Date.now() - 2 * hour);
  await Deno.utime(stale, old, old);
  await Deno.utime(running, old, old);
  const { removed, truncated } = await sweepTemps(dir.path, {
    staleAfterMs: hour,
    running: new Set([running]),
  });
  assertEquals(removed, [stale]);
  assertEquals(truncated, false);
  const left = [];
  for await (const entry of Deno.readDir(dir.path)) left.push(entry.name);
  assertEquals(left.sort(), [`${TEMP_PREFIX}fresh`, `${TEMP_PREFIX}running`, "keep.txt", "sub"]);
  assertEquals(
    (await sweepTemps(dir.path, { staleAfterMs: 0, running: new Set(), maxEntries: 1 })).truncated,
    true,
  );
});

Deno.test("BufferPool.take() lends up to max buffers and reuses returned ones", () => {
  const pool = new BufferPool(8, 2, 1);
  const a = pool.take()!;
  const b = pool.take()!;
  assertEquals([a.length, b.length, pool.take(), pool.lent], [8, 8, null, 2]);
  pool.give(a);
  assertOk(pool.take() === a, "a returned buffer is lent again");
  pool.give(b);
  assertEquals(pool.lent, 1);
});

Deno.test("upload() stores the body unbuffered when every upload batch buffer is lent", async () => {
  const taken = Array.from({ length: uploadBatches.max }, () => uploadBatches.take()!);
  try {
    assertEquals(uploadBatches.take(), null);
    await using dir = await tempDir();
    await using server = startTestServer(dir.path, { upload: true });
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const res = await fetch(server.href("/u.bin"), { method: "PUT", body });
    await res.body?.cancel();
    assertEquals(res.status, 201);
    assertEquals(await Deno.readFile(join(dir.path, "u.bin")), body);
  } finally {
    for (const buffer of taken) uploadBatches.give(buffer);
  }
});
