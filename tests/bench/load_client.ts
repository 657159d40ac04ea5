/**
 * Load generators the benchmark runs as a separate, pinned process (with a
 * raised open-file limit), over raw TCP so that what the server sees is
 * exactly what we mean: slow readers, idle SSE listeners, one big upload.
 * Prints one JSON line per phase on stdout.
 *
 * ```sh
 * deno run -A tests/bench/load_client.ts slow URL COUNT CHUNK_BYTES INTERVAL_MS SECONDS
 * deno run -A tests/bench/load_client.ts sse URL MAX TRIGGER_FILE TIMEOUT_MS
 * deno run -A tests/bench/load_client.ts upload URL BYTES
 * ```
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function report(value: Record<string, unknown>): void {
  console.log(JSON.stringify(value));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function requestHead(method: string, url: URL, extra: string[] = []): Uint8Array {
  return encoder.encode(
    [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, ...extra, "", ""]
      .join("\r\n"),
  );
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Reads until the end of the response head; returns the status and any body bytes read. */
async function readHead(conn: Deno.Conn): Promise<{ status: number; rest: string }> {
  const buffer = new Uint8Array(16 * 1024);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("connection closed before the response head");
    text += decoder.decode(buffer.subarray(0, n));
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, rest: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

/** `COUNT` clients downloading `URL`, each reading `CHUNK` bytes every `INTERVAL` ms. */
async function slow(url: URL, count: number, chunk: number, interval: number, seconds: number) {
  const conns: Deno.Conn[] = [];
  let bytes = 0;
  let errors = 0;
  let running = true;
  const readers: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
    conns.push(conn);
    await writeAll(conn, requestHead("GET", url));
    readers.push((async () => {
      const buffer = new Uint8Array(chunk);
      // Spread the clients over the interval so reads do not come in waves.
      await sleep(Math.random() * interval);
      try {
        while (running) {
          const n = await conn.read(buffer);
          if (n === null) break;
          bytes += n;
          await sleep(interval);
        }
      } catch {
        if (running) errors++;
      }
    })());
  }
  report({ phase: "connected", count: conns.length });
  await sleep(seconds * 1000);
  running = false;
  for (const conn of conns) conn.close();
  await Promise.all(readers);
  report({ phase: "done", count: conns.length, bytes, errors });
}

interface Listener {
  conn: Deno.Conn;
  /** When the first `data:` line arrived after the trigger. */
  dataAt: number | null;
  /** When a chunk naming the trigger file arrived after the trigger. */
  nameAt: number | null;
}

/** Up to `max` idle SSE connections, then the time one file change takes to reach them all. */
async function sse(url: URL, max: number, triggerFile: string, timeoutMs: number) {
  const listeners: Listener[] = [];
  let triggered = false;
  let connectError = "";
  const name = triggerFile.slice(triggerFile.lastIndexOf("/") + 1);
  const head = requestHead("GET", url, ["Accept: text/event-stream"]);
  let pending = 0;
  let allReached: () => void = () => {};
  const reachedAll = new Promise<void>((resolve) => allReached = resolve);

  const listen = async (listener: Listener) => {
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        const n = await listener.conn.read(buffer);
        if (n === null) break;
        if (!triggered) continue;
        const text = decoder.decode(buffer.subarray(0, n));
        const now = performance.timeOrigin + performance.now();
        if (listener.dataAt === null && /(^|\n)data:/.test(text)) listener.dataAt = now;
        if (listener.nameAt === null && text.includes(name)) {
          listener.nameAt = now;
          if (--pending === 0) allReached();
          break;
        }
      }
    } catch {
      // Closed at the end of the run.
    }
  };

  const BATCH = 250;
  outer: while (listeners.length < max) {
    const batch = Math.min(BATCH, max - listeners.length);
    const opened = await Promise.allSettled(
      Array.from({ length: batch }, async () => {
        const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
        try {
          await writeAll(conn, head);
          const { status } = await readHead(conn);
          if (status !== 200) throw new Error(`status ${status}`);
        } catch (error) {
          conn.close();
          throw error;
        }
        return conn;
      }),
    );
    for (const result of opened) {
      if (result.status === "fulfilled") {
        const listener = { conn: result.value, dataAt: null, nameAt: null };
        listeners.push(listener);
        listen(listener);
      } else {
        connectError ||= String(result.reason?.message ?? result.reason);
      }
    }
    if (connectError) break outer;
  }
  report({ phase: "connected", count: listeners.length, error: connectError || null });

  // Wait for the orchestrator (it measures RSS now), then let things settle.
  const line = await readLine();
  if (line !== "go") return;
  await sleep(500);
  pending = listeners.length;
  triggered = true;
  const started = performance.timeOrigin + performance.now();
  await Deno.writeTextFile(triggerFile, `changed at ${started}\n`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    reachedAll,
    new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
  ]);
  clearTimeout(timer);
  const byName = listeners.filter((l) => l.nameAt !== null).map((l) => l.nameAt! - started);
  const byData = listeners.filter((l) => l.dataAt !== null).map((l) => l.dataAt! - started);
  for (const listener of listeners) listener.conn.close();
  report({
    phase: "done",
    count: listeners.length,
    reachedByName: byName.length,
    reachedByData: byData.length,
    lastMsByName: byName.length ? Math.max(...byName) : null,
    lastMsByData: byData.length ? Math.max(...byData) : null,
  });
}

async function readLine(): Promise<string> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.trim();
}

/** One streaming `PUT` of `bytes` random bytes with a Content-Length. */
async function upload(url: URL, bytes: number) {
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const block = new Uint8Array(1024 * 1024);
  for (let i = 0; i < block.length; i += 65536) {
    crypto.getRandomValues(block.subarray(i, i + 65536));
  }
  const started = performance.now();
  await writeAll(
    conn,
    requestHead("PUT", url, [
      `Content-Length: ${bytes}`,
      "Content-Type: application/octet-stream",
    ]),
  );
  for (let sent = 0; sent < bytes; sent += block.length) {
    await writeAll(conn, block.subarray(0, Math.min(block.length, bytes - sent)));
  }
  const { status } = await readHead(conn);
  const seconds = (performance.now() - started) / 1000;
  conn.close();
  report({ phase: "done", status, bytes, seconds });
}

if (import.meta.main) {
  const [mode, rawUrl, ...rest] = Deno.args;
  const url = new URL(rawUrl);
  const num = (i: number) => Number(rest[i]);
  if (mode === "slow") await slow(url, num(0), num(1), num(2), num(3));
  else if (mode === "sse") await sse(url, num(0), rest[1], num(2));
  else if (mode === "upload") await upload(url, num(0));
  else throw new TypeError(`Unknown mode ${mode}`);
}
