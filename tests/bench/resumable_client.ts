/**
 * The client side of the resumable-upload benchmark, run pinned to the
 * client core: the same bytes as one `PUT`, or as a tus upload (`POST`,
 * then `PATCH`es of CHUNK bytes), over one raw keep-alive connection each.
 * Prints one JSON line: `{ status, bytes, seconds }`.
 *
 * ```sh
 * deno run -A tests/bench/resumable_client.ts put URL BYTES
 * deno run -A tests/bench/resumable_client.ts tus ENDPOINT BYTES CHUNK
 * ```
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One HTTP/1.1 connection that sends requests and reads bodiless answers. */
class Connection {
  readonly #conn: Deno.Conn;
  readonly #host: string;
  #buffer = "";

  constructor(conn: Deno.Conn, host: string) {
    this.#conn = conn;
    this.#host = host;
  }

  async #write(bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.length;) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
  }

  /** Sends a request whose body is `length` bytes of `block`, repeated. */
  async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    length: number,
    block: Uint8Array,
  ): Promise<void> {
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${this.#host}`];
    for (const [name, value] of Object.entries({ ...headers, "Content-Length": `${length}` })) {
      lines.push(`${name}: ${value}`);
    }
    await this.#write(encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
    for (let sent = 0; sent < length; sent += block.length) {
      await this.#write(block.subarray(0, Math.min(block.length, length - sent)));
    }
  }

  /** Reads one response head; the answers here have no body. */
  async answer(): Promise<{ status: number; headers: Map<string, string> }> {
    const chunk = new Uint8Array(16 * 1024);
    while (!this.#buffer.includes("\r\n\r\n")) {
      const n = await this.#conn.read(chunk);
      if (n === null) throw new Error("connection closed before an answer");
      this.#buffer += decoder.decode(chunk.subarray(0, n));
    }
    const end = this.#buffer.indexOf("\r\n\r\n");
    const [first, ...rest] = this.#buffer.slice(0, end).split("\r\n");
    const headers = new Map<string, string>();
    for (const line of rest) {
      const colon = line.indexOf(":");
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const length = Number(headers.get("content-length") ?? 0);
    this.#buffer = this.#buffer.slice(end + 4 + length);
    return { status: Number(first.split(" ")[1]), headers };
  }

  close(): void {
    this.#conn.close();
  }
}

function randomBlock(size: number): Uint8Array {
  const block = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  return block;
}

async function main(): Promise<void> {
  const [mode, target, bytesText, chunkText] = Deno.args;
  const url = new URL(target);
  const bytes = Number(bytesText);
  const block = randomBlock(1024 * 1024);
  const conn = new Connection(
    await Deno.connect({ hostname: url.hostname, port: Number(url.port) }),
    url.host,
  );
  const started = performance.now();
  let status: number;
  if (mode === "put") {
    await conn.send(
      "PUT",
      url.pathname,
      { "Content-Type": "application/octet-stream" },
      bytes,
      block,
    );
    status = (await conn.answer()).status;
  } else {
    const chunk = Number(chunkText);
    const metadata = `filename ${btoa("upload.bin")}`;
    const tus = { "Tus-Resumable": "1.0.0" };
    await conn.send(
      "POST",
      url.pathname,
      {
        ...tus,
        "Upload-Length": `${bytes}`,
        "Upload-Metadata": metadata,
      },
      0,
      block,
    );
    const created = await conn.answer();
    const location = new URL(created.headers.get("location") ?? "/", url).pathname;
    status = created.status;
    for (let offset = 0; offset < bytes && status < 300; offset += chunk) {
      await conn.send(
        "PATCH",
        location,
        {
          ...tus,
          "Upload-Offset": `${offset}`,
          "Content-Type": "application/offset+octet-stream",
        },
        Math.min(chunk, bytes - offset),
        block,
      );
      status = (await conn.answer()).status;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  conn.close();
  console.log(JSON.stringify({ status, bytes, seconds }));
}

if (import.meta.main) await main();
